namespace Orleans.Cache.Tests.Resp;

/// <summary>Malformed frames get Redis's exact protocol error, close only their own connection, and the server keeps serving.</summary>
public sealed class ProtocolErrorTests(RespServerFixture fixture) : IClassFixture<RespServerFixture>
{
    private RespTestServer Server => fixture.Server;

    [Theory]
    [InlineData("*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*01\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*+1\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("* 1\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*1\n$4\r\nPING\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$01\r\nx\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$536870913\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$4\nPING\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n:4\r\n", "-ERR Protocol error: expected '$', got ':'\r\n")]
    [InlineData("*2\r\n$4\r\nPING\r\n*1\r\n", "-ERR Protocol error: expected '$', got '*'\r\n")]
    [InlineData("echo \"abc\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")]
    [InlineData("echo \"a\"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")]
    public async Task Malformed_frame_gets_Redis_error_and_only_its_connection_closes(string request, string expected)
    {
        using var bystander = await RawClient.ConnectAsync(Server.EndPoint);
        using var client = await RawClient.ConnectAsync(Server.EndPoint);

        Assert.Equal(expected + "<closed>", await client.RoundTripAsync(request));
        Assert.Equal("+PONG\r\n", await bystander.RoundTripAsync("*1\r\n$4\r\nPING\r\n", 200));
    }

    [Fact]
    public async Task Requests_before_a_protocol_error_are_answered_first()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal("+PONG\r\n$1\r\na\r\n-ERR Protocol error: invalid bulk length\r\n<closed>",
            await client.RoundTripAsync("PING\r\n*2\r\n$4\r\nECHO\r\n$1\r\na\r\n*1\r\n$-5\r\n"));
    }

    [Theory]
    [InlineData('x', "-ERR Protocol error: too big inline request\r\n")]
    [InlineData('*', "-ERR Protocol error: too big mbulk count string\r\n")]
    [InlineData('$', "-ERR Protocol error: too big bulk count string\r\n")]
    public async Task Endless_line_without_CRLF_is_cut_at_64KB(char kind, string expected)
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        string prefix = kind switch { 'x' => "x", '*' => "*", _ => "*1\r\n$" };
        await client.SendAsync(prefix + new string(kind == 'x' ? 'x' : '1', 70_000));
        Assert.Equal(expected + "<closed>", await client.ReceiveAsync());
    }

    [Fact]
    public async Task Empty_multibulk_and_blank_lines_are_skipped()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal("+PONG\r\n+PONG\r\n+PONG\r\n",
            await client.RoundTripAsync("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n\r\n\r\nPING\r\n*1\r\n$4\r\nPING\r\n"));
    }

    [Fact]
    public async Task Bytes_after_a_bulk_are_skipped_without_checking_them_as_Redis_does()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal("+PONG\r\n+PONG\r\n", await client.RoundTripAsync("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"));
    }

    [Fact]
    public async Task Truncated_frame_waits_for_the_rest_and_then_runs()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal("", await client.RoundTripAsync("*2\r\n$4\r\nECHO\r\n$5\r\nhel", 200, expectReply: false));
        Assert.Equal("", await client.RoundTripAsync("lo", 200, expectReply: false));
        Assert.Equal("$5\r\nhello\r\n", await client.RoundTripAsync("\r\n", 300));
    }

    [Fact]
    public async Task Frame_split_into_single_bytes_parses()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        foreach (char c in "*3\r\n$3\r\nSET\r\n$7\r\nsplit:k\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$7\r\nsplit:k\r\n")
        {
            await client.SendAsync(c.ToString());
            await Task.Delay(1);
        }
        Assert.Equal("+OK\r\n$5\r\nvalue\r\n", await client.ReceiveAsync("value\r\n"));
    }

    [Fact]
    public async Task Truncated_frame_then_disconnect_leaves_the_server_serving()
    {
        using (var client = await RawClient.ConnectAsync(Server.EndPoint))
            await client.SendAsync("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nabc");
        using var other = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal("+PONG\r\n", await other.RoundTripAsync("PING\r\n", 200));
    }

    [Fact]
    public async Task Million_element_multibulk_header_waits_and_a_million_arguments_arriving_in_pieces_run()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal("", await client.RoundTripAsync("*1000001\r\n$6\r\nEXISTS\r\n", 300, expectReply: false));
        using (var other = await RawClient.ConnectAsync(Server.EndPoint))
            Assert.Equal("+PONG\r\n", await other.RoundTripAsync("PING\r\n", 200));

        var keys = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("$2\r\nmk\r\n", 1_000_000)));
        for (int at = 0; at < keys.Length; at += 100_000)
            await client.SendAsync(keys[at..Math.Min(keys.Length, at + 100_000)]);
        Assert.Equal(":0\r\n", await client.ReceiveAsync(":0\r\n", 30_000));
    }

    [Fact]
    public async Task Http_request_is_dropped_without_a_reply()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal("<closed>", await client.RoundTripAsync("POST / HTTP/1.1\r\nHost: x\r\n\r\n"));
    }
}
