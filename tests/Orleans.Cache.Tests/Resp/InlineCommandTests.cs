namespace Orleans.Cache.Tests.Resp;

/// <summary>Inline requests (what telnet sends): Redis's splitting, quoting and escapes.</summary>
public sealed class InlineCommandTests(RespServerFixture fixture) : IClassFixture<RespServerFixture>
{
    private RespTestServer Server => fixture.Server;

    [Theory]
    [InlineData("PING\r\n", "+PONG\r\n")]
    [InlineData("ping\n", "+PONG\r\n")]
    [InlineData("ping  hello\r\n", "$5\r\nhello\r\n")]
    [InlineData("echo \"a b\"\r\n", "$3\r\na b\r\n")]
    [InlineData("echo 'it\\'s'\r\n", "$4\r\nit's\r\n")]
    [InlineData("echo \"\\x41\\n\"\r\n", "$2\r\nA\n\r\n")]
    [InlineData("echo \"a b\" 'c'\r\n", "-ERR wrong number of arguments for 'echo' command\r\n")]
    [InlineData("FOO a b\r\n", "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n")]
    [InlineData("$4\r\n", "-ERR unknown command '$4', with args beginning with: \r\n")]
    public async Task Inline_request_is_answered_like_Redis(string request, string expected)
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal(expected, await client.RoundTripAsync(request, 200));
    }

    [Fact]
    public async Task Inline_set_and_get_round_trip()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal("+OK\r\n$11\r\nhello world\r\n",
            await client.RoundTripAsync("SET inline:k \"hello world\"\r\nGET inline:k\r\n", 200));
    }

    [Fact]
    public async Task Unknown_command_error_cuts_arguments_at_128_characters()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        string reply = await client.RoundTripAsync("foo " + new string('a', 200) + " b\r\n", 200);
        Assert.Equal("-ERR unknown command 'foo', with args beginning with: '" + new string('a', 128) + "' \r\n", reply);
        // Later arguments get what is left of the 128 characters, quotes and spaces included (checked against redis-server 7.0).
        reply = await client.RoundTripAsync("foo " + new string('a', 100) + " " + new string('b', 100) + "\r\n", 200);
        Assert.Equal("-ERR unknown command 'foo', with args beginning with: '" + new string('a', 100) + "' '" + new string('b', 25) + "' \r\n", reply);
    }

    [Fact]
    public async Task Inline_and_multibulk_mix_in_one_read_keep_order()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal("$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
            await client.RoundTripAsync("ECHO 1\r\n*2\r\n$4\r\nECHO\r\n$1\r\n2\r\nECHO 3\r\n", 200));
    }
}
