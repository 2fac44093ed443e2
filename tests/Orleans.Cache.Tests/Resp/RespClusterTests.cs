using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Resp;
using Orleans.Cache.Tests.Cluster;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>
/// A TestingHost cluster with the RESP endpoint in every silo, on the real executor and partition grains; the silos'
/// cache options changed by <paramref name="cache"/> when given.
/// </summary>
public abstract class RespClusterFixtureBase(short silos, Action<CacheOptions>? cache = null) : IAsyncLifetime
{
    public CacheCluster Cache { get; private set; } = null!;

    public async Task InitializeAsync() => Cache = await CacheCluster.StartAsync(silos, b => b.ConfigureSilo((_, silo) =>
    {
        silo.Services.AddRespEndpoint(o => o.Port = 0);
        if (cache is not null) silo.Services.Configure(cache);
    }));

    public async Task DisposeAsync() => await Cache.DisposeAsync();

    public IPEndPoint EndPointOf(int silo) =>
        Cache.Cluster.Silos[silo].ServiceProvider.GetRequiredService<RespServer>().EndPoints[0];

    public Task<ConnectionMultiplexer> ConnectAsync(int silo, RedisProtocol protocol) =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { EndPointOf(silo) },
            Protocol = protocol,
            AllowAdmin = true,
            ConnectTimeout = 10_000,
            SyncTimeout = 10_000,
            AsyncTimeout = 10_000,
        });
}

/// <summary>Two silos with RESP endpoints.</summary>
public sealed class RespClusterFixture() : RespClusterFixtureBase(2);

/// <summary>Redis clients against every silo of a real cluster: one keyspace, fan-out across partitions, order, errors.</summary>
public sealed class RespClusterTests(RespClusterFixture fixture) : IClassFixture<RespClusterFixture>
{
    public static TheoryData<RedisProtocol> Protocols => new() { RedisProtocol.Resp2, RedisProtocol.Resp3 };

    private static string Me(RedisProtocol protocol, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        $"{name}:{protocol}:{Guid.NewGuid():N}";

    [Theory, MemberData(nameof(Protocols))]
    public async Task Keys_written_through_one_silo_are_read_through_the_other(RedisProtocol protocol)
    {
        await using var a = await fixture.ConnectAsync(0, protocol);
        await using var b = await fixture.ConnectAsync(1, protocol);
        string me = Me(protocol);
        for (int i = 0; i < 50; i++) await a.GetDatabase().StringSetAsync($"{me}:{i}", $"v{i}");
        for (int i = 0; i < 50; i++) Assert.Equal($"v{i}", (string?)await b.GetDatabase().StringGetAsync($"{me}:{i}"));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Multi_key_commands_fan_out_across_partitions_and_merge_in_key_order(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(1, protocol);
        var db = redis.GetDatabase();
        string me = Me(protocol);
        var pairs = Enumerable.Range(0, 40).Select(i => new KeyValuePair<RedisKey, RedisValue>($"{me}:{i}", i)).ToArray();
        Assert.True(await db.StringSetAsync(pairs));
        var keys = pairs.Select(p => p.Key).Append($"{me}:missing").ToArray();
        var values = await db.StringGetAsync(keys);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (string?)i.ToString()).Append(null), values.Select(v => (string?)v));
        Assert.Equal(40, await db.KeyExistsAsync(keys));
        Assert.Equal(40, await db.KeyTouchAsync(keys));
        Assert.Equal(40, await db.KeyDeleteAsync(keys));
        Assert.Equal(0, await db.KeyExistsAsync(keys));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Pipeline_across_partitions_gets_replies_in_request_order(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(0, protocol);
        var db = redis.GetDatabase();
        string me = Me(protocol);
        var batch = db.CreateBatch();
        var incrs = new List<Task<long>>();
        var echoes = new List<Task<RedisResult>>();
        for (int round = 1; round <= 5; round++)
            for (int k = 0; k < 30; k++)
            {
                incrs.Add(batch.StringIncrementAsync($"{me}:{k}"));
                echoes.Add(batch.ExecuteAsync("ECHO", $"{round}:{k}"));
            }
        batch.Execute();
        var counts = await Task.WhenAll(incrs);
        var echoed = await Task.WhenAll(echoes);
        for (int round = 1, i = 0; round <= 5; round++)
            for (int k = 0; k < 30; k++, i++)
            {
                Assert.Equal(round, counts[i]);
                Assert.Equal($"{round}:{k}", (string?)echoed[i]);
            }
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Atomic_command_across_slots_gets_CROSSSLOT_and_in_one_slot_runs(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(0, protocol);
        var db = redis.GetDatabase();
        string me = Me(protocol);
        await db.StringSetAsync($"{{{me}}}a", "v");
        var e = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("RENAME", $"{{{me}}}a", $"{{other{me}}}b"));
        Assert.Equal("CROSSSLOT Keys in request don't hash to the same slot", e.Message);
        Assert.True(await db.KeyRenameAsync($"{{{me}}}a", $"{{{me}}}b"));
        Assert.Equal("v", (string?)await db.StringGetAsync($"{{{me}}}b"));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Data_command_errors_come_back_with_Redis_texts(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(1, protocol);
        var db = redis.GetDatabase();
        string me = Me(protocol);
        await db.StringSetAsync(me, "abc");
        Assert.Equal("ERR value is not an integer or out of range",
            (await Assert.ThrowsAsync<RedisServerException>(() => db.StringIncrementAsync(me))).Message);
        Assert.Equal("ERR wrong number of arguments for 'get' command",
            (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("GET", "a", "b"))).Message);
        Assert.Equal("ERR unknown command 'NOSUCH', with args beginning with: 'x' ",
            (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("NOSUCH", "x"))).Message);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Expiry_ttl_and_counters_work_through_the_endpoint(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(0, protocol);
        var db = redis.GetDatabase();
        string me = Me(protocol);
        Assert.True(await db.StringSetAsync(me, "v", TimeSpan.FromSeconds(100)));
        var ttl = await db.KeyTimeToLiveAsync(me);
        Assert.NotNull(ttl);
        Assert.InRange(ttl!.Value.TotalSeconds, 1, 100);
        Assert.True(await db.KeyPersistAsync(me));
        Assert.Null(await db.KeyTimeToLiveAsync(me));
        Assert.Equal(10, await db.StringIncrementAsync($"{me}:n", 10));
        Assert.Equal(7, await db.StringDecrementAsync($"{me}:n", 3));
        Assert.Equal(3, await db.StringAppendAsync($"{me}:s", "abc"));
        Assert.Equal("bc", (string?)await db.StringGetRangeAsync($"{me}:s", 1, -1));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Server_commands_answer_on_every_silo(RedisProtocol protocol)
    {
        for (int silo = 0; silo < 2; silo++)
        {
            await using var redis = await fixture.ConnectAsync(silo, protocol);
            var db = redis.GetDatabase();
            Assert.Equal("PONG", (string?)await db.ExecuteAsync("PING"));
            await db.StringSetAsync(Me(protocol), "1");
            Assert.True(await redis.GetServer(fixture.EndPointOf(silo)).DatabaseSizeAsync() >= 1);
            Assert.Matches(@"db0:keys=\d+", (string)(await db.ExecuteAsync("INFO", "keyspace"))!);
            Assert.Equal(12182, (int)await db.ExecuteAsync("CLUSTER", "KEYSLOT", "foo"));
        }
    }
}
