using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>
/// The "Orleans.Cache" meter of each silo, read as OpenTelemetry or dotnet-counters would (a MeterListener), summed over
/// this cluster's 3 silos: lookups, keys, expirations and memory move with what the typed client does.
/// </summary>
public sealed class MetricsTests(ThreeSiloFixture fixture) : IClassFixture<ThreeSiloFixture>
{
    private CacheCluster C => fixture.Cache;

    private Dictionary<string, double> Collect() =>
        MeterReadings.Collect(Enumerable.Range(0, 3).Select(i => C.Cluster.Silos[i].ServiceProvider.GetRequiredService<IMeterFactory>()));

    [Fact]
    public async Task Hits_misses_keys_expirations_and_memory_follow_the_commands()
    {
        var before = Collect();
        var cache = C.CacheOnSilo(0);
        string prefix = Guid.NewGuid().ToString("N");
        for (int i = 0; i < 10; i++) await cache.SetAsync($"{prefix}:{i}", "value", TimeSpan.FromMinutes(1));
        for (int i = 0; i < 10; i++) Assert.Equal("value", await C.CacheOnSilo(i % 3).GetStringAsync($"{prefix}:{i}"));
        for (int i = 0; i < 4; i++) Assert.Null(await cache.GetStringAsync($"{prefix}:missing:{i}"));
        var after = Collect();
        Assert.Equal(10, after["orleans_cache.keyspace.hits"] - before["orleans_cache.keyspace.hits"]);
        Assert.Equal(4, after["orleans_cache.keyspace.misses"] - before["orleans_cache.keyspace.misses"]);
        Assert.Equal(10, after["orleans_cache.keys"] - before["orleans_cache.keys"]);
        Assert.True(after["orleans_cache.memory.used"] - before["orleans_cache.memory.used"] >= 10 * (64 + 5), "each key is charged at least its entry and value");
        Assert.InRange(after["orleans_cache.partitions"], 1, CacheCluster.Partitions);

        C.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await Poll.Until(() => Collect()["orleans_cache.keys.expired"] - before["orleans_cache.keys.expired"] == 10, "the expiry sweep to delete the 10 keys", TimeSpan.FromSeconds(30));
        Assert.Equal(before["orleans_cache.keys"], Collect()["orleans_cache.keys"]);
    }
}
