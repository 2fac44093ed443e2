using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Core;
using Orleans.Cache.Execution;
using Orleans.Cache.Grains;
using Orleans.Cache.Resp;
using Orleans.Runtime;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>
/// Replicas per partition (issue #13): placement on other silos, WAIT, and failover that promotes a replica's copy in
/// process. Snapshots are off in these clusters, so whatever survives a killed primary survived through its replica.
/// </summary>
public sealed class ReplicationTests
{
    private static byte[][] Cmd(params string[] args) => args.Select(Encoding.UTF8.GetBytes).ToArray();

    private static Task<CacheCluster> StartAsync(short silos = 3, int? replicas = null, int backlog = 65_536, Action<SnapshotOptions>? snapshots = null) =>
        CacheCluster.StartAsync(silos, b => b.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddRespEndpoint(o => o.Port = 0);
            silo.Services.Configure<CacheOptions>(o => { o.Replicas = replicas; o.ReplicationBacklog = backlog; });
        }), snapshots: snapshots ?? (o => o.Storage = "None"));

    private static Task Eventually(Func<Task<bool>> condition) => Poll.Until(condition, "the condition", TimeSpan.FromSeconds(30));

    /// <summary>The "Orleans.Cache" meter summed over the silos of <paramref name="c"/> alive now.</summary>
    private static Dictionary<string, double> Metrics(CacheCluster c) =>
        MeterReadings.Collect(c.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));

    private static ICommandExecutor On(CacheCluster c, int silo) => c.Cluster.Silos[silo].ServiceProvider.GetRequiredService<ICommandExecutor>();

    private static async Task<ConnectionMultiplexer> ConnectAsync(CacheCluster c, int silo) =>
        await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { c.Cluster.Silos[silo].ServiceProvider.GetRequiredService<RespServer>().EndPoints[0] },
            ConnectTimeout = 10_000, SyncTimeout = 30_000, AsyncTimeout = 30_000, AllowAdmin = true,
        });

    [Fact]
    public async Task Every_partition_has_one_replica_on_another_silo_by_default_and_replicas_spread_evenly()
    {
        await using var c = await StartAsync();
        for (int i = 0; i < 200; i++) await On(c, 0).ExecuteAsync(Cmd("SET", $"k{i}", "v"));
        var perSilo = new Dictionary<string, int>();
        for (int p = 0; p < CacheCluster.Partitions; p++)
        {
            ReplicationState state = null!;
            await Eventually(async () => (state = await c.Partition(p).ReplicationState()).ReplicaOffsets is [var acked] && acked == state.Offset);
            var replica = Assert.Single(state.ReplicaSilos);
            Assert.NotEqual(state.Silo, replica);
            perSilo[replica] = perSilo.GetValueOrDefault(replica) + 1;
        }
        Assert.Equal(3, perSilo.Count);
        Assert.All(perSilo.Values, n => Assert.Equal(CacheCluster.Partitions / 3, n));
    }

    [Fact]
    public async Task Two_replicas_go_to_the_two_other_silos()
    {
        await using var c = await StartAsync(replicas: 2);
        await On(c, 0).ExecuteAsync(Cmd("SET", "k", "v"));
        for (int p = 0; p < CacheCluster.Partitions; p++)
        {
            var state = await c.Partition(p).ReplicationState();
            Assert.Equal(2, state.ReplicaSilos.Length);
            Assert.DoesNotContain(state.Silo, state.ReplicaSilos);
            Assert.Equal(2, state.ReplicaSilos.Distinct().Count());
        }
    }

    [Fact]
    public async Task WAIT_counts_the_replicas_that_have_the_connections_writes_and_times_out_on_the_partition_clock()
    {
        await using var c = await StartAsync(replicas: 1);
        await using var redis = await ConnectAsync(c, 0);
        var db = redis.GetDatabase();
        for (int i = 0; i < 50; i++)
        {
            await db.StringIncrementAsync("counter");
            Assert.Equal(1, (long)await db.ExecuteAsync("WAIT", 1, 0));
        }
        // Two replicas asked, one exists: WAIT answers 1 once its timeout passes on the partition clock.
        var wait = db.ExecuteAsync("WAIT", 2, 500);
        c.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(wait.IsCompleted);
        await Poll.Until(() =>
        {
            c.Time.Advance(TimeSpan.FromMilliseconds(500));
            return wait.IsCompleted;
        }, "WAIT to time out on the partition clock", TimeSpan.FromSeconds(30));
        Assert.Equal(1, (long)await wait);
        Assert.Equal("ERR timeout is negative", (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("WAIT", 1, -1))).Message);
        Assert.Equal("ERR value is not an integer or out of range", (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("WAIT", "x", 0))).Message);
    }

    [Fact]
    public async Task Killing_a_primarys_silo_promotes_its_replica_with_every_acknowledged_write()
    {
        await using var c = await StartAsync(replicas: 1);
        await using var redis = await ConnectAsync(c, 0);
        var db = redis.GetDatabase();
        const int keys = 600;
        for (int i = 0; i < keys; i++)
        {
            await db.StringSetAsync($"s:{i}", $"v{i}");
            await db.StringIncrementAsync($"n:{i % 37}");
            await db.HashSetAsync($"h:{i % 11}", $"f{i}", i);
            await db.ListLeftPushAsync($"l:{i % 13}", i);
            await db.SortedSetAddAsync($"z:{i % 7}", $"m{i}", i);
            await db.StringSetAsync($"ttl:{i}", "x", TimeSpan.FromHours(1));
        }
        Assert.Equal(1, (long)await db.ExecuteAsync("WAIT", 1, 0));
        // The lag gauge: one series per partition, from its primary's silo; the replicas have every write.
        var lag = Metrics(c).Where(m => m.Key.StartsWith("orleans_cache.replication.lag|", StringComparison.Ordinal)).ToList();
        Assert.Equal(CacheCluster.Partitions, lag.Count);
        Assert.All(lag, l => Assert.Equal(0, l.Value));

        // The victim: a silo other than the client's that hosts primaries; remember where their replicas are.
        var victim = c.Cluster.Silos[1];
        var before = new Dictionary<int, ReplicationState>();
        for (int p = 0; p < CacheCluster.Partitions; p++) before[p] = await c.Partition(p).ReplicationState();
        var moved = before.Where(s => s.Value.Silo == victim.SiloAddress.ToParsableString()).Select(s => s.Key).ToList();
        Assert.NotEmpty(moved);

        await c.Cluster.KillSiloAsync(victim);
        await c.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        for (int i = 0; i < keys; i++)
        {
            Assert.Equal($"v{i}", (string?)await db.StringGetAsync($"s:{i}"));
            Assert.True(await db.KeyTimeToLiveAsync($"ttl:{i}") > TimeSpan.FromMinutes(59), $"ttl:{i}");
        }
        for (int n = 0; n < 37; n++) Assert.Equal(Enumerable.Range(0, keys).Count(i => i % 37 == n), (long)await db.StringGetAsync($"n:{n}"));
        for (int h = 0; h < 11; h++) Assert.Equal(Enumerable.Range(0, keys).Count(i => i % 11 == h), await db.HashLengthAsync($"h:{h}"));
        for (int l = 0; l < 13; l++) Assert.Equal(Enumerable.Range(0, keys).Count(i => i % 13 == l), await db.ListLengthAsync($"l:{l}"));
        for (int z = 0; z < 7; z++) Assert.Equal(Enumerable.Range(0, keys).Count(i => i % 7 == z), await db.SortedSetLengthAsync($"z:{z}"));

        // The surviving silos count one activation from a replica per moved partition.
        Assert.Equal(moved.Count, Metrics(c)["orleans_cache.partitions.activated|replica"]);

        // Each moved partition came back on the silo of its replica, at the offset it had, and has a replica again.
        foreach (int p in moved)
        {
            var after = await c.Partition(p).ReplicationState();
            Assert.Equal(Assert.Single(before[p].ReplicaSilos), after.Silo);
            Assert.True(after.Offset >= before[p].Offset);
            await Eventually(async () => (await c.Partition(p).ReplicationState()).ReplicaOffsets is [>= 0]);
        }
        // Writes go on.
        Assert.Equal(keys / 37 + 2, await db.StringIncrementAsync("n:0"));
    }

    [Fact]
    public async Task A_graceful_stop_hands_every_write_to_a_replica_even_without_WAIT()
    {
        await using var c = await StartAsync(replicas: 1);
        await using var redis = await ConnectAsync(c, 0);
        var db = redis.GetDatabase();
        var writes = Enumerable.Range(0, 2000).Select(i => db.StringIncrementAsync($"c:{i % 100}")).ToArray();
        await Task.WhenAll(writes);
        await c.Cluster.StopSiloAsync(c.Cluster.Silos[2]);
        for (int k = 0; k < 100; k++) Assert.Equal(20, (long)await db.StringGetAsync($"c:{k}"));
    }

    [Fact]
    public async Task A_replica_further_behind_than_the_backlog_catches_up_by_a_full_sync_sent_a_segment_per_call()
    {
        // Snapshot segments of 4 KB (the storage chunk size), and no save rule: a full sync takes many calls, and nothing
        // but the replica holds the keys when the primary is killed.
        await using var c = await StartAsync(replicas: 1, backlog: 16, snapshots: o => { o.ChunkBytes = 4096; o.Save = ""; });
        var executor = On(c, 0);
        var pipeline = Enumerable.Range(0, 5000).Select(i => Cmd("SET", $"k{i}", $"v{i}")).ToList();
        await executor.ExecuteAsync(pipeline);
        for (int p = 0; p < CacheCluster.Partitions; p++)
            Assert.Equal(1, await c.Partition(p).WaitReplicas(1, 0));
        // The copies are whole: silo 1's partitions come back from their replicas.
        var victim = c.Cluster.Silos[1].SiloAddress.ToParsableString();
        var moved = new Dictionary<int, string>();
        for (int p = 0; p < CacheCluster.Partitions; p++)
            if (await c.Partition(p).ReplicationState() is { } state && state.Silo == victim) moved[p] = state.ReplicaSilos[0];
        Assert.NotEmpty(moved);
        await c.Cluster.KillSiloAsync(c.Cluster.Silos[1]);
        await c.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);
        var replies = await executor.ExecuteAsync(Enumerable.Range(0, 5000).Select(i => Cmd("GET", $"k{i}")).ToList());
        for (int i = 0; i < replies.Length; i++) Assert.Equal($"v{i}", replies[i].Text);
        foreach (var (p, replica) in moved) Assert.Equal(replica, (await c.Partition(p).ReplicationState()).Silo);
    }

    [Fact]
    public async Task Writes_answer_NOREPLICAS_while_fewer_good_replicas_than_min_replicas_to_write()
    {
        await using var c = await StartAsync(silos: 2, replicas: 1);
        await using var redis = await ConnectAsync(c, 0);
        var db = redis.GetDatabase();
        await db.StringSetAsync("k", "v");
        Assert.Equal(1, (long)await db.ExecuteAsync("WAIT", 1, 0));
        await db.ExecuteAsync("CONFIG", "SET", "min-replicas-to-write", "2");
        var refused = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync("k", "w"));
        Assert.Equal("NOREPLICAS Not enough good replicas to write.", refused.Message);
        Assert.StartsWith("NOREPLICAS Not enough good replicas to write.",
            (await Assert.ThrowsAsync<RedisServerException>(() => db.ScriptEvaluateAsync("return redis.call('SET', KEYS[1], 'x')", ["k"]))).Message);
        Assert.Equal("v", (string?)await db.StringGetAsync("k")); // reads go on
        await db.ExecuteAsync("CONFIG", "SET", "min-replicas-to-write", "1");
        Assert.True(await db.StringSetAsync("k", "w"));

        // The only other silo dies: no partition has a replica any more, so every write is refused.
        await c.Cluster.KillSiloAsync(c.Cluster.Silos[1]);
        await c.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);
        // (Until each partition notices, a write may still pass, as one does in Redis within min-replicas-max-lag.)
        await Eventually(async () =>
        {
            foreach (var key in Enumerable.Range(0, 50).Select(i => $"k{i}"))
            {
                try { await db.StringSetAsync(key, "after"); return false; }
                catch (RedisServerException e) when (e.Message == "NOREPLICAS Not enough good replicas to write.") { }
            }
            return true;
        });
        await db.ExecuteAsync("CONFIG", "SET", "min-replicas-to-write", "0");
        Assert.True(await db.StringSetAsync("k", "after"));
    }

    [Fact]
    public async Task INFO_replication_and_ROLE_show_each_partitions_primary_replicas_and_offsets()
    {
        await using var c = await StartAsync(replicas: 1);
        await using var redis = await ConnectAsync(c, 0);
        var db = redis.GetDatabase();
        for (int i = 0; i < 100; i++) await db.StringSetAsync($"k{i}", "v");
        Assert.Equal(1, (long)await db.ExecuteAsync("WAIT", 1, 0));
        var info = ((string)(await db.ExecuteAsync("INFO", "replication"))!).Split("\r\n").Where(l => l.Contains(':'))
            .ToDictionary(l => l[..l.IndexOf(':')], l => l[(l.IndexOf(':') + 1)..]);
        Assert.Equal("master", info["role"]);
        Assert.Equal("1", info["connected_slaves"]);
        long offset = long.Parse(info["master_repl_offset"]);
        Assert.True(offset >= 100);
        var states = await Task.WhenAll(Enumerable.Range(0, CacheCluster.Partitions).Select(p => c.Partition(p).ReplicationState().AsTask()));
        for (int p = 0; p < CacheCluster.Partitions; p++)
        {
            Assert.StartsWith($"silo={states[p].Silo},offset=", info[$"partition{p}"]);
            Assert.Contains($",replicas=1,replica0={states[p].ReplicaSilos[0]}/online/", info[$"partition{p}"]);
        }
        var role = (RedisResult[])(await db.ExecuteAsync("ROLE"))!;
        Assert.Equal("master", (string?)role[0]);
        Assert.Equal(offset, (long)role[1]);
        var replicas = (RedisResult[])role[2]!;
        Assert.Equal(3, replicas.Length); // each silo holds replicas of another's partitions
        Assert.Equal(offset, replicas.Sum(r => long.Parse((string)((RedisResult[])r!)[2]!)));
    }

    [Fact]
    public async Task A_READONLY_client_reads_from_the_replica_in_its_silo_which_may_be_behind_and_others_read_the_primary()
    {
        var broken = new ConcurrentDictionary<string, bool>();
        await using var c = await CacheCluster.StartAsync(3, b => b.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddRespEndpoint(o => o.Port = 0);
            silo.Services.Configure<CacheOptions>(o => o.Replicas = 1);
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(sp => new BreakReplicas(broken, sp.GetRequiredService<ILocalSiloDetails>()));
        }), snapshots: o => o.Storage = "None");
        await On(c, 0).ExecuteAsync(Enumerable.Range(0, 200).Select(i => Cmd("SET", $"k{i}", "v1")).ToList());
        for (int p = 0; p < CacheCluster.Partitions; p++) Assert.Equal(1, await c.Partition(p).WaitReplicas(1, 0));

        // A key whose partition has its replica on silo 1 and its primary elsewhere.
        var silo = c.Cluster.Silos[1];
        string here = silo.SiloAddress.ToParsableString();
        var map = new PartitionMap(CacheCluster.Partitions);
        int partition = -1;
        for (int p = 0; p < CacheCluster.Partitions && partition < 0; p++)
            if (await c.Partition(p).ReplicationState() is { } state && state.Silo != here && state.ReplicaSilos.Contains(here)) partition = p;
        Assert.True(partition >= 0);
        string key = Enumerable.Range(0, 200).Select(i => $"k{i}").First(k => map.PartitionOfKey(Encoding.UTF8.GetBytes(k)) == partition);
        var copies = silo.ServiceProvider.GetRequiredService<LocalReplicas>();
        var endPoint = silo.ServiceProvider.GetRequiredService<RespServer>().EndPoints[0];
        using var reader = await Resp.RawClient.ConnectAsync(endPoint);
        using var writer = await Resp.RawClient.ConnectAsync(endPoint);

        Assert.Equal("$2\r\nv1\r\n", await reader.CommandAsync("GET", key));
        Assert.Equal(0, copies.ReadsServed(partition));
        Assert.Equal("+OK", await reader.CommandAsync("READONLY"));
        Assert.Equal("$2\r\nv1\r\n", await reader.CommandAsync("GET", key));
        Assert.Equal(1, copies.ReadsServed(partition));

        // The copy stops taking effects: the READONLY client reads what the copy has, everyone else the primary.
        broken[here] = true;
        Assert.Equal("+OK", await writer.CommandAsync("SET", key, "v2"));
        Assert.Equal("$2\r\nv1\r\n", await reader.CommandAsync("GET", key));
        Assert.Equal("$2\r\nv2\r\n", await writer.CommandAsync("GET", key));
        Assert.Equal(2, copies.ReadsServed(partition));

        // A read after a write to its partition in the same pipeline sees the write.
        Assert.Equal("+OK\r\n$2\r\nv3\r\n", await reader.RoundTripAsync(Resp.RawClient.Encode("SET", key, "v3") + Resp.RawClient.Encode("GET", key)));
        Assert.Equal(2, copies.ReadsServed(partition));

        Assert.Equal("+OK", await reader.CommandAsync("READWRITE"));
        Assert.Equal("$2\r\nv3\r\n", await reader.CommandAsync("GET", key));
        Assert.Equal(2, copies.ReadsServed(partition));
        broken.Clear();
    }

    /// <summary>Fails every call to a replica grain on the silos named in <paramref name="broken"/>: a replica that keeps failing while its silo stays.</summary>
    private sealed class BreakReplicas(ConcurrentDictionary<string, bool> broken, ILocalSiloDetails silo) : IIncomingGrainCallFilter
    {
        public Task Invoke(IIncomingGrainCallContext context) =>
            context.InterfaceMethod.DeclaringType == typeof(IPartitionReplicaGrain) && broken.ContainsKey(silo.SiloAddress.ToParsableString())
                ? throw new InvalidOperationException("this silo's replicas are broken by the test")
                : context.Invoke();
    }

    [Fact]
    public async Task A_replica_that_keeps_failing_is_replaced_on_another_silo_after_its_back_offs_on_the_partition_clock()
    {
        var broken = new ConcurrentDictionary<string, bool>();
        await using var c = await CacheCluster.StartAsync(3, b => b.ConfigureSilo((_, silo) =>
        {
            silo.Services.Configure<CacheOptions>(o => o.Replicas = 1);
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(sp => new BreakReplicas(broken, sp.GetRequiredService<ILocalSiloDetails>()));
        }), snapshots: o => o.Storage = "None");
        var executor = On(c, 0);
        await executor.ExecuteAsync(Enumerable.Range(0, 200).Select(i => Cmd("SET", $"k{i}", "v")).ToList());
        for (int p = 0; p < CacheCluster.Partitions; p++) Assert.Equal(1, await c.Partition(p).WaitReplicas(1, 0));
        string victim = c.Cluster.Silos[2].SiloAddress.ToParsableString();
        var replicatedThere = new List<int>();
        for (int p = 0; p < CacheCluster.Partitions; p++)
            if ((await c.Partition(p).ReplicationState()).ReplicaSilos.Contains(victim)) replicatedThere.Add(p);
        Assert.NotEmpty(replicatedThere);

        broken[victim] = true;
        await executor.ExecuteAsync(Enumerable.Range(0, 200).Select(i => Cmd("SET", $"k{i}", "w")).ToList());
        // The failing links retry with back-off on the partition clock: nothing changes until it moves.
        var stuck = await c.Partition(replicatedThere[0]).ReplicationState();
        Assert.Equal([victim], stuck.ReplicaSilos);
        await Eventually(async () =>
        {
            c.Time.Advance(TimeSpan.FromMilliseconds(500));
            foreach (int p in replicatedThere)
            {
                var state = await c.Partition(p).ReplicationState();
                if (state.ReplicaSilos.Contains(victim) || state.ReplicaOffsets is not [var acked] || acked != state.Offset) return false;
            }
            return true;
        });
        foreach (int p in replicatedThere)
        {
            var state = await c.Partition(p).ReplicationState();
            Assert.NotEqual(state.Silo, Assert.Single(state.ReplicaSilos));
        }
    }

    [Fact]
    public async Task A_replica_behind_the_snapshot_a_graceful_stop_saved_is_not_promoted_over_it()
    {
        var broken = new ConcurrentDictionary<string, bool>();
        var dir = Directory.CreateTempSubdirectory("orleans-cache-behind-").FullName;
        try
        {
            await using var c = await CacheCluster.StartAsync(3, b => b.ConfigureSilo((_, silo) =>
            {
                silo.Services.Configure<CacheOptions>(o => o.Replicas = 1);
                silo.Services.AddSingleton<IIncomingGrainCallFilter>(sp => new BreakReplicas(broken, sp.GetRequiredService<ILocalSiloDetails>()));
            }), snapshotDir: dir, snapshots: o => o.Save = "");
            var executor = On(c, 0);
            await executor.ExecuteAsync(Enumerable.Range(0, 300).Select(i => Cmd("SET", $"k{i}", "old")).ToList());
            for (int p = 0; p < CacheCluster.Partitions; p++) Assert.Equal(1, await c.Partition(p).WaitReplicas(1, 0));

            // Silo 1's partitions keep writing while their replicas (on the next silo) take nothing more; then silo 1 stops
            // gracefully: it cannot hand over, so it saves, and its stale replicas must not win over that snapshot.
            var primary = c.Cluster.Silos[1];
            var mine = new List<(int Partition, string Replica)>();
            for (int p = 0; p < CacheCluster.Partitions; p++)
                if (await c.Partition(p).ReplicationState() is { } state && state.Silo == primary.SiloAddress.ToParsableString())
                    mine.Add((p, state.ReplicaSilos[0]));
            Assert.NotEmpty(mine);
            foreach (var (_, replica) in mine) broken[replica] = true;
            await executor.ExecuteAsync(Enumerable.Range(0, 300).Select(i => Cmd("SET", $"k{i}", "new")).ToList());
            await c.Cluster.StopSiloAsync(primary);
            broken.Clear();

            var replies = await executor.ExecuteAsync(Enumerable.Range(0, 300).Select(i => Cmd("GET", $"k{i}")).ToList());
            Assert.All(replies, r => Assert.Equal("new", r.Text));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
