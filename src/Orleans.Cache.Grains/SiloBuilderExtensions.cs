using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Cache.Client;
using Orleans.Cache.Grains;

namespace Orleans.Hosting;

public static class OrleansCacheSiloExtensions
{
    /// <summary>
    /// Hosts Orleans.Cache partitions in this silo and registers the co-hosted client
    /// (<see cref="ICommandExecutor"/>, <see cref="ICache"/>).
    /// </summary>
    public static ISiloBuilder AddOrleansCache(this ISiloBuilder builder, IConfiguration? configuration = null, Action<Cache.CacheOptions>? configure = null)
    {
        var services = builder.Services;
        services.AddOrleansCacheClient(configuration, configure);
        services.TryAddSingleton(new CacheClock(TimeProvider.System));
        services.AddPlacementDirector<PartitionPlacement, PartitionPlacementDirector>();
        return builder;
    }
}
