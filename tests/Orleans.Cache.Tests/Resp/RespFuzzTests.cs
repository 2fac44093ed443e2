using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Orleans.Cache.Tests.Resp;

/// <summary>
/// Malformed and mutated RESP from several connections at once against a real silo process: random bytes, mutated valid
/// commands, bad type bytes, negative/huge/non-numeric lengths, missing CRLFs, truncated frames, RESP3 aggregates sent as
/// requests, 1 MB inline lines, a 1,000,000-element multibulk header and then a close. The silo must not crash, a canary
/// connection keeps getting right answers all along, and 10,000 keys written before are intact afterwards.
/// <c>FUZZ_FRAMES</c> changes the frame count (default 1,000,000), <c>FUZZ_SEED</c> replays a run.
/// </summary>
[Collection(nameof(AloneForMemory))]
public sealed class RespFuzzTests(ITestOutputHelper output)
{
    private const int Workers = 6;
    private const int KeptKeys = 10_000;

    [Fact]
    public async Task A_million_malformed_frames_crash_nothing_and_lose_nothing()
    {
        long target = long.TryParse(Environment.GetEnvironmentVariable("FUZZ_FRAMES"), out var f) ? f : 1_000_000;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var s) ? s : Random.Shared.Next();
        output.WriteLine($"FUZZ_SEED={seed}");
        var snapshots = Directory.CreateTempSubdirectory("orleans-cache-fuzz-").FullName;
        using var silo = await RunningSilo.StartAsync("--Snapshots:Dir", snapshots, "--Snapshots:Save", "");
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync($"{silo.EndPoint},abortConnect=false,allowAdmin=true,syncTimeout=30000,asyncTimeout=30000");
            var db = redis.GetDatabase();
            var kept = new (RedisKey Key, RedisValue Value)[KeptKeys];
            for (int i = 0; i < KeptKeys; i++) kept[i] = ($"kept:{i}", $"value-{i}-{seed}");
            await Task.WhenAll(kept.Select(k => db.StringSetAsync(k.Key, k.Value)));

            using var stop = new CancellationTokenSource();
            long processedBefore = await ProcessedAsync(redis, silo.EndPoint);
            var canary = Task.Run(() => CanaryAsync(db, stop.Token));
            var clock = Stopwatch.StartNew();
            long sent = 0, connections = 0;
            var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                var random = new Random(seed + w);
                while (Interlocked.Read(ref sent) < target)
                {
                    Interlocked.Increment(ref connections);
                    Interlocked.Add(ref sent, await FuzzOneConnectionAsync(silo.EndPoint, random));
                }
            })).ToArray();
            await Task.WhenAll(workers);
            clock.Stop();
            stop.Cancel();
            var (answered, slowest) = await canary;
            long processed = await ProcessedAsync(redis, silo.EndPoint) - processedBefore;
            output.WriteLine($"{sent:N0} frames over {connections:N0} connections in {clock.Elapsed.TotalSeconds:F1} s ({processed:N0} commands " +
                             "processed, counting error replies); " +
                             $"canary: {answered:N0} round trips, slowest {slowest.TotalMilliseconds:F0} ms");

            Assert.False(silo.Process.HasExited, $"the silo exited:\n{silo.Process.Output}");
            Assert.True(sent >= target);
            Assert.True(answered > 0);
            using (var fresh = await RawClient.ConnectAsync(silo.EndPoint)) Assert.Equal("+PONG", await fresh.CommandAsync("PING"));
            for (int from = 0; from < KeptKeys; from += 1000)
            {
                var batch = kept[from..Math.Min(KeptKeys, from + 1000)];
                var values = await db.StringGetAsync(batch.Select(k => k.Key).ToArray());
                for (int i = 0; i < batch.Length; i++) Assert.Equal(batch[i].Value, values[i]);
            }
        }
        finally
        {
            await silo.Process.StopAsync(TimeSpan.FromSeconds(30));
            Directory.Delete(snapshots, recursive: true);
        }
    }

    /// <summary>INFO's total_commands_processed.</summary>
    private static async Task<long> ProcessedAsync(ConnectionMultiplexer redis, IPEndPoint endPoint)
    {
        var info = await redis.GetServer(endPoint).InfoAsync("stats");
        return long.Parse(info.SelectMany(g => g).First(p => p.Key == "total_commands_processed").Value);
    }

    /// <summary>SET then GET of one key, back to back until stopped: each must come back right, and within 10 s.</summary>
    private static async Task<(long Answered, TimeSpan Slowest)> CanaryAsync(IDatabase db, CancellationToken stop)
    {
        long n = 0;
        var slowest = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            string value = $"canary-{n}";
            Assert.True(await db.StringSetAsync("fuzz:canary", value).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(value, (string?)await db.StringGetAsync("fuzz:canary").WaitAsync(TimeSpan.FromSeconds(10)));
            var took = Stopwatch.GetElapsedTime(started);
            if (took > slowest) slowest = took;
            n++;
        }
        return (n, slowest);
    }

    /// <summary>
    /// One connection: batches of frames that the server answers and goes on after (errors included), until a frame that
    /// should end the connection, or a close in the middle of a frame; a reader drains the replies meanwhile. Returns the
    /// number of frames sent.
    /// </summary>
    private static async Task<long> FuzzOneConnectionAsync(IPEndPoint endPoint, Random random)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        var drain = DrainAsync(socket);
        long frames = 0;
        var batch = new MemoryStream();
        try
        {
            int batches = random.Next(1, 10);
            for (int b = 0; b < batches; b++)
            {
                batch.SetLength(0);
                for (int i = 0; i < 500; i++) WriteSurvivableFrame(batch, random);
                await socket.SendAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length), SocketFlags.None);
                frames += 500;
            }
            batch.SetLength(0);
            WriteEndingFrame(batch, random);
            await socket.SendAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length), SocketFlags.None);
            frames++;
            // Our end of the stream: what the server has not closed on yet ends with it.
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException) { } // the server closed first, after a protocol error it answered
        await Task.WhenAny(drain, Task.Delay(TimeSpan.FromSeconds(10)));
        return frames;
    }

    private static async Task DrainAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0) { }
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    // Commands the mutations start from: none blocks, subscribes, changes the server or allocates by an offset.
    private static readonly string[][] Valid =
    [
        ["GET", "k"], ["SET", "k", "v"], ["SET", "k", "v", "EX", "100"], ["INCR", "k"], ["DECRBY", "k", "5"], ["APPEND", "k", "v"],
        ["STRLEN", "k"], ["GETRANGE", "k", "0", "-1"], ["MGET", "k", "k"], ["MSET", "k", "v", "k", "v"], ["DEL", "k"], ["EXISTS", "k"],
        ["TYPE", "k"], ["EXPIRE", "k", "100"], ["PEXPIRE", "k", "100"], ["TTL", "k"], ["PERSIST", "k"],
        ["LPUSH", "k", "v"], ["RPUSH", "k", "v", "v"], ["LPOP", "k"], ["RPOP", "k", "2"], ["LRANGE", "k", "0", "-1"], ["LLEN", "k"],
        ["LINDEX", "k", "0"], ["LREM", "k", "0", "v"], ["HSET", "k", "f", "v"], ["HGET", "k", "f"], ["HDEL", "k", "f"], ["HGETALL", "k"],
        ["HINCRBY", "k", "f", "1"], ["SADD", "k", "m"], ["SREM", "k", "m"], ["SMEMBERS", "k"], ["SCARD", "k"], ["SISMEMBER", "k", "m"],
        ["ZADD", "k", "1", "m"], ["ZINCRBY", "k", "1", "m"], ["ZRANGE", "k", "0", "-1", "WITHSCORES"], ["ZSCORE", "k", "m"], ["ZREM", "k", "m"],
        ["ZRANGEBYSCORE", "k", "-inf", "+inf"], ["PING"], ["ECHO", "x"], ["OBJECT", "ENCODING", "k"], ["GETDEL", "k"], ["SETNX", "k", "v"],
    ];

    private static readonly string[] NumberLikes = ["0", "-1", "1", "-9223372036854775808", "9223372036854775807", "99999999999999999999",
        "1e400", "nan", "inf", "-inf", "0x10", "+5", " 1", "", "1.5", "-0"];

    /// <summary>A frame after which the server answers (maybe with an error) and keeps the connection.</summary>
    private static void WriteSurvivableFrame(Stream s, Random r)
    {
        switch (r.Next(100))
        {
            case < 70: WriteArray(s, MutatedCommand(r)); break;
            case < 82: WriteInline(s, r); break;
            case < 90: WriteResp3Aggregate(s, r); break;
            case < 95: Write(s, "*0\r\n*-1\r\n"); break;                       // empty and null multibulks: ignored
            default: WriteArray(s, [.. MutatedCommand(r), .. Enumerable.Range(0, r.Next(50, 300)).Select(_ => RandomBytes(r, 4))]); break;
        }
    }

    /// <summary>A mutated valid command on a fuzz key (never one of the kept keys).</summary>
    private static byte[][] MutatedCommand(Random r)
    {
        var parts = Valid[r.Next(Valid.Length)].Select(Encoding.ASCII.GetBytes).ToList();
        for (int i = 1; i < parts.Count; i++)
            if (parts[i] is [(byte)'k']) parts[i] = Encoding.ASCII.GetBytes($"fuzz:{r.Next(200)}");
        int mutations = r.Next(4);
        for (int m = 0; m < mutations; m++)
        {
            switch (r.Next(7))
            {
                case 0: if (parts.Count > 1) parts.RemoveAt(r.Next(1, parts.Count)); break;                       // too few
                case 1: parts.Add(RandomBytes(r, r.Next(0, 20))); break;                                         // too many
                case 2: if (parts.Count > 2) parts[r.Next(2, parts.Count)] = RandomBytes(r, r.Next(0, 64)); break; // junk value
                case 3: if (parts.Count > 2) parts[r.Next(2, parts.Count)] = Encoding.ASCII.GetBytes(NumberLikes[r.Next(NumberLikes.Length)]); break;
                case 4: parts[0] = Encoding.ASCII.GetBytes(RandomCase(Encoding.ASCII.GetString(parts[0]), r)); break;
                case 5: parts[0] = [.. parts[0], (byte)'X']; break;                                              // unknown command
                default: if (parts.Count > 1) parts[1] = Encoding.ASCII.GetBytes($"fuzz:{{{r.Next(10)}}}:{r.Next(50)}"); break;
            }
        }
        return [.. parts];
    }

    private static void WriteInline(Stream s, Random r)
    {
        // Printable junk and words: an unknown command (a lone quote, a protocol error, is among the ending frames).
        var line = new StringBuilder("fz");
        int n = r.Next(0, 60);
        const string chars = " abcXYZ019\\{}$*:";
        for (int i = 0; i < n; i++) line.Append(chars[r.Next(chars.Length)]);
        Write(s, line.Append("\r\n").ToString());
    }

    private static void WriteResp3Aggregate(Stream s, Random r)
    {
        string[] shapes = ["%1\r\n$1\r\na\r\n$1\r\nb\r\n", "~2\r\n$1\r\na\r\n:1\r\n", ">2\r\n$7\r\nmessage\r\n$1\r\nx\r\n", "|1\r\n+a\r\n+b\r\n",
                           "_\r\n", "#t\r\n", ",1.5\r\n", "(12345678901234567890\r\n", "=7\r\ntxt:abc\r\n", "!3\r\nERR\r\n"];
        Write(s, shapes[r.Next(shapes.Length)]);
    }

    /// <summary>A frame that ends the connection: the server's protocol error, or our close in the middle of it.</summary>
    private static void WriteEndingFrame(Stream s, Random r)
    {
        switch (r.Next(12))
        {
            case 0: Write(s, $"*{NumberLikes[r.Next(NumberLikes.Length)]}x\r\n"); break; // non-numeric multibulk length
            case 1: Write(s, "*99999999999\r\n"); break; // huge multibulk length
            case 2: Write(s, $"*1\r\n${(r.Next(2) == 0 ? "-5" : "abc")}\r\nGET\r\n"); break; // bad bulk length
            case 3: Write(s, "*1\r\n$99999999999\r\n"); break; // huge bulk length
            case 4: Write(s, "*2\r\n+GET\r\n$1\r\nk\r\n"); break; // wrong type byte in a request
            case 5: Write(s, "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"); break; // missing CRLF after a bulk
            case 6: Write(s, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc"); break; // truncated, then closed
            case 7: Write(s, "*1000000\r\n"); break; // a huge header, then closed
            case 8: Write(s, new string('a', 1024 * 1024)); Write(s, "\r\n"); break; // a 1 MB inline line
            case 9: s.Write(RandomBytes(r, r.Next(1, 4096))); break; // random bytes
            case 10: Write(s, "*2\r\n$3\r\nGET\r\n:1\r\n"); break; // an integer as an argument
            default: Write(s, "\"unbalanced quote\r\n"); break; // inline with a lone quote
        }
    }

    private static void WriteArray(Stream s, byte[][] parts)
    {
        Write(s, $"*{parts.Length}\r\n");
        foreach (var p in parts)
        {
            Write(s, $"${p.Length}\r\n");
            s.Write(p);
            Write(s, "\r\n");
        }
    }

    private static void Write(Stream s, string text) => s.Write(Encoding.ASCII.GetBytes(text));

    private static byte[] RandomBytes(Random r, int n)
    {
        var bytes = new byte[n];
        r.NextBytes(bytes);
        return bytes;
    }

    private static string RandomCase(string text, Random r) =>
        string.Concat(text.Select(c => r.Next(2) == 0 ? char.ToLowerInvariant(c) : c));
}
