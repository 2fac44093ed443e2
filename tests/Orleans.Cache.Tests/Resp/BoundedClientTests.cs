using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Orleans.Cache.Tests.Resp;

/// <summary>Runs alone, after the parallel classes: the memory bound is read from the whole test process's heap.</summary>
[CollectionDefinition(nameof(AloneForMemory), DisableParallelization = true)]
public sealed class AloneForMemory;

/// <summary>
/// Per-client resources stay bounded: pipelined input is read at the pace the client takes its replies (TCP
/// back-pressure), replies a client does not read are cut by client-output-buffer-limit, and a big request still
/// arrives whole.
/// </summary>
[Collection(nameof(AloneForMemory))]
public sealed class BoundedClientTests
{
    /// <summary>A socket with a small receive buffer that reads nothing unless asked: the kernel absorbs little of what is sent to it.</summary>
    private static async Task<Socket> NonReaderAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(endPoint);
        return socket;
    }

    private static async Task<string> ClientLineAsync(RawClient admin, string cmd)
    {
        var list = await admin.CommandAsync("CLIENT", "LIST");
        return list.Split('\n').FirstOrDefault(l => l.Contains($" cmd={cmd} ")) ?? "";
    }

    private static long Field(string line, string name)
    {
        var part = line.Split(' ').First(p => p.StartsWith(name + "=", StringComparison.Ordinal));
        return long.Parse(part[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Polls CLIENT LIST (real time, bounded) until the client that last ran <paramref name="cmd"/> has replies unsent.</summary>
    private static async Task<string> WaitForUnsentRepliesAsync(RawClient admin, string cmd)
    {
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < 10_000)
        {
            var line = await ClientLineAsync(admin, cmd);
            if (line.Length > 0 && Field(line, "omem") > 0) return line;
            await Task.Yield();
        }
        throw new TimeoutException("the non-reading client never had unsent replies");
    }

    private static async Task<bool> IsClosedAsync(Socket socket, int timeoutMs = 10_000)
    {
        var buffer = new byte[1 << 20];
        using var timeout = new CancellationTokenSource(timeoutMs);
        try
        {
            while (true)
                if (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0) return true;
        }
        catch (SocketException) { return true; }
        catch (OperationCanceledException) { return false; }
    }

    [Fact]
    public async Task Gigabyte_style_pipeline_is_served_to_the_end_with_bounded_memory()
    {
        const long total = 200L * 1024 * 1024;
        // With a 1 GB read buffer (as before) the same run grew the live heap by ~160 MB.
        const long bound = 32L * 1024 * 1024;
        await using var server = await RespTestServer.StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint);

        // One 64 KB block of SETs over 1,000 keys, sent again and again (redis-cli --pipe of a big file).
        var value = new string('v', 100);
        var block = new StringBuilder();
        int perBlock = 0;
        while (block.Length < 64 * 1024)
        {
            block.Append(RawClient.Encode("SET", $"pipe:{perBlock % 1000:D4}", value));
            perBlock++;
        }
        var bytes = Encoding.ASCII.GetBytes(block.ToString());
        int blocks = (int)(total / bytes.Length);
        long commands = (long)blocks * perBlock;

        long baseline = GC.GetTotalMemory(forceFullCollection: true), peak = 0;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                try { await Task.Delay(100, done.Token); } catch (OperationCanceledException) { }
            }
        });
        var sender = Task.Run(async () =>
        {
            for (int i = 0; i < blocks; i++) await socket.SendAsync(bytes, SocketFlags.None);
        });
        // A slow reader: small reads, and a pause after every few, so the server's replies back up.
        long received = 0, expected = commands * "+OK\r\n".Length;
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        for (int reads = 0; received < expected; reads++)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None);
            Assert.True(n > 0, $"closed after {received} of {expected} reply bytes");
            received += n;
            if (reads % 64 == 0) await Task.Yield();
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "too slow");
        }
        await sender;
        done.Cancel();
        await sampler;

        Assert.Equal(expected, received);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal($"$100\r\n{value}\r\n", await client.CommandAsync("GET", "pipe:0000"));
        Assert.True(peak < bound, $"memory grew by {peak / 1024 / 1024} MB while {total / 1024 / 1024} MB were pipelined");
        Console.WriteLine($"{commands:N0} pipelined SETs ({total / 1024 / 1024} MB) in {clock.Elapsed.TotalSeconds:F1} s; peak live-heap growth {peak / 1024.0 / 1024:F1} MB");
    }

    [Fact]
    public async Task Bulk_much_larger_than_the_read_buffer_is_stored_whole()
    {
        await using var server = await RespTestServer.StartAsync(o => o.MaxReadBufferSize = 64 * 1024);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        string value = new('b', 5 * 1024 * 1024);
        await client.SendAsync(Encoding.ASCII.GetBytes(RawClient.Encode("SET", "big", value) + RawClient.Encode("STRLEN", "big")));
        Assert.Equal("+OK\r\n:5242880\r\n", await client.ReceiveAsync(":5242880\r\n", 20_000));
    }

    [Fact]
    public async Task Normal_client_past_the_hard_output_limit_is_closed_and_others_are_served()
    {
        await using var server = await RespTestServer.StartAsync();
        using var admin = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("+OK", await admin.CommandAsync("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0"));
        Assert.Equal("+OK", await admin.CommandAsync("SET", "big", new string('x', 2 * 1024 * 1024)));

        using var reader = await NonReaderAsync(server.EndPoint);
        await reader.SendAsync(Encoding.ASCII.GetBytes(RawClient.Encode("GET", "big")), SocketFlags.None);
        Assert.True(await IsClosedAsync(reader));

        Assert.Equal("+PONG", await admin.CommandAsync("PING"));
        Assert.Equal(":2097152", await admin.CommandAsync("STRLEN", "big"));
        // A reply under the limit is not cut.
        Assert.Equal("+OK", await admin.CommandAsync("SET", "small", new string('s', 512 * 1024)));
        Assert.Equal(":524288", await admin.CommandAsync("STRLEN", "small"));
    }

    [Fact]
    public async Task Normal_client_over_the_soft_limit_is_closed_after_the_soft_seconds_on_the_clock()
    {
        var time = new FakeTimeProvider();
        await using var server = await RespTestServer.StartAsync(time: time);
        using var admin = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("+OK", await admin.CommandAsync("CONFIG", "SET", "client-output-buffer-limit", "normal 0 1mb 10"));
        Assert.Equal("+OK", await admin.CommandAsync("SET", "big", new string('x', 16 * 1024 * 1024)));

        using var reader = await NonReaderAsync(server.EndPoint);
        await reader.SendAsync(Encoding.ASCII.GetBytes(RawClient.Encode("GET", "big")), SocketFlags.None);
        var line = await WaitForUnsentRepliesAsync(admin, "get");
        Assert.True(Field(line, "omem") > 1024 * 1024, line);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Contains(" cmd=get ", await ClientLineAsync(admin, "get"));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await IsClosedAsync(reader));
        Assert.Equal("", await ClientLineAsync(admin, "get"));
    }

    [Fact]
    public async Task Normal_output_is_unlimited_by_default_as_in_Redis()
    {
        var time = new FakeTimeProvider();
        await using var server = await RespTestServer.StartAsync(time: time);
        using var admin = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Contains("normal 0 0 0 slave", await admin.CommandAsync("CONFIG", "GET", "client-output-buffer-limit"));
        Assert.Equal("+OK", await admin.CommandAsync("SET", "big", new string('x', 16 * 1024 * 1024)));

        using var reader = await NonReaderAsync(server.EndPoint);
        await reader.SendAsync(Encoding.ASCII.GetBytes(RawClient.Encode("GET", "big")), SocketFlags.None);
        await WaitForUnsentRepliesAsync(admin, "get");
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Contains(" cmd=get ", await ClientLineAsync(admin, "get"));
        Assert.Equal("+PONG", await admin.CommandAsync("PING"));
    }
}
