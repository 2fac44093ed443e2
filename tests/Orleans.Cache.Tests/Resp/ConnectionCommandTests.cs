using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>PING, ECHO, SELECT, HELLO, AUTH, CLIENT, QUIT, RESET over StackExchange.Redis (RESP2 and RESP3) and raw sockets.</summary>
public sealed class ConnectionCommandTests(RespServerFixture fixture) : IClassFixture<RespServerFixture>
{
    private RespTestServer Server => fixture.Server;

    public static TheoryData<RedisProtocol> Protocols => new() { RedisProtocol.Resp2, RedisProtocol.Resp3 };

    [Theory, MemberData(nameof(Protocols))]
    public async Task Client_connects_and_negotiates_the_protocol(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var server = redis.GetServer(Server.EndPoint);
        Assert.Equal(protocol, server.Protocol);
        Assert.True(redis.IsConnected);
        await redis.GetDatabase().PingAsync();
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Ping_and_echo(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var db = redis.GetDatabase();
        Assert.Equal("PONG", (string?)await db.ExecuteAsync("PING"));
        Assert.Equal("hi", (string?)await db.ExecuteAsync("PING", "hi"));
        Assert.Equal("héllo", (string?)await db.ExecuteAsync("ECHO", "héllo"));
        var e = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("PING", "a", "b"));
        Assert.Equal("ERR wrong number of arguments for 'ping' command", e.Message);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Select_accepts_only_db_0(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var db = redis.GetDatabase();
        Assert.Equal("OK", (string?)await db.ExecuteAsync("SELECT", "0"));
        Assert.Equal("ERR DB index is out of range", (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("SELECT", "1"))).Message);
        Assert.Equal("ERR value is not an integer or out of range", (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("SELECT", "x"))).Message);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Client_id_setname_getname_info_and_list(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var db = redis.GetDatabase();
        long id = (long)await db.ExecuteAsync("CLIENT", "ID");
        Assert.True(id > 0);
        Assert.Equal("OK", (string?)await db.ExecuteAsync("CLIENT", "SETNAME", "tester"));
        Assert.Equal("tester", (string?)await db.ExecuteAsync("CLIENT", "GETNAME"));
        var info = (string)(await db.ExecuteAsync("CLIENT", "INFO"))!;
        Assert.StartsWith($"id={id} addr=", info);
        Assert.Contains("name=tester", info);
        Assert.Contains($"resp={(protocol == RedisProtocol.Resp3 ? 3 : 2)}", info);
        var list = (string)(await db.ExecuteAsync("CLIENT", "LIST"))!;
        Assert.Contains($"id={id} ", list);
        Assert.Equal("ERR Client names cannot contain spaces, newlines or special characters.",
            (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("CLIENT", "SETNAME", "a b"))).Message);
        Assert.Equal("ERR unknown subcommand 'foo'. Try CLIENT HELP.",
            (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("CLIENT", "foo"))).Message);
        Assert.Equal("ERR wrong number of arguments for 'client|setname' command",
            (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("CLIENT", "SETNAME"))).Message);
        Assert.Equal("OK", (string?)await db.ExecuteAsync("CLIENT", "NO-EVICT", "on"));
        Assert.Equal("OK", (string?)await db.ExecuteAsync("CLIENT", "SETINFO", "lib-name", "mylib"));
        Assert.Contains("lib-name=mylib", (string)(await db.ExecuteAsync("CLIENT", "INFO"))!);
    }

    [Fact]
    public async Task Client_kill_by_id_closes_the_other_connection()
    {
        using var victim = await RawClient.ConnectAsync(Server.EndPoint);
        string idReply = await victim.RoundTripAsync("CLIENT ID\r\n", 200);
        long id = long.Parse(idReply.Trim(':', '\r', '\n'));
        using var killer = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal(":1\r\n", await killer.RoundTripAsync($"CLIENT KILL ID {id}\r\n", 200));
        Assert.Equal("<closed>", await victim.ReceiveAsync(1000));
        Assert.Equal(":0\r\n", await killer.RoundTripAsync($"CLIENT KILL ID {id}\r\n", 200));
        Assert.Equal("-ERR No such client\r\n", await killer.RoundTripAsync("CLIENT KILL 1.2.3.4:5\r\n", 200));
    }

    [Fact]
    public async Task Hello_switches_protocol_mid_pipeline_and_replies_follow_it()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        string reply = await client.RoundTripAsync("GET hello:none\r\nHELLO 3\r\nGET hello:none\r\nHELLO 2\r\nGET hello:none\r\n", 300);
        Assert.StartsWith("$-1\r\n%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n", reply);
        Assert.Contains("$5\r\nproto\r\n:3\r\n", reply);
        Assert.Contains("*0\r\n_\r\n*14\r\n", reply);
        Assert.EndsWith("*0\r\n$-1\r\n", reply);
    }

    [Theory]
    [InlineData("HELLO 4\r\n", "-NOPROTO unsupported protocol version\r\n")]
    [InlineData("HELLO x\r\n", "-ERR Protocol version is not an integer or out of range\r\n")]
    [InlineData("HELLO 3 FOO\r\n", "-ERR Syntax error in HELLO option 'FOO'\r\n")]
    [InlineData("AUTH x\r\n", "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n")]
    [InlineData("AUTH a b\r\n", "-WRONGPASS invalid username-password pair or user is disabled.\r\n")]
    [InlineData("AUTH default anything\r\n", "+OK\r\n")]
    [InlineData("QUIT\r\nPING\r\n", "+OK\r\n<closed>")]
    [InlineData("HELLO 3\r\nRESET\r\nGET reset:none\r\n", "+RESET\r\n$-1\r\n")]
    [InlineData("READONLY\r\nREADWRITE\r\n", "+OK\r\n+OK\r\n")]
    [InlineData("GET\r\n", "-ERR wrong number of arguments for 'get' command\r\n")]
    [InlineData("GET a b\r\n", "-ERR wrong number of arguments for 'get' command\r\n")]
    public async Task Connection_command_answers_like_Redis(string request, string expected)
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        string reply = await client.RoundTripAsync(request, 300);
        if (request.StartsWith("HELLO 3\r\nRESET")) reply = reply[reply.IndexOf("+RESET", StringComparison.Ordinal)..];
        Assert.Equal(expected, reply);
    }
}
