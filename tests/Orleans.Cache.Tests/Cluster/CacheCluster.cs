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
        bool owns = snapshotDir is null;
        var dir = snapshotDir ?? Directory.CreateTempSubdirectory("orleans-cache-test-").FullName;
        var builder = new InProcessTestClusterBuilder(silos);
        // What an app's tests get from Orleans.Cache.Testing, with snapshots in a folder of the test's.
        var clock = builder.AddOrleansCache(o =>
        {
            o.Time = new FakeTimeProvider(startTime ?? DateTimeOffset.UtcNow);
            o.Cache = c => c.Partitions = partitions;
            o.Snapshots = s =>
            {
                s.Storage = "File";
                s.Dir = dir;
                snapshots?.Invoke(s);
            };
        });
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
