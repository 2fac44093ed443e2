using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Tests.Cluster;

namespace Orleans.Cache.Tests.Snapshots;

/// <summary>A silo or client with another Cache:Partitions than the stored snapshots or the running cluster refuses to start.</summary>
public sealed class PartitionCountTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("orleans-cache-count-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Messages(Exception e)
    {
        var all = new List<string>();
        for (var x = e; x is not null; x = x.InnerException) all.Add(x.Message);
        if (e is AggregateException a) all.AddRange(a.Flatten().InnerExceptions.Select(Messages));
        return string.Join(" | ", all);
    }

    [Fact]
    public async Task A_cluster_started_on_snapshots_of_another_partition_count_refuses_to_start_and_the_snapshots_stay()
    {
        await using (var first = await CacheCluster.StartAsync(1, snapshotDir: _dir))
        {
            await first.CacheOnSilo(0).SetAsync("kept", "yes");
            Assert.Equal("OK", (await first.CacheOnSilo(0).ExecuteAsync("SAVE")).Text);
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(() => CacheCluster.StartAsync(1, snapshotDir: _dir, partitions: 16));
        Assert.Contains("Cache:Partitions is 16, but the snapshot storage has 12 partitions", Messages(error));

        // With the stored count the data is all there.
        await using var again = await CacheCluster.StartAsync(1, snapshotDir: _dir);
        Assert.Equal("yes", await again.CacheOnSilo(0).GetStringAsync("kept"));
    }

    [Fact]
    public async Task Without_the_stored_count_each_snapshot_still_refuses_to_load_into_another_partition_count()
    {
        await using (var first = await CacheCluster.StartAsync(1, snapshotDir: _dir))
        {
            for (int i = 0; i < 50; i++) await first.CacheOnSilo(0).SetAsync($"m:{i}", "v");
            Assert.Equal("OK", (await first.CacheOnSilo(0).ExecuteAsync("SAVE")).Text);
        }
        // The record beside the snapshots is lost (say, copied without it): each partition's manifest has the count too.
        foreach (var layout in Directory.GetFiles(_dir, "partitions.bin", SearchOption.AllDirectories)) File.Delete(layout);

        await using var second = await CacheCluster.StartAsync(1, snapshotDir: _dir, partitions: 16);
        int refused = 0;
        for (int i = 0; i < 50; i++)
        {
            try { Assert.Null(await second.CacheOnSilo(0).GetStringAsync($"m:{i}")); } // a partition with no snapshot: empty
            catch (Client.CacheException e)
            {
                Assert.Contains("Cache:Partitions is 16, but this snapshot has 12 partitions", e.Message);
                refused++;
            }
        }
        Assert.True(refused > 0, "a snapshot of another partition count must not load");
    }

    [Fact]
    public async Task A_silo_joining_a_running_cluster_with_another_partition_count_refuses_to_start_and_the_cluster_keeps_serving()
    {
        int siloPartitions = CacheCluster.Partitions;
        await using var cache = await CacheCluster.StartAsync(1, builder => builder.ConfigureSilo((_, silo) =>
            silo.Services.Configure<CacheOptions>(o => o.Partitions = siloPartitions)), snapshots: o => o.Storage = "None");
        await cache.CacheOnSilo(0).SetAsync("k", "v");

        siloPartitions = 16;
        var error = await Assert.ThrowsAnyAsync<Exception>(() => cache.Cluster.StartAdditionalSiloAsync());
        Assert.Contains("Cache:Partitions is 16, but the running cluster has 12 partitions", Messages(error));
        Assert.Equal("v", await cache.CacheOnSilo(0).GetStringAsync("k"));
    }

    [Fact]
    public async Task A_client_with_another_partition_count_than_the_cluster_refuses_to_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => CacheCluster.StartAsync(1, builder => builder.ConfigureClient(client =>
            client.Services.Configure<CacheOptions>(o => o.Partitions = 16)), snapshots: o => o.Storage = "None"));
        Assert.Contains("Cache:Partitions is 16, but the running cluster has 12 partitions", Messages(error));
    }
}
