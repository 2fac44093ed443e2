using System.Diagnostics;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>
/// MEMORY, DEBUG, LOLWUT and ROLE through real clients (StackExchange.Redis and raw sockets, RESP2 and RESP3); the
/// argument errors are compared with redis-server byte for byte in Differential/AdminScenarios.cs, and SHUTDOWN is tested
/// on a silo process in ShutdownTests.
/// </summary>
public sealed class AdminCommandTests(RespServerFixture fixture) : IClassFixture<RespServerFixture>
{
    private RespTestServer Server => fixture.Server;

    public static TheoryData<RedisProtocol> Protocols => RedisClients.Protocols;

    [Theory, MemberData(nameof(Protocols))]
    public async Task Memory_usage_estimates_a_key_grows_with_its_value_and_is_nil_for_a_missing_key(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var db = redis.GetDatabase();
        string key = RedisClients.Me(protocol)!;
        await db.StringSetAsync(key, "v");
        long small = (long)await db.ExecuteAsync("MEMORY", "USAGE", key);
        await db.StringSetAsync(key, new string('x', 10_000));
        long big = (long)await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
        Assert.InRange(small, 64, 1024);
        Assert.Equal(10_000 - 8, big - small); // the value arrays: 24 + 10,000 bytes against 24 + 8 (padding)
        Assert.True((await db.ExecuteAsync("MEMORY", "USAGE", key + ":missing")).IsNull);
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("MEMORY", "USAGE"));
        Assert.Equal("ERR wrong number of arguments for 'memory|usage' command", error.Message);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Memory_stats_uses_Redis_field_names_and_counts_the_keys(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var db = redis.GetDatabase();
        await db.StringSetAsync(RedisClients.Me(protocol), "v");
        var stats = (await db.ExecuteAsync("MEMORY", "STATS")).ToDictionary();
        string[] names = ["peak.allocated", "total.allocated", "startup.allocated", "replication.backlog", "clients.slaves", "clients.normal",
            "cluster.links", "aof.buffer", "lua.caches", "functions.caches", "db.0", "overhead.total", "keys.count", "keys.bytes-per-key",
            "dataset.bytes", "dataset.percentage", "peak.percentage", "allocator.allocated", "allocator.active", "allocator.resident",
            "allocator-fragmentation.ratio", "allocator-fragmentation.bytes", "allocator-rss.ratio", "allocator-rss.bytes",
            "rss-overhead.ratio", "rss-overhead.bytes", "fragmentation", "fragmentation.bytes"];
        Assert.Equal(names, stats.Keys);
        Assert.Equal((long)await db.ExecuteAsync("DBSIZE"), (long)stats["keys.count"]);
        Assert.True((long)stats["total.allocated"] > 0 && (long)stats["peak.allocated"] >= (long)stats["total.allocated"]);
        Assert.True((long)stats["allocator.resident"] > 0);
        Assert.Equal("OK", (string?)await db.ExecuteAsync("MEMORY", "PURGE"));
    }

    [Fact]
    public async Task Text_replies_are_verbatim_strings_in_RESP3_and_bulk_strings_in_RESP2()
    {
        using var resp2 = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal("$17\r\nRedis ver. 7.2.0\n\r\n", await resp2.CommandAsync("LOLWUT"));
        Assert.StartsWith("$", await resp2.CommandAsync("MEMORY", "MALLOC-STATS"));
        using var resp3 = await RawClient.ConnectAsync(Server.EndPoint);
        await resp3.CommandAsync("HELLO", "3");
        Assert.Equal("=21\r\ntxt:Redis ver. 7.2.0\n\r\n", await resp3.CommandAsync("LOLWUT", "VERSION", "1"));
        var stats = await resp3.CommandAsync("MEMORY", "MALLOC-STATS");
        Assert.StartsWith("=", stats);
        Assert.Contains("txt:___ Begin .NET GC statistics ___\n", stats);
        Assert.Contains("txt:Hi Sam", await resp3.CommandAsync("MEMORY", "DOCTOR"));
        Assert.Equal("*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n", await resp3.CommandAsync("ROLE"));
    }

    [Fact]
    public async Task Debug_is_refused_unless_enable_debug_command_allows_it()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.StartsWith("-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\"",
            await client.CommandAsync("DEBUG", "HELP"));

        await using var local = await RespTestServer.StartAsync(o => o.EnableDebugCommand = "local");
        using var loopback = await RawClient.ConnectAsync(local.EndPoint);
        Assert.StartsWith("*13\r\n+DEBUG <subcommand>", await loopback.CommandAsync("DEBUG", "HELP"));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Debug_object_and_set_active_expire_run_in_the_partitions_when_enabled(RedisProtocol protocol)
    {
        await using var server = await RespTestServer.StartAsync(o => o.EnableDebugCommand = "yes");
        await using var redis = await RedisClients.ConnectAsync(server, protocol);
        var db = redis.GetDatabase();
        string key = RedisClients.Me(protocol)!;
        await db.StringSetAsync(key, "hello");
        Assert.Matches(@"^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:6 lru:\d+ lru_seconds_idle:\d+$",
            (string?)await db.ExecuteAsync("DEBUG", "OBJECT", key));
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("DEBUG", "OBJECT", key + ":missing"));
        Assert.Equal("ERR no such key", error.Message);
        error = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("DEBUG", "JMAP"));
        Assert.Equal("ERR unknown subcommand or wrong number of arguments for 'JMAP'. Try DEBUG HELP.", error.Message);

        // What turning the active expire cycle off does to a partition is in Core's ServerAdminTests.
        Assert.Equal("OK", (string?)await db.ExecuteAsync("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        Assert.Equal("OK", (string?)await db.ExecuteAsync("DEBUG", "SET-ACTIVE-EXPIRE", "1"));
        Assert.Equal("OK", (string?)await db.ExecuteAsync("DEBUG", "SLEEP", "0"));
    }

    [Fact]
    public async Task Debug_sleep_holds_only_its_own_connection()
    {
        await using var server = await RespTestServer.StartAsync(o => o.EnableDebugCommand = "yes");
        using var sleeper = await RawClient.ConnectAsync(server.EndPoint);
        using var other = await RawClient.ConnectAsync(server.EndPoint);
        var clock = Stopwatch.StartNew();
        var sleep = sleeper.CommandAsync("DEBUG", "SLEEP", "1.5");
        Assert.Equal("+PONG", await other.CommandAsync("PING"));
        Assert.False(sleep.IsCompleted, "DEBUG SLEEP answered before the other client's PING");
        Assert.Equal("+OK", await sleep);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.4), $"slept {clock.Elapsed}");
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Command_docs_has_Redis_documentation_for_every_command_of_the_table(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var docs = (await redis.GetDatabase().ExecuteAsync("COMMAND", "DOCS")).ToDictionary();
        Assert.Equal(Orleans.Cache.Core.CommandTable.All.Select(c => c.Name.ToLowerInvariant()), docs.Keys);
        foreach (var (name, doc) in docs)
        {
            var fields = doc.ToDictionary();
            Assert.False(string.IsNullOrEmpty((string?)fields["summary"]), $"{name} has no summary");
            Assert.Matches(@"^\d+\.\d+\.\d+$", (string?)fields["since"]);
            Assert.False(string.IsNullOrEmpty((string?)fields["group"]), $"{name} has no group");
        }
        var hexpire = docs["hexpire"].ToDictionary();
        Assert.Equal("7.4.0", (string?)hexpire["since"]);
        Assert.Equal(4, ((RedisResult[])hexpire["arguments"]!).Length);
    }

    [Fact]
    public async Task Shutdown_is_refused_inside_MULTI_and_ABORT_finds_no_shutdown()
    {
        using var client = await RawClient.ConnectAsync(Server.EndPoint);
        Assert.Equal("-ERR No shutdown in progress.", await client.CommandAsync("SHUTDOWN", "ABORT"));
        Assert.Equal("+OK", await client.CommandAsync("MULTI"));
        Assert.Equal("-ERR Command not allowed inside a transaction", await client.CommandAsync("SHUTDOWN", "NOSAVE"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.", await client.CommandAsync("EXEC"));
        Assert.Equal("+PONG", await client.CommandAsync("PING"));
    }
}

/// <summary>MEMORY and the key's partition on a 2-silo cluster: USAGE measures a key wherever it lives; STATS counts every partition's keys.</summary>
public sealed class AdminClusterTests(RespClusterFixture fixture) : IClassFixture<RespClusterFixture>
{
    [Theory, MemberData(nameof(RedisClients.Protocols), MemberType = typeof(RedisClients))]
    public async Task Memory_usage_reaches_every_partition_and_stats_count_the_cluster_keys(RedisProtocol protocol)
    {
        await using var writer = await fixture.ConnectAsync(0, protocol);
        await using var reader = await fixture.ConnectAsync(1, protocol);
        var keys = Enumerable.Range(0, 64).Select(i => (RedisKey)$"admin:{protocol}:{i}").ToArray();
        await Task.WhenAll(keys.Select(k => writer.GetDatabase().StringSetAsync(k, "value")));
        var db = reader.GetDatabase();
        foreach (var key in keys) Assert.InRange((long)await db.ExecuteAsync("MEMORY", "USAGE", key), 64, 1024);
        var stats = (await db.ExecuteAsync("MEMORY", "STATS")).ToDictionary();
        Assert.Equal((long)await db.ExecuteAsync("DBSIZE"), (long)stats["keys.count"]);
        Assert.True((long)stats["keys.count"] >= keys.Length);
    }
}
