using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Cache;
using Orleans.Cache.Client;
using Orleans.Cache.Execution;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the Orleans.Cache client in a silo or an Orleans client app.</summary>
public static class CacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Orleans.Cache client: <see cref="ICache"/> (typed) and <see cref="ICommandExecutor"/> (raw,
    /// <see cref="ExecutorServiceCollectionExtensions.AddOrleansCacheExecutor"/>), on top of the Orleans client or silo
    /// already registered. Options come from the "Cache" section when <paramref name="configuration"/> is given, then
    /// from <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddOrleansCacheClient(this IServiceCollection services, IConfiguration? configuration = null, Action<CacheOptions>? configure = null)
    {
        services.AddOrleansCacheExecutor(configuration, configure);
        services.TryAddSingleton<ICache>(sp => new Cache(sp.GetRequiredService<ICommandExecutor>(), sp.GetService<TimeProvider>()));
        // An external client whose Cache:Partitions is not the cluster's refuses to start.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Orleans.ILifecycleParticipant<Orleans.IClusterClientLifecycle>, PartitionCountClientCheck>());
        return services;
    }
}
