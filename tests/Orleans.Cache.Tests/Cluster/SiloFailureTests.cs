namespace Orleans.Cache.Tests.Cluster;

/// <summary>Losing a silo: the survivors keep serving (data of partitions on the dead silo may be lost until snapshots/replicas exist).</summary>
public sealed class SiloFailureTests
{
    [Fact]
    public async Task Killing_a_silo_leaves_the_others_serving_every_partition()
    {
        await using var c = await CacheCluster.StartAsync(3);
        var cache = c.CacheOnSilo(0);
        for (int i = 0; i < 100; i++) await cache.SetAsync($"k:{i}", "before");

        var victim = c.Cluster.Silos[2];
        await c.Cluster.KillSiloAsync(victim);
        await c.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        foreach (var survivor in new[] { c.CacheOnSilo(0), c.CacheOnSilo(1) })
        {
            for (int i = 0; i < 100; i++) await survivor.SetAsync($"k:{i}", "after");
            var values = await survivor.GetManyAsync(Enumerable.Range(0, 100).Select(i => $"k:{i}").ToArray());
            Assert.All(values, v => Assert.Equal("after"u8.ToArray(), v));
        }
        Assert.Equal(100, await c.CacheOnSilo(1).CountAsync());
    }
}
