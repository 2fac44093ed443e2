namespace Orleans.Cache;

/// <summary>Keyspace settings shared by silos and clients (configuration section "Cache").</summary>
public sealed class CacheOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "Cache";

    /// <summary>
    /// How many partition grains split the 16,384 slots. Every silo and client of a cluster must use the same
    /// number. See the README for how the default was measured.
    /// </summary>
    public int Partitions { get; set; } = 8;

    /// <summary>Active-expire cycle period (Redis's hz 10 = every 100 ms).</summary>
    public TimeSpan ExpireSweepInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>At most this many expired keys are reclaimed per partition per cycle.</summary>
    public int ExpireSweepMaxKeys { get; set; } = 2000;

    /// <summary>
    /// Run commands for partitions active in this silo directly on the calling thread (under the activation's lock)
    /// instead of through a grain call. On by default; off sends every command as a grain call (for comparison).
    /// </summary>
    public bool DirectLocalCalls { get; set; } = true;

    /// <summary>
    /// Redis's busy-reply-threshold (lua-time-limit): once a script has run this long, other commands to its partition
    /// answer -BUSY until it ends or SCRIPT KILL / FUNCTION KILL stops it.
    /// </summary>
    public TimeSpan BusyReplyThreshold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a command whose partition is moving (its silo stopping, or dead and failing over to a replica) waits for
    /// the partition's new activation before the client gets -TRYAGAIN. It must outlast failure detection
    /// (Silo:ProbeTimeout × Silo:MissedProbesLimit, about 6 s by default) plus the promotion.
    /// </summary>
    public TimeSpan FailoverWait { get; set; } = DefaultFailoverWait;

    /// <summary><see cref="FailoverWait"/> when not configured.</summary>
    public static readonly TimeSpan DefaultFailoverWait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Replicas per partition (0–5), each on another silo than its primary and than each other; null (the default) means
    /// 1 whenever the cluster has 2 or more silos. Never more than the other silos there are.
    /// </summary>
    public int? Replicas { get; set; }

    /// <summary>
    /// How many recent effects (writes) a primary keeps for replicas that fall behind (Redis's repl-backlog-size, in
    /// writes): a replica further behind takes a full sync.
    /// </summary>
    public int ReplicationBacklog { get; set; } = 65_536;
}
