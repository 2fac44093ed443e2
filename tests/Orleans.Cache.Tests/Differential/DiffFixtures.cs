using Orleans.Cache.Tests.Resp;

namespace Orleans.Cache.Tests.Differential;

/// <summary>The two servers a differential test class compares: a real redis-server first, then the target.</summary>
public interface IDiffFixture
{
    DiffServer Reference { get; }
    DiffServer Target { get; }
}

/// <summary>
/// Two independent redis-servers, one the reference and one the target: the self-check that every scenario is
/// deterministic and the harness stable, before a scenario is pointed at Orleans.Cache.
/// </summary>
public sealed class RedisPairFixture : IDiffFixture, IAsyncLifetime
{
    private readonly RealRedisServer _reference = new(), _target = new();

    public DiffServer Reference => new("redis-server", _ => _reference.EndPoint);
    public DiffServer Target => new("redis-server#2", _ => _target.EndPoint);

    public Task InitializeAsync() => Task.WhenAll(_reference.InitializeAsync(), _target.InitializeAsync());

    public Task DisposeAsync() => Task.WhenAll(_reference.DisposeAsync(), _target.DisposeAsync());
}

/// <summary>
/// A 2-silo Orleans.Cache cluster with RESP endpoints as the target, and a real redis-server as the reference.
/// Scenario connection "A" goes to silo 0, "B" to silo 1, "C" to silo 0 …, so cross-connection scenarios also cross silos.
/// </summary>
public sealed class OrleansDiffFixture() : RespClusterFixtureBase(2), IDiffFixture, IAsyncLifetime
{
    public RealRedisServer Redis { get; } = new();

    /// <summary>A one-node Redis Cluster: the reference for what standalone redis-server does not do (CROSSSLOT).</summary>
    public RealRedisServer RedisCluster { get; } = new(cluster: true);

    public DiffServer Reference => new("redis-server", _ => Redis.EndPoint);
    public DiffServer Target => new("Orleans.Cache", conn => EndPointOf((conn[0] - 'A') % 2));

    // Re-implemented so that xunit starts (and stops) the redis-server together with the cluster.
    async Task IAsyncLifetime.InitializeAsync()
    {
        await Redis.InitializeAsync();
        await RedisCluster.InitializeAsync();
        await InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Redis.DisposeAsync();
        await RedisCluster.DisposeAsync();
    }
}

/// <summary>The differential classes against two redis-servers share one pair, one test at a time (FLUSHALL, SCRIPT FLUSH).</summary>
[CollectionDefinition(Name)]
public sealed class RedisPairCollection : ICollectionFixture<RedisPairFixture>
{
    public const string Name = "Differential redis-server pair";
}

/// <summary>The differential classes against Orleans.Cache share one cluster, one test at a time (FLUSHALL, FUNCTION FLUSH).</summary>
[CollectionDefinition(Name)]
public sealed class OrleansDiffCollection : ICollectionFixture<OrleansDiffFixture>
{
    public const string Name = "Differential Orleans.Cache cluster";
}
