using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>requirepass: NOAUTH before AUTH, AUTH and HELLO AUTH for the default user, RESET logs out.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private RespTestServer _server = null!;
    public async Task InitializeAsync() => _server = await RespTestServer.StartAsync(o => o.RequirePass = "s3cret");
    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<RedisProtocol> Protocols => new() { RedisProtocol.Resp2, RedisProtocol.Resp3 };

    [Theory]
    [InlineData("PING\r\n", "-NOAUTH Authentication required.\r\n")]
    [InlineData("ECHO a\r\n", "-NOAUTH Authentication required.\r\n")]
    [InlineData("GET k\r\n", "-NOAUTH Authentication required.\r\n")]
    [InlineData("FOO\r\n", "-ERR unknown command 'FOO', with args beginning with: \r\n")]
    [InlineData("GET\r\n", "-ERR wrong number of arguments for 'get' command\r\n")]
    [InlineData("AUTH x\r\n", "-WRONGPASS invalid username-password pair or user is disabled.\r\n")]
    [InlineData("AUTH default x\r\n", "-WRONGPASS invalid username-password pair or user is disabled.\r\n")]
    [InlineData("AUTH s3cret\r\nPING\r\n", "+OK\r\n+PONG\r\n")]
    [InlineData("AUTH default s3cret\r\nPING\r\n", "+OK\r\n+PONG\r\n")]
    [InlineData("AUTH s3cret\r\nRESET\r\nPING\r\n", "+OK\r\n+RESET\r\n-NOAUTH Authentication required.\r\n")]
    [InlineData("HELLO 3\r\n", "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n")]
    [InlineData("HELLO 3 AUTH default x\r\n", "-WRONGPASS invalid username-password pair or user is disabled.\r\n")]
    public async Task Requests_before_auth_get_Redis_replies(string request, string expected)
    {
        using var client = await RawClient.ConnectAsync(_server.EndPoint);
        Assert.Equal(expected, await client.RoundTripAsync(request, 300));
    }

    [Fact]
    public async Task Hello_with_auth_logs_in_and_switches_protocol()
    {
        using var client = await RawClient.ConnectAsync(_server.EndPoint);
        string reply = await client.RoundTripAsync("HELLO 3 AUTH default s3cret SETNAME me\r\nCLIENT GETNAME\r\n", 300);
        Assert.StartsWith("%7\r\n", reply);
        Assert.EndsWith("$2\r\nme\r\n", reply);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task StackExchange_Redis_connects_with_password(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(_server, protocol, "s3cret");
        var db = redis.GetDatabase();
        await db.StringSetAsync("auth:k", "v");
        Assert.Equal("v", (string?)await db.StringGetAsync("auth:k"));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task StackExchange_Redis_with_wrong_password_fails(RedisProtocol protocol)
    {
        await Assert.ThrowsAnyAsync<RedisConnectionException>(() => RedisClients.ConnectAsync(_server, protocol, "wrong"));
    }
}
