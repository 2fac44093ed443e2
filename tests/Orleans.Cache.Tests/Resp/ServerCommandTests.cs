using Orleans.Cache.Core;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>COMMAND (from the one command table), CONFIG, INFO, TIME and CLUSTER over RESP2 and RESP3.</summary>
public sealed class ServerCommandTests(RespServerFixture fixture) : IClassFixture<RespServerFixture>
{
    private RespTestServer Server => fixture.Server;

    public static TheoryData<RedisProtocol> Protocols => new() { RedisProtocol.Resp2, RedisProtocol.Resp3 };

    private static async Task<string> ErrorOf(Task<RedisResult> call) => (await Assert.ThrowsAsync<RedisServerException>(() => call)).Message;

    [Theory, MemberData(nameof(Protocols))]
    public async Task Command_count_info_list_and_getkeys_come_from_the_command_table(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var db = redis.GetDatabase();
        Assert.Equal(CommandTable.All.Count, (int)await db.ExecuteAsync("COMMAND", "COUNT"));

        var info = (RedisResult[])(await db.ExecuteAsync("COMMAND", "INFO", "get", "nosuch", "mset"))!;
        Assert.Equal(3, info.Length);
        var get = (RedisResult[])info[0]!;
        Assert.Equal("get", (string?)get[0]);
        Assert.Equal(2, (int)get[1]);
        Assert.Contains("readonly", ((RedisResult[])get[2]!).Select(r => (string?)r));
        Assert.Equal(1, (int)get[3]);
        Assert.True(info[1].IsNull);
        var mset = (RedisResult[])info[2]!;
        Assert.Equal(-3, (int)mset[1]);
        Assert.Equal(-1, (int)mset[4]);
        Assert.Equal(2, (int)mset[5]);

        var all = (RedisResult[])(await db.ExecuteAsync("COMMAND"))!;
        Assert.Equal(CommandTable.All.Count, all.Length);

        var names = ((RedisResult[])(await db.ExecuteAsync("COMMAND", "LIST"))!).Select(r => (string?)r).ToList();
        Assert.Contains("ping", names);
        Assert.Contains("incr", names);
        var filtered = ((RedisResult[])(await db.ExecuteAsync("COMMAND", "LIST", "FILTERBY", "PATTERN", "ge*"))!).Select(r => (string?)r).ToList();
        Assert.All(filtered, n => Assert.StartsWith("ge", n));
        Assert.Contains("get", filtered);

        var keys = ((RedisResult[])(await db.ExecuteAsync("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"))!).Select(r => (string?)r);
        Assert.Equal(["a", "b"], keys);
        Assert.Equal("ERR Invalid command specified", await ErrorOf(db.ExecuteAsync("COMMAND", "GETKEYS", "nosuch", "x")));
        Assert.Equal("ERR The command has no key arguments", await ErrorOf(db.ExecuteAsync("COMMAND", "GETKEYS", "PING", "x")));
        Assert.Equal("ERR unknown subcommand 'foo'. Try COMMAND HELP.", await ErrorOf(db.ExecuteAsync("COMMAND", "foo")));

        var docs = await db.ExecuteAsync("COMMAND", "DOCS", "get");
        Assert.Equal(ResultType.Array, docs.Resp2Type);
        Assert.Equal("get", (string?)docs[0]);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Config_get_and_set_honoured_and_stored_settings(RedisProtocol protocol)
    {
        await using var server = await RespTestServer.StartAsync(); // its own: CONFIG SET changes node state
        await using var redis = await RedisClients.ConnectAsync(server, protocol);
        var admin = redis.GetServer(server.EndPoint);
        var db = redis.GetDatabase();

        var maxclients = await admin.ConfigGetAsync("maxclients");
        Assert.Equal("10000", Assert.Single(maxclients).Value);
        await admin.ConfigSetAsync("maxclients", "50");
        Assert.Equal("50", (await admin.ConfigGetAsync("maxclients")).Single().Value);
        Assert.Equal(50, server.Server.Node.Config.MaxClients);

        await admin.ConfigSetAsync("maxmemory-policy", "allkeys-lru");
        Assert.Equal("allkeys-lru", (await admin.ConfigGetAsync("maxmemory-policy")).Single().Value);
        Assert.Equal(server.Port.ToString(), (await admin.ConfigGetAsync("port")).Single().Value);
        Assert.Contains(await admin.ConfigGetAsync("*max*"), p => p.Key == "proto-max-bulk-len");

        Assert.Empty(await admin.ConfigGetAsync("nosuch"));
        Assert.Equal("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
            await ErrorOf(db.ExecuteAsync("CONFIG", "SET", "nosuch", "1")));
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer",
            await ErrorOf(db.ExecuteAsync("CONFIG", "SET", "maxclients", "x")));
        Assert.Equal("ERR wrong number of arguments for 'config' command", await ErrorOf(db.ExecuteAsync("CONFIG")));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Info_has_the_sections_clients_read(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var db = redis.GetDatabase();
        await db.StringSetAsync(RedisClients.Me(protocol), "1");
        string info = (string)(await db.ExecuteAsync("INFO"))!;
        foreach (var section in new[] { "# Server", "# Clients", "# Memory", "# Stats", "# Replication", "# Cluster", "# Keyspace" })
            Assert.Contains(section + "\r\n", info);
        Assert.Contains("redis_version:", info);
        Assert.Contains("role:master", info);
        Assert.Matches(@"db0:keys=\d+", info);
        string clients = (string)(await db.ExecuteAsync("INFO", "clients"))!;
        Assert.StartsWith("# Clients\r\nconnected_clients:", clients);
        Assert.DoesNotContain("# Server", clients);
        var grouped = await redis.GetServer(Server.EndPoint).InfoAsync("server");
        Assert.Equal("Server", Assert.Single(grouped).Key);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Time_is_now(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var time = await redis.GetServer(Server.EndPoint).TimeAsync();
        Assert.InRange(time, DateTime.UtcNow.AddSeconds(-5), DateTime.UtcNow.AddSeconds(5));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Cluster_keyslot_myid_info_answer_and_topology_is_standalone_by_default(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        Assert.Equal(ServerType.Standalone, redis.GetServer(Server.EndPoint).ServerType);
        var db = redis.GetDatabase();
        Assert.Equal(12182, (int)await db.ExecuteAsync("CLUSTER", "KEYSLOT", "foo"));
        Assert.Equal(HashSlot.Of("{user1000}.following"u8), (int)await db.ExecuteAsync("CLUSTER", "KEYSLOT", "{user1000}.following"));
        Assert.Matches("^[0-9a-f]{40}$", (string?)await db.ExecuteAsync("CLUSTER", "MYID"));
        Assert.Contains("cluster_state:ok", (string)(await db.ExecuteAsync("CLUSTER", "INFO"))!);
        Assert.Equal("ERR This instance has cluster support disabled", await ErrorOf(db.ExecuteAsync("CLUSTER", "NODES")));
        Assert.Equal("ERR unknown subcommand 'foo'. Try CLUSTER HELP.", await ErrorOf(db.ExecuteAsync("CLUSTER", "foo")));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Cluster_mode_describes_one_node_serving_every_slot(RedisProtocol protocol)
    {
        await using var server = await RespTestServer.StartAsync(o => o.ClusterMode = true);
        await using var redis = await RedisClients.ConnectAsync(server, protocol);
        Assert.Equal(ServerType.Cluster, redis.GetServer(server.EndPoint).ServerType);
        var db = redis.GetDatabase();
        string id = (string)(await db.ExecuteAsync("CLUSTER", "MYID"))!;
        var slots = (RedisResult[])(await db.ExecuteAsync("CLUSTER", "SLOTS"))!;
        var range = (RedisResult[])Assert.Single(slots)!;
        Assert.Equal(0, (int)range[0]);
        Assert.Equal(16383, (int)range[1]);
        Assert.Equal(server.Port, (int)((RedisResult[])range[2]!)[1]);
        string nodes = (string)(await db.ExecuteAsync("CLUSTER", "NODES"))!;
        Assert.Equal($"{id} 127.0.0.1:{server.Port}@{server.Port + 10000} myself,master - 0 0 1 connected 0-16383\n", nodes);
        Assert.Single((RedisResult[])(await db.ExecuteAsync("CLUSTER", "SHARDS"))!);

        await db.StringSetAsync("{c}a", "1");
        Assert.Equal("1", (string?)await db.StringGetAsync("{c}a"));
    }

    [Fact]
    public async Task Unknown_command_gets_Redis_text()
    {
        await using var redis = await RedisClients.ConnectAsync(Server, RedisProtocol.Resp2);
        Assert.Equal("ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ",
            await ErrorOf(redis.GetDatabase().ExecuteAsync("NOSUCH", "a", "b")));
    }
}

/// <summary>Every command is one row in the one table, bound to one handler at start-up.</summary>
public sealed class CommandBindingTests
{
    [Fact]
    public void Every_front_door_row_has_a_handler_and_every_handler_a_row() =>
        Assert.Empty(Orleans.Cache.Resp.Commands.ServerCommands.Unbound);

    [Fact]
    public void Only_the_snapshot_commands_run_in_the_partition_grains_own_turn() =>
        Assert.Equal(["SAVE", "BGSAVE", "LASTSAVE"],
            Orleans.Cache.Core.CommandTable.All.Where(c => c.Kind == Orleans.Cache.Core.CommandKind.Partition).Select(c => c.Name));
}
