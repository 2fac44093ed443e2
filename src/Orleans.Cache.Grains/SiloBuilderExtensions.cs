using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Cache;
using Orleans.Cache.Grains;
using Orleans.Cache.PubSub;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace Orleans.Hosting;

/// <summary>Hosting Orleans.Cache in an Orleans silo.</summary>
public static class OrleansCacheSiloExtensions
{
    /// <summary>
    /// Hosts Orleans.Cache partitions in this silo and registers what the silo's front doors sit on: the executor
    /// (<c>ICommandExecutor</c>, commands for this silo's partitions run on the caller's thread), the pub/sub hub (as
    /// <see cref="IPubSubBroker"/>) and the co-hosted <see cref="ICachePubSub"/>. The typed <c>ICache</c> is the client's:
    /// add <c>services.AddOrleansCacheClient()</c> (Orleans.Cache.Client) for it. Options come from the "Cache" and
    /// "Snapshots" sections of <paramref name="configuration"/> when given, then from the delegates. With
    /// <c>Snapshots:Storage = File</c> (the default) snapshots go to a local folder; with <c>AdoNet</c> the host must
    /// register an ADO.NET grain storage named "snapshots"; <c>None</c> turns them off.
    /// Pub/Sub ("PubSub" section) rides on an Orleans stream provider: memory streams by default, with a memory
    /// "PubSubStore" grain storage unless the host registered one.
    /// </summary>
    public static ISiloBuilder AddOrleansCache(this ISiloBuilder builder, IConfiguration? configuration = null,
        Action<Cache.CacheOptions>? configure = null, Action<SnapshotOptions>? configureSnapshots = null)
    {
        var services = builder.Services;
        services.TryAddSingleton<Cache.LocalPartitions>();
        services.TryAddSingleton<Cache.SiloShutdown>();
        services.TryAddSingleton<Cache.IClusterSettings, ClusterSettings>();
        services.TryAddSingleton<LastPartitionSettings>();
        services.TryAddSingleton<Cache.Core.SiloMemory>(); // maxmemory: what this silo's partitions hold
        // The "Orleans.Cache" meter (keyspace hits and misses, keys, memory, expirations, evictions).
        services.AddMetrics();
        services.TryAddSingleton(sp => new CacheMetrics(sp.GetRequiredService<Cache.LocalPartitions>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<CacheMetrics>());
        // INFO, SLOWLOG, LATENCY and MONITOR across silos: the front door registers itself in ServerNodes.
        services.TryAddSingleton<Cache.Observability.ServerNodes>();
        services.TryAddSingleton<Cache.Observability.IClusterNodes, ClusterNodes>();
        services.AddOrleansCacheExecutor(configuration, configure);
        services.TryAddSingleton(new CacheClock(TimeProvider.System));
        // The Lua VMs the silo's partitions borrow to run EVAL-family scripts (about one per core).
        services.TryAddSingleton(sp => new Cache.Core.Scripting.ScriptVmPool(sp.GetRequiredService<CacheClock>().Time));
        services.AddPlacementDirector<PartitionPlacement, PartitionPlacementDirector>();
        services.AddPlacementDirector<ReplicaPlacement, ReplicaPlacementDirector>();
        services.TryAddSingleton<LocalReplicas>();
        // One activation per partition, also while silos join and leave: with Orleans's default, eventually consistent
        // directory a rolling restart briefly had two activations of a partition taking writes, and the one whose
        // snapshot lost the storage race dropped its acknowledged writes (issue #12). The distributed directory hands
        // its ranges over between silos consistently.
#pragma warning disable ORLEANSEXP003 // evaluation API in Orleans 10.4; the default directory's duplicates lose writes
        builder.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003

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
        // A silo whose Cache:Partitions differs from the stored snapshots' or the running cluster's refuses to start.
        if (!services.Any(d => d.ServiceType == typeof(PartitionCountCheck)))
        {
            services.AddSingleton<PartitionCountCheck>();
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<PartitionCountCheck>());
        }
        // A stopping silo lets its partitions' blocked clients go first, so that their deactivation (and save) is not held up.
        if (!services.Any(d => d.ServiceType == typeof(BlockedClientsRelease)))
        {
            services.AddSingleton<BlockedClientsRelease>();
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<BlockedClientsRelease>());
        }
        AddPubSub(builder, configuration);
        return builder;
    }

    private static void AddPubSub(ISiloBuilder builder, IConfiguration? configuration)
    {
        var services = builder.Services;
        var pubsub = new PubSubOptions();
        configuration?.GetSection(PubSubOptions.Section).Bind(pubsub);
        services.AddOptions<PubSubOptions>().Configure(o => configuration?.GetSection(PubSubOptions.Section).Bind(o));
        services.AddPlacementDirector<HubPlacement, HubPlacementDirector>();
        services.TryAddSingleton(sp => new PubSubHub(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<IOptions<PubSubOptions>>().Value,
            $"{sp.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString()}|{Guid.NewGuid():N}",
            sp.GetRequiredService<ILogger<PubSubHub>>()));
        services.TryAddSingleton<IPubSubBroker>(sp => sp.GetRequiredService<PubSubHub>());
        services.TryAddSingleton<ICachePubSub>(sp => new CachePubSub(sp.GetRequiredService<PubSubHub>(), sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<IOptions<Cache.CacheOptions>>().Value.Partitions));
        // A crashed silo's hub never unsubscribes: drop its counts from the shards once membership declares it dead.
        if (!services.Any(d => d.ServiceType == typeof(DeadHubSweeper)))
        {
            services.AddSingleton<DeadHubSweeper>();
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DeadHubSweeper>());
        }
        if (!pubsub.UseMemoryStreams) return;
        builder.AddMemoryStreams(pubsub.StreamProvider, streams => streams.ConfigurePullingAgent(agent => agent.Configure(o =>
        {
            o.GetQueueMsgsTimerPeriod = pubsub.PollInterval;
        })));
        bool hasStore = false;
        foreach (var d in services)
            if (d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, "PubSubStore")) hasStore = true;
        if (!hasStore) builder.AddMemoryGrainStorage("PubSubStore");
    }
}
