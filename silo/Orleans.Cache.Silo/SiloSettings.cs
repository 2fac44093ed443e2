using System.Net;

namespace Orleans.Cache.Silo;

/// <summary>Where this silo sits in its cluster (configuration section "Silo").</summary>
public sealed class SiloSettings
{
    public const string Section = "Silo";

    public string ClusterId { get; set; } = "orleans-cache";
    public string ServiceId { get; set; } = "orleans-cache";
    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;
    /// <summary>Port for external Orleans clients (the typed .NET client in another process).</summary>
    public int GatewayPort { get; set; } = 30000;
    /// <summary>
    /// The silo's HTTP endpoint (<c>/health/live</c>, <c>/health/ready</c>, and <c>/metrics</c> with Telemetry:Prometheus)
    /// on all addresses; 0, the default, is off.
    /// </summary>
    public int HttpPort { get; set; }
    /// <summary>For localhost clustering: the silo every other silo joins through (default: this one).</summary>
    public string? PrimarySilo { get; set; }

    public IPEndPoint? PrimarySiloEndpoint => PrimarySilo is { Length: > 0 } p ? IPEndPoint.Parse(p) : null;

    /// <summary>
    /// How silos find each other: <c>Localhost</c> (default; one machine, no set-up) or <c>AdoNet</c> (a membership
    /// table in PostgreSQL at <see cref="ConnectionString"/>: separate processes and machines form one cluster).
    /// </summary>
    public string Clustering { get; set; } = LocalhostClustering;
    public const string LocalhostClustering = "Localhost";
    public const string AdoNetClustering = "AdoNet";

    /// <summary>
    /// Npgsql connection string of the PostgreSQL database for AdoNet clustering and AdoNet grain storage
    /// (e.g. "Host=db;Database=orleans_cache;Username=orleans;Password=…").
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The address this silo tells the others (and clients) to reach it at, for AdoNet clustering.
    /// Default: Orleans picks this machine's first non-loopback address. Use 127.0.0.1 for several silos on one machine.
    /// </summary>
    public string? AdvertisedIP { get; set; }

    /// <summary>Mutual TLS on the silo and gateway ports (required with AdoNet clustering unless <c>Insecure</c>).</summary>
    public SiloTlsSettings Tls { get; set; } = new();

    /// <summary>
    /// How long a silo waits for another's answer to a liveness probe (Orleans's ProbeTimeout, 5 s by default there).
    /// With <see cref="MissedProbesLimit"/> it sets how fast a killed silo is declared dead, and so how fast its
    /// partitions fail over to their replicas: about ProbeTimeout × MissedProbesLimit. Shorter fails over sooner; too short
    /// declares a silo dead through a long GC pause or CPU throttling (it then restarts and rejoins).
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Missed probes before a silo votes another dead (Orleans's NumMissedProbesLimit).</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>True for AdoNet clustering, false for Localhost; any other value is a configuration error.</summary>
    public bool IsAdoNetClustering => Clustering.ToUpperInvariant() switch
    {
        "LOCALHOST" => false,
        "ADONET" => true,
        _ => throw new InvalidOperationException($"Silo:Clustering is '{Clustering}'; expected {LocalhostClustering} or {AdoNetClustering}."),
    };

    /// <summary>The connection string, or a clear error naming the setting that is missing.</summary>
    public string RequireConnectionString(string purpose) => ConnectionString is { Length: > 0 } cs ? cs
        : throw new InvalidOperationException($"{purpose} needs a PostgreSQL connection string: set Silo:ConnectionString " +
            "(--Silo:ConnectionString \"Host=…;Port=…;Database=…;Username=…\" or the environment variable Silo__ConnectionString).");

    /// <summary>redis-server's flags, mapped onto this host's configuration keys.</summary>
    public static readonly Dictionary<string, string> RedisStyleFlags = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--port"] = "Resp:Port",
        ["--bind"] = "Resp:Bind",
        ["--requirepass"] = "Resp:RequirePass",
        ["--maxclients"] = "Resp:MaxClients",
        ["--timeout"] = "Resp:Timeout",
        ["--proto-max-bulk-len"] = "Resp:ProtoMaxBulkLen",
        ["--client-query-buffer-limit"] = "Resp:ClientQueryBufferLimit",
        ["--enable-debug-command"] = "Resp:EnableDebugCommand",
        ["--protected-mode"] = "Resp:ProtectedMode",
        ["--config-file"] = "Resp:ConfigFile",
        ["--maxmemory-percent"] = "Resp:MaxMemoryPercent",
        ["--partitions"] = "Cache:Partitions",
        ["--silo-port"] = "Silo:SiloPort",
        ["--gateway-port"] = "Silo:GatewayPort",
        ["--cluster-id"] = "Silo:ClusterId",
        ["--primary-silo"] = "Silo:PrimarySilo",
        ["--clustering"] = "Silo:Clustering",
        ["--advertised-ip"] = "Silo:AdvertisedIP",
        ["--http-port"] = "Silo:HttpPort",
    };
}

internal static partial class SiloLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Orleans.Cache silo ready: cluster {ClusterId}, silo port {SiloPort}, {Partitions} partitions")]
    public static partial void Ready(ILogger logger, string clusterId, int siloPort, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL schema applied (sql/postgresql.sql)")]
    public static partial void SchemaApplied(ILogger logger);
}
