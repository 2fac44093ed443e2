using System.Text;

namespace Orleans.Cache.Tests.Resp;

/// <summary>Limits for hostile clients: bulk size, query buffer, unauthenticated sizes, maxclients, idle timeout.</summary>
public sealed class LimitTests
{
    [Fact]
    public async Task Bulk_over_proto_max_bulk_len_is_refused_and_closes()
    {
        await using var server = await RespTestServer.StartAsync(o => o.ProtoMaxBulkLen = 1024 * 1024);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n<closed>",
            await client.RoundTripAsync("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n"));
        using var other = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("+PONG\r\n", await other.RoundTripAsync("PING\r\n", 200));
    }

    [Fact]
    public async Task Proto_max_bulk_len_set_by_CONFIG_SET_applies_to_the_next_request()
    {
        await using var server = await RespTestServer.StartAsync();
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("+OK\r\n", await client.RoundTripAsync("CONFIG SET proto-max-bulk-len 1mb\r\n", 200));
        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n<closed>", await client.RoundTripAsync("*1\r\n$2000000\r\n"));
    }

    [Fact]
    public async Task Large_value_arriving_in_many_reads_is_stored_whole()
    {
        await using var server = await RespTestServer.StartAsync();
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        string value = new('v', 3 * 1024 * 1024);
        var request = Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$5\r\nbig:k\r\n${value.Length}\r\n{value}\r\n*2\r\n$6\r\nSTRLEN\r\n$5\r\nbig:k\r\n");
        for (int at = 0; at < request.Length; at += 50_000)
            await client.SendAsync(request[at..Math.Min(request.Length, at + 50_000)]);
        Assert.Equal("+OK\r\n:3145728\r\n", await client.ReceiveAsync(":3145728\r\n", 10_000));
    }

    [Fact]
    public async Task Query_buffer_over_the_limit_closes_the_client()
    {
        await using var server = await RespTestServer.StartAsync(o => o.ClientQueryBufferLimit = 1024 * 1024);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("*2\r\n$4\r\nECHO\r\n$4000000\r\n");
        var chunk = new byte[256 * 1024];
        for (int i = 0; i < 8; i++) await client.SendAsync(chunk);
        Assert.EndsWith("<closed>", await client.ReceiveAsync(1000));
        using var other = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("+PONG\r\n", await other.RoundTripAsync("PING\r\n", 200));
    }

    [Fact]
    public async Task Unauthenticated_clients_may_only_send_small_requests()
    {
        await using var server = await RespTestServer.StartAsync(o => o.RequirePass = "s3cret");
        using (var client = await RawClient.ConnectAsync(server.EndPoint))
            Assert.Equal("-ERR Protocol error: unauthenticated multibulk length\r\n<closed>", await client.RoundTripAsync("*1000000\r\n"));
        using (var client = await RawClient.ConnectAsync(server.EndPoint))
            Assert.Equal("-ERR Protocol error: unauthenticated bulk length\r\n<closed>", await client.RoundTripAsync("*1\r\n$16385\r\n"));
        using (var client = await RawClient.ConnectAsync(server.EndPoint))
        {
            Assert.Equal("+OK\r\n", await client.RoundTripAsync("AUTH s3cret\r\n", 200));
            Assert.Equal("", await client.RoundTripAsync("*1000000\r\n", 200, expectReply: false));
        }
    }

    [Fact]
    public async Task Clients_beyond_maxclients_are_refused_with_Redis_error()
    {
        await using var server = await RespTestServer.StartAsync(o => o.MaxClients = 2);
        using var a = await RawClient.ConnectAsync(server.EndPoint);
        using var b = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("+PONG\r\n", await a.RoundTripAsync("PING\r\n", 200));
        Assert.Equal("+PONG\r\n", await b.RoundTripAsync("PING\r\n", 200));
        using var c = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("-ERR max number of clients reached\r\n<closed>", await c.ReceiveAsync());
    }

    [Fact]
    public async Task Idle_client_is_closed_after_timeout()
    {
        await using var server = await RespTestServer.StartAsync(o => o.Timeout = 1);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("+PONG\r\n", await client.RoundTripAsync("PING\r\n", 100));
        Assert.Equal("<closed>", await client.ReceiveAsync(4000));
    }
}
