using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Cache.Grains;
using Orleans.Serialization;
using Orleans.Storage;

namespace Orleans.Hosting;

public static class OrleansCacheSiloExtensions
{
    /// <summary>
    /// Hosts Orleans.Cache partitions in this silo and registers the co-hosted client (ICommandExecutor, ICache).
    /// Options come from the "Cache" and "Snapshots" sections of <paramref name="configuration"/> when given,
    /// then from the delegates. With <c>Snapshots:Storage = File</c> (the default) snapshots go to a local folder;
    /// with <c>AdoNet</c> the host must register an ADO.NET grain storage named "snapshots"; <c>None</c> turns them off.
    /// </summary>
    public static ISiloBuilder AddOrleansCache(this ISiloBuilder builder, IConfiguration? configuration = null,
        Action<Cache.CacheOptions>? configure = null, Action<SnapshotOptions>? configureSnapshots = null)
    {
        var services = builder.Services;
        services.AddOrleansCacheClient(configuration, configure);
        services.TryAddSingleton(new CacheClock(TimeProvider.System));
        services.AddPlacementDirector<PartitionPlacement, PartitionPlacementDirector>();

        var snapshots = new SnapshotOptions();
        configuration?.GetSection(SnapshotOptions.Section).Bind(snapshots);
        configureSnapshots?.Invoke(snapshots);
        services.AddOptions<SnapshotOptions>().Configure(o =>
        {
            configuration?.GetSection(SnapshotOptions.Section).Bind(o);
            configureSnapshots?.Invoke(o);
        });
        if (string.Equals(snapshots.Storage, "File", StringComparison.OrdinalIgnoreCase))
        {
            var dir = Path.GetFullPath(snapshots.Dir);
            // Orleans's binary serializer: snapshot chunks are byte arrays, which the default JSON storage
            // serializer would write as base64 (a third larger and slower).
            services.AddKeyedSingleton<IGrainStorage>(SnapshotOptions.StorageName, (sp, _) =>
                new FileGrainStorage(dir, new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>())));
        }
        return builder;
    }
}
