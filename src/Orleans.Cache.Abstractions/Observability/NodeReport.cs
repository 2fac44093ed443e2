namespace Orleans.Cache.Observability;

/// <summary>
/// One silo's share of INFO: its RESP endpoint's counters (when it runs one) and the totals of the partitions active in
/// it. The front door that answers INFO sums the reports of every silo.
/// </summary>
[GenerateSerializer, Alias("Orleans.Cache.NodeReport")]
internal sealed class NodeReport
{
    /// <summary>The silo (its parsable address); empty when the report came from a grain that is not on its silo.</summary>
    [Id(0)] public string Silo { get; set; } = "";
    [Id(1)] public bool HasEndpoint { get; set; }
    [Id(2)] public long ConnectedClients { get; set; }
    [Id(3)] public long BlockedClients { get; set; }
    [Id(4)] public long PubSubClients { get; set; }
    [Id(5)] public long TotalConnections { get; set; }
    [Id(6)] public long RejectedConnections { get; set; }
    [Id(7)] public long TotalCommands { get; set; }
    [Id(8)] public long NetInputBytes { get; set; }
    [Id(9)] public long NetOutputBytes { get; set; }
    [Id(10)] public double OpsPerSecond { get; set; }
    [Id(11)] public double InputKbps { get; set; }
    [Id(12)] public double OutputKbps { get; set; }
    [Id(13)] public long TotalErrorReplies { get; set; }
    /// <summary>Error replies by their first word (ERR, WRONGTYPE …): INFO errorstats.</summary>
    [Id(14)] public Dictionary<string, long> Errors { get; set; } = [];
    /// <summary>Per command (lower-case name): INFO commandstats and latencystats.</summary>
    [Id(15)] public Dictionary<string, CommandStat> Commands { get; set; } = [];
    [Id(16)] public PartitionTotals Partitions { get; set; } = new();
    /// <summary>Partitions of this silo loading their snapshot now (INFO persistence's <c>loading</c>).</summary>
    [Id(17)] public int Loading { get; set; }
    /// <summary>ACL denials: failed AUTH, commands, keys, channels (INFO stats' acl_access_denied_*).</summary>
    [Id(18)] public long[] AclDenied { get; set; } = new long[4];
}

/// <summary>One command's counters: calls, time, rejected and failed calls, and a latency histogram.</summary>
[GenerateSerializer, Alias("Orleans.Cache.CommandStat")]
internal sealed class CommandStat
{
    [Id(0)] public long Calls { get; set; }
    [Id(1)] public long Microseconds { get; set; }
    [Id(2)] public long Rejected { get; set; }
    [Id(3)] public long Failed { get; set; }
    /// <summary>Counts per <see cref="Core.LatencyHistogram"/> bucket.</summary>
    [Id(4)] public long[] Histogram { get; set; } = new long[Core.LatencyHistogram.Buckets];

    public void Add(CommandStat other)
    {
        Calls += other.Calls;
        Microseconds += other.Microseconds;
        Rejected += other.Rejected;
        Failed += other.Failed;
        for (int i = 0; i < Histogram.Length && i < other.Histogram.Length; i++) Histogram[i] += other.Histogram[i];
    }
}

/// <summary>The keyspace totals of a set of partitions (INFO stats, persistence and keyspace).</summary>
[GenerateSerializer, Alias("Orleans.Cache.PartitionTotals")]
internal sealed class PartitionTotals
{
    [Id(0)] public long Keys { get; set; }
    [Id(1)] public long Expires { get; set; }
    /// <summary>Sum over partitions of avg_ttl × expires (ms), so that the mean weighs each partition by its expiring keys.</summary>
    [Id(2)] public double TtlWeighted { get; set; }
    [Id(3)] public long Hits { get; set; }
    [Id(4)] public long Misses { get; set; }
    [Id(5)] public long Expired { get; set; }
    [Id(6)] public long Evicted { get; set; }
    [Id(7)] public long Dirty { get; set; }
    /// <summary>The oldest last save of any partition (Unix seconds): by then every partition had saved; 0 when none reported.</summary>
    [Id(8)] public long LastSave { get; set; }
    [Id(9)] public int Partitions { get; set; }
    /// <summary>How many partitions' last save failed (INFO's <c>rdb_last_bgsave_status:err</c> when any).</summary>
    [Id(10)] public int SaveErrors { get; set; }
    /// <summary>The partitions' memory estimates summed (INFO memory's <c>used_memory</c>), in bytes.</summary>
    [Id(11)] public long UsedMemory { get; set; }

    public long AverageTtl => Expires == 0 ? 0 : (long)(TtlWeighted / Expires);

    public void Add(Core.KeyspaceStats s)
    {
        Keys += s.Keys;
        Expires += s.Expires;
        TtlWeighted += (double)s.AverageTtl * s.Expires;
        Hits += s.Hits;
        Misses += s.Misses;
        Expired += s.Expired;
        Evicted += s.Evicted;
        Dirty += s.Dirty;
        LastSave = Partitions == 0 ? s.LastSave : Math.Min(LastSave, s.LastSave);
        if (s.LastSaveFailed) SaveErrors++;
        UsedMemory += s.UsedMemory;
        Partitions++;
    }

    public void Add(PartitionTotals o)
    {
        Keys += o.Keys;
        Expires += o.Expires;
        TtlWeighted += o.TtlWeighted;
        Hits += o.Hits;
        Misses += o.Misses;
        Expired += o.Expired;
        Evicted += o.Evicted;
        Dirty += o.Dirty;
        if (o.Partitions > 0) LastSave = Partitions == 0 ? o.LastSave : Math.Min(LastSave, o.LastSave);
        Partitions += o.Partitions;
        SaveErrors += o.SaveErrors;
        UsedMemory += o.UsedMemory;
    }
}

/// <summary>One SLOWLOG entry as Redis keeps it: arguments already truncated (32 arguments, 128 bytes each).</summary>
[GenerateSerializer, Alias("Orleans.Cache.SlowlogEntry")]
internal sealed class SlowlogEntry
{
    [Id(0)] public long Id { get; set; }
    /// <summary>When the command ran, Unix microseconds (printed in seconds; used to merge silos by time).</summary>
    [Id(1)] public long TimeMicroseconds { get; set; }
    [Id(2)] public long DurationMicroseconds { get; set; }
    [Id(3)] public byte[][] Argv { get; set; } = [];
    [Id(4)] public string Client { get; set; } = "";
    [Id(5)] public string ClientName { get; set; } = "";
}

/// <summary>One latency event's history (LATENCY): per-second samples, oldest first, and the all-time maximum.</summary>
[GenerateSerializer, Alias("Orleans.Cache.LatencyEvent")]
internal sealed class LatencyEvent
{
    [Id(0)] public string Name { get; set; } = "";
    /// <summary>(Unix seconds, milliseconds) pairs, oldest first.</summary>
    [Id(1)] public List<LatencySample> Samples { get; set; } = [];
    [Id(2)] public long Max { get; set; }
}

/// <summary>One LATENCY sample: the Unix second and the highest latency (ms) seen in it.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.LatencySample")]
internal readonly struct LatencySample(long time, long milliseconds)
{
    [Id(0)] public long Time { get; } = time;
    [Id(1)] public long Milliseconds { get; } = milliseconds;
}

/// <summary>What CONFIG RESETSTAT, SLOWLOG RESET and LATENCY RESET clear.</summary>
[GenerateSerializer, Alias("Orleans.Cache.ResetScope")]
internal enum ResetScope
{
    Stats = 0,
    Slowlog = 1,
    Latency = 2,
}
