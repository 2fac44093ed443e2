using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Client;
using Orleans.Cache.Grains;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>
/// An in-process Orleans cluster running Orleans.Cache, with a fake clock shared by all partitions so that
/// expiry is driven by the test, not by sleeping.
/// </summary>
public sealed class CacheCluster : IAsyncDisposable
{
    public const int Partitions = 12;

    public InProcessTestCluster Cluster { get; }

    /// <summary>The clock every partition reads.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>Snapshot folder of this cluster; a fresh temporary one unless the test passed its own.</summary>
    public string SnapshotDir { get; }
    private readonly bool _ownsSnapshotDir;

    private CacheCluster(InProcessTestCluster cluster, FakeTimeProvider time, string snapshotDir, bool ownsSnapshotDir) =>
        (Cluster, Time, SnapshotDir, _ownsSnapshotDir) = (cluster, time, snapshotDir, ownsSnapshotDir);

    public static async Task<CacheCluster> StartAsync(short silos = 3, Action<InProcessTestClusterBuilder>? configure = null,
        string? snapshotDir = null, DateTimeOffset? startTime = null, Action<SnapshotOptions>? snapshots = null, int partitions = Partitions)
    {
        var clock = new FakeTimeProvider(startTime ?? DateTimeOffset.UtcNow);
        bool owns = snapshotDir is null;
        var dir = snapshotDir ?? Directory.CreateTempSubdirectory("orleans-cache-test-").FullName;
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSiloHost((_, host) => host.Services.AddSingleton(new CacheClock(clock)));
        // Stream subscriptions in a store that survives a killed silo, as PostgreSQL does for a deployed cluster.
        var pubSubStore = new SharedGrainStorage.Table();
        builder.ConfigureSilo((_, silo) => silo.Services.AddGrainStorage("PubSubStore",
            (sp, _) => new SharedGrainStorage(pubSubStore, sp.GetRequiredService<Serializer>())));
        builder.ConfigureSilo((_, silo) => silo.AddOrleansCache(configure: o => o.Partitions = partitions, configureSnapshots: o =>
        {
            o.Dir = dir;
            snapshots?.Invoke(o);
        }).Services.AddOrleansCacheClient());
        builder.ConfigureClient(client => client.Services.AddOrleansCacheClient(configure: o => o.Partitions = partitions));
        configure?.Invoke(builder);
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            if (owns) Directory.Delete(dir, recursive: true);
            throw;
        }
        return new CacheCluster(cluster, clock, dir, owns);
    }

    /// <summary>The typed client co-hosted in silo <paramref name="silo"/>.</summary>
    public ICache CacheOnSilo(int silo) => Cluster.Silos[silo].ServiceProvider.GetRequiredService<ICache>();

    /// <summary>The typed client of the external Orleans client.</summary>
    public ICache ExternalCache => Cluster.Client.ServiceProvider.GetRequiredService<ICache>();

    internal IPartitionGrain Partition(int n) => Cluster.Client.GetGrain<IPartitionGrain>(n);

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (_ownsSnapshotDir) Directory.Delete(SnapshotDir, recursive: true);
    }
}

/// <summary>One 3-silo cluster shared by the tests of a class (xunit class fixture).</summary>
public sealed class ThreeSiloFixture : IAsyncLifetime
{
    public CacheCluster Cache { get; private set; } = null!;
    public async Task InitializeAsync() => Cache = await CacheCluster.StartAsync(3);
    public async Task DisposeAsync() => await Cache.DisposeAsync();
}
