using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Cache;
using Orleans.Cache.Core;
using Orleans.Cache.Execution;

namespace Microsoft.Extensions.DependencyInjection;

internal static class ExecutorServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ICommandExecutor"/> (raw commands routed to their partitions) on top of the Orleans client
    /// or silo already registered; in a silo that registered <see cref="LocalPartitions"/>, commands for partitions
    /// active there run on the caller's thread (<see cref="CacheOptions.DirectLocalCalls"/>). Options come from the
    /// "Cache" section when <paramref name="configuration"/> is given, then from <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddOrleansCacheExecutor(this IServiceCollection services, IConfiguration? configuration = null, Action<CacheOptions>? configure = null)
    {
        var options = services.AddOptions<CacheOptions>();
        if (configuration is not null) options.Bind(configuration.GetSection(CacheOptions.Section));
        if (configure is not null) options.Configure(configure);
        options.Validate(o => o.Replicas is null or (>= 0 and <= 5), "Cache:Replicas must be between 0 and 5")
            .Validate(o => o.ReplicationBacklog > 0, "Cache:ReplicationBacklog must be positive");
        services.TryAddSingleton<ICommandExecutor>(sp =>
        {
            var cache = sp.GetRequiredService<IOptions<CacheOptions>>().Value;
            return new PartitionExecutor(sp.GetRequiredService<IGrainFactory>(), new PartitionMap(cache.Partitions),
                cache.DirectLocalCalls ? sp.GetService<LocalPartitions>() : null, sp.GetService<TimeProvider>(), cache.FailoverWait,
                sp.GetService<LocalReplicas>());
        });
        return services;
    }
}
