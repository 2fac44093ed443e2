using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>Two silos with RESP endpoints, used only by <see cref="ObservabilityTests"/> (its counters are cluster-wide).</summary>
public sealed class ObservabilityFixture() : RespClusterFixtureBase(2);

/// <summary>
/// INFO's counters summed over the silos, commandstats / errorstats / latencystats, keyspace, CONFIG RESETSTAT, SLOWLOG,
/// LATENCY and MONITOR across silos. The tests of this class run one after another on their own cluster, and each starts
/// with CONFIG RESETSTAT (or FLUSHALL) so that its counts are exact.
/// </summary>
public sealed class ObservabilityTests(ObservabilityFixture fixture) : IClassFixture<ObservabilityFixture>
{
    private static string Me([System.Runtime.CompilerServices.CallerMemberName] string name = "") => $"{name}:{Guid.NewGuid():N}";

    private async Task<RawClient> ConnectAsync(int silo, int protocol = 2)
    {
        var raw = await RawClient.ConnectAsync(fixture.EndPointOf(silo));
        if (protocol == 3) Assert.StartsWith("%", await raw.CallAsync("HELLO", "3"));
        return raw;
    }

    /// <summary>One command's reply: a one-line reply without its CRLF (+OK, :3, $-1), a longer one as its raw text.</summary>
    private static async Task<string> Call(RawClient client, params string[] args)
    {
        var reply = await client.CallAsync(args);
        return reply.IndexOf("\r\n", StringComparison.Ordinal) == reply.Length - 2 ? reply[..^2] : reply;
    }

    private static string? Field(string info, string name) =>
        Regex.Match(info, "^" + Regex.Escape(name) + ":(.*?)\r$", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;

    private static long Number(string info, string name) => long.Parse(Field(info, name) ?? throw new Xunit.Sdk.XunitException($"no {name} in {info}"));

    [Theory, InlineData(2), InlineData(3)]
    public async Task Commandstats_and_errorstats_count_exact_calls_from_every_silo(int protocol)
    {
        using var a = await ConnectAsync(0, protocol);
        using var b = await ConnectAsync(1, protocol);
        string key = Me();
        Assert.Equal("+OK", await Call(a, "CONFIG", "RESETSTAT"));
        for (int i = 0; i < 3; i++) Assert.Equal("+OK", await Call(a, "SET", key, "v"));
        for (int i = 0; i < 2; i++) await Call(a, "GET", key);
        for (int i = 0; i < 4; i++) await Call(b, "GET", key);
        Assert.StartsWith("-WRONGTYPE", await Call(b, "LPUSH", key, "x"));
        Assert.StartsWith("-ERR wrong number of arguments for 'get'", await Call(b, "GET", key, "extra"));
        Assert.StartsWith("-ERR unknown command", await Call(a, "NOSUCHCOMMAND"));

        string info = await Call(b, "INFO", "commandstats", "errorstats");
        Assert.Matches(@"cmdstat_set:calls=3,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0", info);
        Assert.Matches(@"cmdstat_get:calls=6,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0", info);
        Assert.Matches(@"cmdstat_lpush:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1", info);
        Assert.Matches(@"cmdstat_config\|resetstat:calls=1,", info);
        Assert.Equal("count=1", Field(info, "errorstat_WRONGTYPE"));
        Assert.Equal("count=2", Field(info, "errorstat_ERR"));
        Assert.Contains("# Commandstats\r\n", info);
        Assert.Contains("\r\n\r\n# Errorstats\r\n", info);
        Assert.DoesNotContain("# Server", info);

        string latency = await Call(a, "INFO", "latencystats");
        Assert.Matches(@"latency_percentiles_usec_get:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}", latency);
        Assert.Equal(3, Number(await Call(a, "INFO", "stats"), "total_error_replies"));
    }

    [Fact]
    public async Task Connection_and_command_counters_are_sums_over_the_silos()
    {
        using var admin = await ConnectAsync(0);
        Assert.Equal("+OK", await Call(admin, "CONFIG", "RESETSTAT"));
        var clients = new List<RawClient>();
        for (int i = 0; i < 4; i++) clients.Add(await ConnectAsync(i % 2));
        foreach (var c in clients) Assert.Equal("+PONG", await Call(c, "PING"));

        string info = await WaitForAsync(admin, "connected_clients", 5);
        Assert.Equal(4, Number(info, "total_connections_received"));
        // RESETSTAT's reply was counted before the reset; after it: 4 PINGs and the INFO calls of WaitForAsync.
        Assert.True(Number(info, "total_commands_processed") >= 5);
        Assert.Equal(0, Number(info, "rejected_connections"));
        Assert.Equal("0", Field(info, "blocked_clients"));
        Assert.NotNull(Field(info, "instantaneous_ops_per_sec"));
        Assert.Matches(@"^\d+\.\d\d$", Field(info, "instantaneous_input_kbps"));
        foreach (var c in clients) c.Dispose();
        await WaitForAsync(admin, "connected_clients", 1);
    }

    /// <summary>Asks INFO until <paramref name="field"/> has <paramref name="value"/> (a closed socket takes a moment to be noticed).</summary>
    private static async Task<string> WaitForAsync(RawClient client, string field, long value)
    {
        string info = "";
        for (int attempt = 0; attempt < 200; attempt++)
        {
            info = await Call(client, "INFO");
            if (Number(info, field) == value) return info;
            await Task.Delay(20);
        }
        Assert.Fail($"{field} never reached {value}: {info}");
        return info;
    }

    [Fact]
    public async Task Keyspace_hits_misses_expires_and_expired_keys_are_cluster_wide()
    {
        using var a = await ConnectAsync(0);
        using var b = await ConnectAsync(1);
        Assert.Equal("+OK", await Call(a, "FLUSHALL"));
        Assert.Equal("+OK", await Call(a, "CONFIG", "RESETSTAT"));
        Assert.Equal("+OK", await Call(a, "SAVE"));
        for (int i = 0; i < 10; i++) await (i % 2 == 0 ? a : b).CallAsync("SET", $"k{i}", "v");
        for (int i = 0; i < 4; i++) await Call(b, "SET", $"t{i}", "v", "EX", "100");
        await Call(a, "GET", "k1");
        await Call(b, "GET", "k2");
        await Call(b, "EXISTS", "k3");
        await Call(a, "GET", "nope");

        string info = await Call(b, "INFO");
        Assert.Equal("keys=14,expires=4,avg_ttl=100000", Field(info, "db0"));
        Assert.Equal(3, Number(info, "keyspace_hits"));
        Assert.Equal(1, Number(info, "keyspace_misses"));
        Assert.Equal(14, Number(info, "rdb_changes_since_last_save"));
        Assert.Equal(0, Number(info, "loading"));
        Assert.InRange(Number(info, "rdb_last_save_time"), fixture.Cache.Time.GetUtcNow().ToUnixTimeSeconds() - 5,
            fixture.Cache.Time.GetUtcNow().ToUnixTimeSeconds());

        fixture.Cache.Time.Advance(TimeSpan.FromSeconds(101));
        Assert.Equal("$-1", await Call(a, "GET", "t0"));
        info = await Call(a, "INFO", "stats", "keyspace");
        Assert.True(Number(info, "expired_keys") >= 1);
        Assert.Equal(2, Number(info, "keyspace_misses"));
        Assert.Equal(0, Number(info, "evicted_keys"));
        Assert.DoesNotContain("# Server", info);

        // Every expired key reclaimed (the active sweep runs on its own timer) before the counters are reset, so that
        // none expires after it.
        await Poll.Until(async () => Field(await Call(a, "INFO", "keyspace"), "db0") == "keys=10,expires=0,avg_ttl=0",
            "the sweep to reclaim the expired keys", TimeSpan.FromSeconds(30));
        Assert.Equal("+OK", await Call(b, "CONFIG", "RESETSTAT"));
        info = await Call(a, "INFO", "stats");
        Assert.Equal(0, Number(info, "keyspace_hits"));
        Assert.Equal(0, Number(info, "keyspace_misses"));
        Assert.Equal(0, Number(info, "expired_keys"));
    }

    [Fact]
    public async Task Info_sections_follow_Redis_default_all_and_unknown()
    {
        using var a = await ConnectAsync(0);
        await Call(a, "GET", Me());
        string plain = await Call(a, "INFO");
        string @default = await Call(a, "INFO", "default");
        string all = await Call(a, "INFO", "all");
        string everything = await Call(a, "INFO", "everything");
        foreach (var text in new[] { plain, @default, all, everything })
            foreach (var section in new[] { "# Server", "# Clients", "# Persistence", "# Stats", "# Errorstats", "# Keyspace" })
                Assert.Contains(section + "\r\n", text);
        Assert.DoesNotContain("# Commandstats", plain);
        Assert.DoesNotContain("# Latencystats", @default);
        Assert.Contains("# Commandstats\r\ncmdstat_", all);
        Assert.Contains("# Latencystats\r\nlatency_percentiles_usec_", everything);
        Assert.Equal("$0\r\n\r\n", await Call(a, "INFO", "nosuchsection"));
        string two = await Call(a, "INFO", "CLIENTS", "nosuch", "Persistence");
        Assert.Contains("# Clients\r\n", two);
        Assert.Contains("# Persistence\r\n", two);
        Assert.DoesNotContain("# Stats", two);
    }

    [Theory, InlineData(RedisProtocol.Resp2), InlineData(RedisProtocol.Resp3)]
    public async Task StackExchange_Redis_reads_the_cluster_wide_counters(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(1, protocol);
        var server = redis.GetServer(fixture.EndPointOf(1));
        var db = redis.GetDatabase();
        string key = Me();
        await db.StringSetAsync(key, "v");
        await server.ExecuteAsync("CONFIG", "RESETSTAT");
        for (int i = 0; i < 5; i++) await db.StringGetAsync(key);
        var info = (await server.InfoAsync("all")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        Assert.StartsWith("calls=5,", info["cmdstat_get"]);
        Assert.Equal("5", info["keyspace_hits"]);
        Assert.True(long.Parse(info["connected_clients"]) >= 1);
    }

    [Fact]
    public async Task Slowlog_with_threshold_0_logs_commands_of_every_silo_as_Redis_prints_them()
    {
        using var a = await ConnectAsync(0);
        using var b = await ConnectAsync(1);
        string key = Me();
        try
        {
            Assert.Equal("+OK", await Call(a, "CONFIG", "SET", "slowlog-log-slower-than", "0"));
            Assert.Equal("+OK", await Call(b, "CONFIG", "SET", "slowlog-log-slower-than", "0"));
            Assert.Equal("+OK", await Call(a, "SLOWLOG", "RESET"));
            Assert.Equal("+OK", await Call(b, "CLIENT", "SETNAME", "slowpoke"));
            Assert.Equal("+OK", await Call(b, "SET", key, new string('x', 200)));
            var many = new[] { "RPUSH", key + ":list" }.Concat(Enumerable.Range(0, 40).Select(i => $"e{i}")).ToArray();
            Assert.Equal(":40", await Call(a, many));

            string log = await Call(a, "SLOWLOG", "GET", "-1");
            // Newest first: the RPUSH on silo 0, then the SET on silo 1 with its client's address and name.
            int rpush = log.IndexOf("$5\r\nRPUSH\r\n", StringComparison.Ordinal), set = log.IndexOf("$3\r\nSET\r\n", StringComparison.Ordinal);
            Assert.True(rpush >= 0 && set > rpush, log);
            Assert.Contains("... (11 more arguments)", log); // 42 arguments: 31 kept and a 32nd saying how many more
            Assert.Contains(new string('x', 128) + "... (72 more bytes)", log);
            Assert.Matches(@"\$3\r\nSET\r\n\$\d+\r\n[^\r]+\r\n\$\d+\r\nx+\.\.\. \(72 more bytes\)\r\n\$\d+\r\n127\.0\.0\.1:\d+\r\n\$8\r\nslowpoke\r\n", log);
            Assert.Matches(@"^\*\d+\r\n\*6\r\n:\d+\r\n:\d+\r\n:\d+\r\n\*", log);
            Assert.True(long.Parse((await Call(b, "SLOWLOG", "LEN"))[1..]) >= 4);
            Assert.Equal("*1", (await Call(a, "SLOWLOG", "GET", "1")).Split("\r\n")[0]);
            Assert.Equal("+OK", await Call(a, "CONFIG", "SET", "slowlog-log-slower-than", "-1"));
            Assert.Equal("+OK", await Call(b, "CONFIG", "SET", "slowlog-log-slower-than", "-1"));
            Assert.Equal("+OK", await Call(b, "SLOWLOG", "RESET"));
            await Call(a, "GET", key);
            Assert.Equal(":0", await Call(a, "SLOWLOG", "LEN"));
        }
        finally
        {
            await Call(a, "CONFIG", "SET", "slowlog-log-slower-than", "10000");
            await Call(b, "CONFIG", "SET", "slowlog-log-slower-than", "10000");
        }
    }

    [Fact]
    public async Task Slowlog_max_len_keeps_the_newest_entries()
    {
        using var a = await ConnectAsync(0);
        try
        {
            Assert.Equal("+OK", await Call(a, "CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3"));
            Assert.Equal("+OK", await Call(a, "SLOWLOG", "RESET"));
            for (int i = 0; i < 6; i++) await Call(a, "ECHO", $"m{i}");
            Assert.Equal(":3", await Call(a, "SLOWLOG", "LEN"));
            string log = await Call(a, "SLOWLOG", "GET");
            Assert.Contains("m5", log);
            Assert.DoesNotContain("m2", log);
        }
        finally
        {
            await Call(a, "CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128");
            await Call(a, "SLOWLOG", "RESET");
        }
    }

    [Fact]
    public async Task Latency_monitor_records_slow_commands_and_resets()
    {
        using var a = await ConnectAsync(0);
        using var b = await ConnectAsync(1);
        try
        {
            Assert.Equal("+OK", await Call(b, "CONFIG", "SET", "latency-monitor-threshold", "1"));
            Assert.StartsWith(":", await Call(b, "LATENCY", "RESET"));
            // A Lua loop that keeps silo 1's partition busy for tens of milliseconds.
            Assert.Equal(":1", await Call(b, "EVAL", "local x = 0 for i = 1, 5000000 do x = x + i end return 1", "0"));

            string latest = await Call(a, "LATENCY", "LATEST");
            var match = Regex.Match(latest, @"\*4\r\n\$7\r\ncommand\r\n:(\d+)\r\n:(\d+)\r\n:(\d+)\r\n");
            Assert.True(match.Success, latest);
            Assert.True(long.Parse(match.Groups[3].Value) >= 5, latest);
            Assert.Matches(@"^\*\d+\r\n\*2\r\n:\d+\r\n:\d+\r\n", await Call(a, "LATENCY", "HISTORY", "command"));
            Assert.Contains(". command: ", await Call(a, "LATENCY", "DOCTOR"));
            Assert.Equal("+OK", await Call(b, "CONFIG", "SET", "latency-monitor-threshold", "0"));
            Assert.Matches(@"^:[1-9]$", await Call(a, "LATENCY", "RESET"));
            Assert.Equal("*0", await Call(a, "LATENCY", "LATEST"));
        }
        finally
        {
            await Call(b, "CONFIG", "SET", "latency-monitor-threshold", "0");
        }
    }

    [Theory, InlineData(2), InlineData(3)]
    public async Task Monitor_on_one_silo_sees_commands_sent_to_the_other(int protocol)
    {
        using var monitor = await ConnectAsync(0, protocol);
        using var writer = await ConnectAsync(1);
        using var local = await ConnectAsync(0);
        string key = Me();
        Assert.Equal("+OK", await Call(monitor, "MONITOR"));
        Assert.Equal("+OK", await Call(writer, "SET", key, "a \"b\"\n"));
        Assert.Equal("$5\r\nhello\r\n", await Call(local, "ECHO", "hello"));

        Assert.StartsWith("-ERR AUTH", await Call(local, "AUTH", "secret"));
        var seen = new List<string>();
        while (seen.Count < 10 && !(seen.Any(l => l.Contains("\"SET\"")) && seen.Any(l => l.Contains("\"ECHO\"")) && seen.Any(l => l.Contains("\"AUTH\""))))
            seen.Add(await monitor.ReadValueAsync());
        Assert.EndsWith(@"] ""AUTH"" ""(redacted)""" + "\r\n", seen.Single(l => l.Contains("\"AUTH\"")));
        Assert.Matches(@"^\+\d{10}\.\d{6} \[0 127\.0\.0\.1:\d+\] ""SET"" """ + Regex.Escape(key) + @""" ""a \\""b\\""\\n""\r\n$", seen.Single(l => l.Contains("\"SET\"")));
        Assert.Matches(@"^\+\d{10}\.\d{6} \[0 127\.0\.0\.1:\d+\] ""ECHO"" ""hello""\r\n$", seen.Single(l => l.Contains("\"ECHO\"")));
        Assert.Contains(" flags=O ", await Call(local, "CLIENT", "LIST"));

        // RESET leaves MONITOR mode: later commands are not shown.
        await monitor.SendCommandAsync("RESET");
        while (!(await monitor.ReadValueAsync()).StartsWith("+RESET")) { }
        Assert.Equal("+OK", await Call(writer, "SET", key, "after"));
        Assert.Equal("+PONG", await Call(monitor, "PING"));
    }

    [Fact]
    public async Task Config_resetstat_resets_every_silo()
    {
        using var a = await ConnectAsync(0);
        using var b = await ConnectAsync(1);
        for (int i = 0; i < 3; i++) await Call(b, "INCR", Me());
        Assert.Contains("cmdstat_incr:calls=", await Call(a, "INFO", "commandstats"));
        Assert.Equal("+OK", await Call(a, "CONFIG", "RESETSTAT"));
        string after = await Call(b, "INFO", "commandstats", "stats");
        Assert.DoesNotContain("cmdstat_incr", after);
        Assert.Matches(@"cmdstat_config\|resetstat:calls=1,", after);
        Assert.Equal(0, Number(after, "total_connections_received"));
        Assert.Equal(0, Number(after, "total_error_replies"));
    }
}
