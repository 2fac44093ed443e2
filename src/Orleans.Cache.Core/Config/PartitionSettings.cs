namespace Orleans.Cache.Core.Config;

/// <summary>
/// The configuration parameters that act inside partitions, pushed to every partition when CONFIG SET changes one of
/// them (and read by a partition when it activates): the encoding thresholds, busy-reply-threshold,
/// stop-writes-on-bgsave-error, min-replicas-to-write / min-replicas-max-lag, and maxmemory with the eviction parameters.
/// </summary>
internal sealed record PartitionSettings(EncodingThresholds Encodings, long BusyReplyThresholdMs, bool StopWritesOnBgsaveError = true,
    int MinReplicasToWrite = 0, int MinReplicasMaxLagSeconds = 10, EvictionSettings? Eviction = null)
{
    /// <summary>The parameters these settings come from, busy-reply-threshold's alias included.</summary>
    public static readonly string[] Parameters =
        [.. EncodingThresholds.Parameters, "busy-reply-threshold", "stop-writes-on-bgsave-error", "min-replicas-to-write", "min-replicas-max-lag",
            .. EvictionSettings.Parameters];

    /// <summary>The settings as <paramref name="config"/> has them.</summary>
    public static PartitionSettings From(Func<string, string?> config) =>
        new(EncodingThresholds.From(config), long.TryParse(config("busy-reply-threshold"), out long ms) ? ms : 5000,
            !string.Equals(config("stop-writes-on-bgsave-error"), "no", StringComparison.OrdinalIgnoreCase),
            int.TryParse(config("min-replicas-to-write"), out int min) ? min : 0,
            int.TryParse(config("min-replicas-max-lag"), out int lag) ? lag : 10,
            EvictionSettings.From(config));
}
