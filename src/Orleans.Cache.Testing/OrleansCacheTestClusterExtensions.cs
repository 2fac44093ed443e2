using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Grains;
using Orleans.Cache.Resp;
using Orleans.Cache.Testing;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace Orleans.TestingHost;

/// <summary>Orleans.Cache in an <see cref="InProcessTestCluster"/>: for an app's own tests.</summary>
public static class OrleansCacheTestClusterExtensions
{
    /// <summary>
    /// Adds Orleans.Cache to every silo of the cluster (partitions, pub/sub, the co-hosted <c>ICache</c>) and the typed
    /// <c>ICache</c> to its client, with one clock for every partition that the test advances. Returns that clock.
    /// </summary>
    public static FakeTimeProvider AddOrleansCache(this InProcessTestClusterBuilder builder, Action<OrleansCacheTestOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new OrleansCacheTestOptions();
        configure?.Invoke(options);
        var clock = new CacheClock(options.Time);
        // Stream subscriptions (pub/sub) in a store every silo shares and that outlives a killed silo, as the
        // PostgreSQL store of a deployed cluster does; Orleans's memory storage would lose them with the silo.
        var pubSubStore = new SharedGrainStorage.Table();
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(clock);
            silo.Services.AddGrainStorage("PubSubStore", (sp, _) => new SharedGrainStorage(pubSubStore, sp.GetRequiredService<Serializer>()));
            silo.AddOrleansCache(configure: options.Cache, configureSnapshots: s =>
            {
                s.Storage = "None";
                options.Snapshots?.Invoke(s);
            });
            silo.Services.AddOrleansCacheClient();
            if (options.RespEndpoint) silo.Services.AddRespEndpoint(o => o.Port = 0);
        });
        builder.ConfigureClient(client => client.Services.AddOrleansCacheClient(configure: options.Cache));
        return options.Time;
    }

    /// <summary>The address of the silo's RESP endpoint (127.0.0.1 and a free port); <c>ToString()</c> is a StackExchange.Redis configuration.</summary>
    public static IPEndPoint GetRespEndPoint(this InProcessSiloHandle silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var server = silo.ServiceProvider.GetService<RespServer>()
            ?? throw new InvalidOperationException("This silo has no RESP endpoint: add Orleans.Cache with AddOrleansCache(o => o.RespEndpoint = true).");
        return server.EndPoints[0];
    }
}
