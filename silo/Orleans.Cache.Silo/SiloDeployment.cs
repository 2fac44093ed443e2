using System.Net;

namespace Orleans.Cache.Silo;

/// <summary>The silo's deployment choices, one call each in Program.cs: how silos find each other, where state lives.</summary>
public static class SiloDeployment
{
    /// <summary>The grain storage Orleans streams keep their subscriptions in.</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary>
    /// Localhost (default): one machine, silos join <see cref="SiloSettings.PrimarySilo"/>, no set-up.
    /// AdoNet: the membership table in PostgreSQL; each silo listens on <see cref="SiloSettings.AdvertisedIP"/> and its
    /// own silo and gateway ports, so separate processes and machines form one cluster.
    /// </summary>
    public static ISiloBuilder UseCacheClustering(this ISiloBuilder silo, SiloSettings settings)
    {
        // Localhost clustering listens on loopback only; any other mode puts the Orleans links on the network, where
        // anyone who reaches them could call partition grains directly: mutual TLS, or an explicit opt-out.
        var tls = settings.Tls;
        if (tls.Enabled)
        {
            var certificate = tls.LoadCertificate();
            silo.UseTls(certificate, o => tls.Configure(o, certificate));
        }
        else if (settings.IsAdoNetClustering && !tls.Insecure)
        {
            throw new InvalidOperationException("Silo:Clustering = AdoNet puts the silo and gateway ports on the network: set Silo:Tls:Certificate " +
                "(a PKCS#12 file with Silo:Tls:Password, or a PEM certificate with Silo:Tls:Key; every silo and client presents it) for mutual TLS, " +
                "or Silo:Tls:Insecure = true to run without it.");
        }
        // Failure detection sets how fast a killed silo's partitions fail over to their replicas (see SiloSettings.ProbeTimeout).
        silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = settings.ProbeTimeout;
            o.NumMissedProbesLimit = settings.MissedProbesLimit;
        });
        if (!settings.IsAdoNetClustering)
            return silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, settings.PrimarySiloEndpoint);

        var connectionString = settings.RequireConnectionString("Silo:Clustering = AdoNet");
        silo.UseAdoNetClustering(o => { o.Invariant = DatabaseSchema.Invariant; o.ConnectionString = connectionString; });
        return settings.AdvertisedIP is { Length: > 0 } ip
            ? silo.ConfigureEndpoints(IPAddress.Parse(ip), settings.SiloPort, settings.GatewayPort)
            : silo.ConfigureEndpoints(settings.SiloPort, settings.GatewayPort);
    }

    /// <summary>
    /// Grain storage the host provides. "snapshots" in PostgreSQL when <c>Snapshots:Storage = AdoNet</c>, which is the
    /// default with AdoNet clustering (File and None are handled by AddOrleansCache; see <see cref="ChooseSnapshotStorage"/>). "PubSubStore" in PostgreSQL with AdoNet clustering (the cluster outlives any
    /// silo), in memory otherwise.
    /// </summary>
    public static ISiloBuilder AddCacheGrainStorage(this ISiloBuilder silo, SiloSettings settings, IConfiguration configuration)
    {
        if (string.Equals(ChooseSnapshotStorage(configuration, settings), "AdoNet", StringComparison.OrdinalIgnoreCase))
        {
            silo.AddPostgresGrainStorage(Grains.SnapshotOptions.StorageName, settings.RequireConnectionString("Snapshots:Storage = AdoNet"));
            // Snapshot chunks are byte arrays: Orleans's binary serializer stores them as they are (the default JSON
            // one would write base64, a third larger).
            silo.Services.AddOptions<Orleans.Configuration.AdoNetGrainStorageOptions>(Grains.SnapshotOptions.StorageName)
                .Configure<Orleans.Serialization.Serializer>((o, serializer) => o.GrainStorageSerializer = new Orleans.Storage.OrleansGrainStorageSerializer(serializer));
        }

        return settings.IsAdoNetClustering
            ? silo.AddPostgresGrainStorage(PubSubStore, settings.RequireConnectionString("Silo:Clustering = AdoNet"))
            : silo.AddMemoryGrainStorage(PubSubStore);
    }

    /// <summary>
    /// The snapshot storage: <c>Snapshots:Storage</c> when set; otherwise AdoNet with AdoNet clustering (a local folder is
    /// one no other machine sees, so a partition that moves would come back empty) and File with Localhost. The choice is
    /// written back to <paramref name="configuration"/>, where AddOrleansCache reads it.
    /// </summary>
    public static string ChooseSnapshotStorage(IConfiguration configuration, SiloSettings settings)
    {
        var storage = configuration["Snapshots:Storage"] is { Length: > 0 } configured ? configured
            : settings.IsAdoNetClustering ? "AdoNet" : "File";
        configuration["Snapshots:Storage"] = storage;
        return storage;
    }

    /// <summary>An ADO.NET grain storage named <paramref name="name"/> in the PostgreSQL database at <paramref name="connectionString"/>.</summary>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder silo, string name, string connectionString) =>
        silo.AddAdoNetGrainStorage(name, o => { o.Invariant = DatabaseSchema.Invariant; o.ConnectionString = connectionString; });
}
