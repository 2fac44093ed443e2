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
    /// <summary>For localhost clustering: the silo every other silo joins through (default: this one).</summary>
    public string? PrimarySilo { get; set; }

    public IPEndPoint? PrimarySiloEndpoint => PrimarySilo is { Length: > 0 } p ? IPEndPoint.Parse(p) : null;

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
        ["--partitions"] = "Cache:Partitions",
        ["--silo-port"] = "Silo:SiloPort",
        ["--gateway-port"] = "Silo:GatewayPort",
        ["--cluster-id"] = "Silo:ClusterId",
        ["--primary-silo"] = "Silo:PrimarySilo",
    };
}

internal static partial class SiloLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Orleans.Cache silo ready: cluster {ClusterId}, silo port {SiloPort}, {Partitions} partitions")]
    public static partial void Ready(ILogger logger, string clusterId, int siloPort, int partitions);
}
