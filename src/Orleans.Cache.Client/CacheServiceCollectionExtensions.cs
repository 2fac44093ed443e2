using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Cache;
using Orleans.Cache.Client;
using Orleans.Cache.Core;

namespace Microsoft.Extensions.DependencyInjection;

public static class CacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Orleans.Cache client: <see cref="ICache"/> (typed) and <see cref="ICommandExecutor"/> (raw),
    /// on top of the Orleans client or silo already registered. Options come from the "Cache" section when
    /// <paramref name="configuration"/> is given, then from <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddOrleansCacheClient(this IServiceCollection services, IConfiguration? configuration = null, Action<CacheOptions>? configure = null)
    {
        var options = services.AddOptions<CacheOptions>();
        if (configuration is not null) options.Bind(configuration.GetSection(CacheOptions.Section));
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton<ICommandExecutor>(sp =>
        {
            var cache = sp.GetRequiredService<IOptions<CacheOptions>>().Value;
            return new PartitionExecutor(sp.GetRequiredService<IGrainFactory>(), new PartitionMap(cache.Partitions),
                cache.DirectLocalCalls ? sp.GetService<LocalPartitions>() : null);
        });
        services.TryAddSingleton<ICache>(sp => new Cache(sp.GetRequiredService<ICommandExecutor>()));
        return services;
    }
}
