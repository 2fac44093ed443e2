using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Cache.AspNetCore;
using Orleans.Cache.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the ASP.NET Core interfaces on Orleans.Cache; each needs <see cref="ICache"/> (AddOrleansCacheClient) registered.</summary>
public static class AspNetCoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers Orleans.Cache as <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/> (in place of
    /// any registered before; HybridCache takes it as its second level).
    /// </summary>
    public static IServiceCollection AddOrleansCacheDistributedCache(this IServiceCollection services, Action<OrleansCacheDistributedCacheOptions>? configure = null)
    {
        var options = services.AddOptions<OrleansCacheDistributedCacheOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new DistributedCache(sp.GetRequiredService<ICache>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<OrleansCacheDistributedCacheOptions>>(), sp.GetService<KeyReads>()));
        services.Replace(ServiceDescriptor.Singleton<IDistributedCache>(sp => sp.GetRequiredService<DistributedCache>()));
        services.Replace(ServiceDescriptor.Singleton<IBufferDistributedCache>(sp => sp.GetRequiredService<DistributedCache>()));
        return services;
    }

    /// <summary>
    /// Registers HybridCache (Microsoft.Extensions.Caching.Hybrid's) with Orleans.Cache as its second level (as
    /// <see cref="AddOrleansCacheDistributedCache"/> does), and keeps every app instance's first level in step with the
    /// cluster: when a key changes, is removed, expires or is evicted anywhere, or any instance removes a tag
    /// (<c>RemoveByTagAsync</c>), each instance drops its local copies within milliseconds. Needs the silo's pub/sub, so the
    /// app is co-hosted in a silo (a hosted service listens once the host has started).
    /// </summary>
    public static IHybridCacheBuilder AddOrleansCacheHybridCache(this IServiceCollection services,
        Action<OrleansCacheDistributedCacheOptions>? configure = null, Action<HybridCacheOptions>? configureHybridCache = null)
    {
        services.TryAddSingleton<KeyReads>();
        services.AddOrleansCacheDistributedCache(configure);
        var builder = configureHybridCache is null ? services.AddHybridCache() : services.AddHybridCache(configureHybridCache);
        if (services.Any(d => d.ServiceType == typeof(HybridCacheInvalidation))) return builder;
        services.AddSingleton<HybridCacheInvalidation>();
        services.AddHostedService(sp => sp.GetRequiredService<HybridCacheInvalidation>());
        return builder;
    }

    /// <summary>Registers Orleans.Cache as the output cache's <see cref="IOutputCacheStore"/>; its keys start with <paramref name="prefix"/>.</summary>
    public static IServiceCollection AddOrleansCacheOutputCache(this IServiceCollection services, string prefix = "")
    {
        services.TryAddSingleton(TimeProvider.System);
        services.Replace(ServiceDescriptor.Singleton<IOutputCacheStore>(sp => new OutputCacheStore(sp.GetRequiredService<ICache>(), sp.GetRequiredService<TimeProvider>(), prefix)));
        return services;
    }

    /// <summary>Registers <see cref="CacheLocks"/>: leases with fencing tokens.</summary>
    public static IServiceCollection AddOrleansCacheLocks(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new CacheLocks(sp.GetRequiredService<ICache>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Keeps the Data Protection key ring in Orleans.Cache, in the list <paramref name="key"/>, shared by every app instance.</summary>
    public static IDataProtectionBuilder PersistKeysToOrleansCache(this IDataProtectionBuilder builder, string key = "DataProtection-Keys")
    {
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new XmlRepository(sp.GetRequiredService<ICache>(), key)));
        return builder;
    }
}
