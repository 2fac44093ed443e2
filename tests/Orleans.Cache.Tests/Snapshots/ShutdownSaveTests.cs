using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Core;
using Orleans.Cache.Execution;
using Orleans.Cache.Tests.Cluster;

namespace Orleans.Cache.Tests.Snapshots;

/// <summary>A graceful stop saves every partition of the silo, even one a client on another silo is blocked on.</summary>
public sealed class ShutdownSaveTests
{
    private static byte[][] Cmd(params string[] args) => [.. args.Select(Encoding.UTF8.GetBytes)];

    [Fact]
    public async Task A_silo_stopping_while_a_remote_client_is_blocked_in_BLPOP_on_its_partition_saves_it_and_the_client_waits_on()
    {
        await using var cache = await CacheCluster.StartAsync(2, snapshots: o => o.Save = "");
        var a = cache.Cluster.Silos[0];
        var onB = cache.Cluster.Silos[1].ServiceProvider.GetRequiredService<ICommandExecutor>();
        var localOnA = a.ServiceProvider.GetRequiredService<LocalPartitions>();

        // A key whose partition is active on silo A, with a change to save.
        string? key = null;
        for (int i = 0; key is null; i++)
        {
            string candidate = $"{{queue{i}}}";
            Assert.Equal("OK", (await onB.ExecuteAsync(Cmd("SET", candidate + ":saved", "yes"))).Text);
            if (localOnA.Find(new PartitionMap(CacheCluster.Partitions).PartitionOfKey(Encoding.UTF8.GetBytes(candidate))) is not null) key = candidate;
        }
        var engineOnA = localOnA.Find(new PartitionMap(CacheCluster.Partitions).PartitionOfKey(Encoding.UTF8.GetBytes(key)))!;

        // A client of silo B blocks on it (a grain call to silo A stays open).
        var pop = onB.ExecuteAsync(Cmd("BLPOP", key, "0")).AsTask();
        await StorageFaultTests.Until(() => engineOnA.BlockedCount == 1, "the BLPOP to wait on silo A");

        // Silo A stops gracefully, promptly, and its partition's shutdown save happens.
        var stopping = Stopwatch.StartNew();
        await cache.Cluster.StopSiloAsync(a);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"stopping took {stopping.Elapsed}");
        Assert.False(pop.IsCompleted);

        // The partition comes back on silo B from that snapshot, and the client, still blocked, gets the next push.
        Assert.Equal("yes", Encoding.UTF8.GetString((await onB.ExecuteAsync(Cmd("GET", key + ":saved"))).Bytes!));
        Assert.Equal(1, (await onB.ExecuteAsync(Cmd("RPUSH", key, "job"))).Integer);
        var popped = await pop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([key, "job"], popped.Items!.Select(r => r.Text));
    }
}
