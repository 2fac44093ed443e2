using System.Text;
using Orleans.Cache.Client;
using Orleans.Cache.Core;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>The engine on a 3-silo cluster: placement, one keyspace seen from every silo, expiry by the sweep.</summary>
public sealed class EngineClusterTests(ThreeSiloFixture fixture) : IClassFixture<ThreeSiloFixture>
{
    private CacheCluster C => fixture.Cache;
    private static string Me([System.Runtime.CompilerServices.CallerMemberName] string name = "") => name + ":" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Partitions_are_spread_over_all_silos()
    {
        var silos = new HashSet<string>();
        for (int p = 0; p < CacheCluster.Partitions; p++) silos.Add(await C.Partition(p).GetSilo());
        Assert.Equal(3, silos.Count);
    }

    [Fact]
    public async Task Keys_written_through_one_silo_are_read_through_every_silo_and_the_external_client()
    {
        var prefix = Me();
        var writer = C.CacheOnSilo(0);
        for (int i = 0; i < 200; i++) await writer.SetAsync($"{prefix}:{i}", $"v{i}");

        foreach (var reader in new[] { C.CacheOnSilo(1), C.CacheOnSilo(2), C.ExternalCache })
        {
            var keys = Enumerable.Range(0, 200).Select(i => $"{prefix}:{i}").ToArray();
            var values = await reader.GetManyAsync(keys);
            Assert.Equal(keys.Select((_, i) => $"v{i}"), values.Select(v => Encoding.UTF8.GetString(v!)));
        }
    }

    [Fact]
    public async Task Keys_land_on_partitions_hosted_by_different_silos()
    {
        var prefix = Me();
        var cache = C.CacheOnSilo(0);
        for (int i = 0; i < 300; i++) await cache.SetAsync($"{prefix}:{i}", "x");

        var silosWithKeys = new HashSet<string>();
        for (int p = 0; p < CacheCluster.Partitions; p++)
        {
            var reply = (await C.Partition(p).Execute(new CommandBatch([CommandRouter.Resolve([Encoding.UTF8.GetBytes("KEYS"), Encoding.UTF8.GetBytes(prefix + ":*")], out _)!.Value]))).Replies[0];
            if (reply.Items!.Length > 0) silosWithKeys.Add(await C.Partition(p).GetSilo());
        }
        Assert.Equal(3, silosWithKeys.Count);
    }

    [Fact]
    public async Task Counters_incremented_concurrently_from_every_silo_lose_no_update()
    {
        // The owning silo's callers run directly on the partition's activation, from several threads at once,
        // while the other silos and the external client send grain calls: all of them meet at one counter.
        var key = Me();
        var callers = Enumerable.Range(0, 6).Select(i => C.CacheOnSilo(i % 3)).Append(C.ExternalCache);
        var workers = callers.Select(cache => Task.Run(async () =>
        {
            for (int i = 0; i < 300; i++) await cache.IncrementAsync(key);
        }));
        await Task.WhenAll(workers);
        Assert.Equal(7 * 300, await C.ExternalCache.IncrementAsync(key, 0));
    }

    [Fact]
    public async Task Cross_slot_multi_key_commands_fan_out_and_atomic_ones_answer_CROSSSLOT()
    {
        var cache = C.CacheOnSilo(1);
        var a = Me() + "a"; var b = Me() + "b";
        await cache.SetManyAsync([new(a, "1"u8.ToArray()), new(b, "2"u8.ToArray())]);
        Assert.Equal(2, await cache.ExistsAsync([a, b, Me()]));
        var error = await Assert.ThrowsAsync<CacheException>(() => cache.RenameAsync(a, b + "x"));
        Assert.StartsWith("CROSSSLOT", error.Message);
        var tagged = "{" + a + "}";
        await cache.RenameAsync(a, tagged + ":renamed");
        Assert.Equal("1", await cache.GetStringAsync(tagged + ":renamed"));
        Assert.Equal(1, await cache.DeleteAsync([tagged + ":renamed", b + "missing"]));
    }

    [Fact]
    public async Task A_batch_runs_in_order_and_answers_every_command()
    {
        var cache = C.CacheOnSilo(2);
        var key = Me();
        var batch = cache.CreateBatch();
        var set = batch.SetAsync(key, "10");
        var incr = batch.IncrementAsync(key, 5);
        var get = batch.GetStringAsync(key);
        var many = batch.GetManyAsync([key, Me()]);
        await batch.ExecuteAsync();
        Assert.True(await set);
        Assert.Equal(15, await incr);
        Assert.Equal("15", await get);
        Assert.Equal(["15", null], (await many).Select(v => v is null ? null : Encoding.UTF8.GetString(v)));
    }

    [Fact]
    public async Task Scan_walks_every_partition_once_with_one_cursor()
    {
        var prefix = Me();
        var cache = C.ExternalCache;
        for (int i = 0; i < 500; i++) await cache.SetAsync($"{prefix}:{i}", "x");
        var seen = new List<string>();
        await foreach (var key in cache.ScanAsync(prefix + ":*", pageSize: 20)) seen.Add(key);
        Assert.Equal(500, seen.Count);
        Assert.Equal(500, seen.Distinct().Count());
    }
}
