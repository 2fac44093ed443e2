using Orleans.Concurrency;

namespace Orleans.Cache;

/// <summary>
/// A replica of one partition on one silo (grain key <c>{partition}@{silo}</c>, placed on that silo): applies the
/// primary's effects in offset order and acknowledges the offset it reached (see <c>PartitionReplica</c>).
/// </summary>
[Alias("Orleans.Cache.IPartitionReplicaGrain")]
internal interface IPartitionReplicaGrain : IGrainWithStringKey
{
    /// <summary>Applies a run of effects; the offset reached, or -1 when a full sync must come first.</summary>
    [Alias("Apply")]
    ValueTask<long> Apply(ReplicationBatch batch);

    /// <summary>
    /// A segment of a full sync. The last one makes the copy the snapshot and answers the offset it holds; the others
    /// answer 0 (kept); a segment out of order answers -1 (the sync starts again from the first).
    /// </summary>
    [Alias("Sync")]
    ValueTask<long> Sync(ReplicaSync sync);

    /// <summary>The primary no longer wants this replica: it forgets its copy and deactivates.</summary>
    [Alias("Drop"), AlwaysInterleave]
    ValueTask Drop();

    /// <summary>The grain key of partition <paramref name="partition"/>'s replica on silo <paramref name="silo"/> (its parsable address).</summary>
    static string Key(int partition, string silo) => $"{partition}@{silo}";
}

/// <summary>
/// What one silo's replicas hold (grain key <c>catalog@{silo}</c>, placed on that silo): placement asks it where a
/// partition whose primary went away has its most up-to-date copy.
/// </summary>
[Alias("Orleans.Cache.IReplicaCatalogGrain")]
internal interface IReplicaCatalogGrain : IGrainWithStringKey
{
    /// <summary>The offset this silo's synced replica of <paramref name="partition"/> stands at, or -1 when it has none.</summary>
    [Alias("OffsetOf"), AlwaysInterleave]
    ValueTask<long> OffsetOf(int partition);

    static string Key(string silo) => $"catalog@{silo}";
}

/// <summary>A run of a primary's effects, numbered from <see cref="First"/>; <see cref="At"/> is each one's clock (Unix ms).</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.ReplicationBatch")]
internal sealed class ReplicationBatch(Guid epoch, long first, byte[][][] effects, long[] at)
{
    [Id(0)] public Guid Epoch { get; } = epoch;
    [Id(1)] public long First { get; } = first;
    [Id(2)] public byte[][][] Effects { get; } = effects;
    [Id(3)] public long[] At { get; } = at;
}

/// <summary>
/// One segment of a full sync: the primary's keyspace serialized at an offset, sent a segment per call (no message
/// grows past a snapshot segment, whatever the partition's size), and the clock it was taken at.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.ReplicaSync")]
internal sealed class ReplicaSync(Guid epoch, byte[] segment, int index, int count, long at)
{
    [Id(0)] public Guid Epoch { get; } = epoch;
    [Id(1)] public byte[] Segment { get; } = segment;
    [Id(2)] public int Index { get; } = index;
    [Id(3)] public int Count { get; } = count;
    [Id(4)] public long At { get; } = at;
}

/// <summary>A primary's replication: its offset and epoch, and each replica's silo and acknowledged offset (-1 until synced).</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.ReplicationState")]
internal sealed class ReplicationState(long offset, string silo, string[] replicaSilos, long[] replicaOffsets, int good = 0)
{
    [Id(0)] public long Offset { get; } = offset;
    [Id(1)] public string Silo { get; } = silo;
    [Id(2)] public string[] ReplicaSilos { get; } = replicaSilos;
    [Id(3)] public long[] ReplicaOffsets { get; } = replicaOffsets;
    /// <summary>Replicas good for min-replicas-to-write (caught up, or acknowledged within min-replicas-max-lag).</summary>
    [Id(4)] public int Good { get; } = good;

    /// <summary>The writes a replica that acknowledged <paramref name="acked"/> lacks (-1: not synced yet, so all of them).</summary>
    public long LagOf(long acked) => acked < 0 ? Offset : Offset - acked;

    /// <summary>The lag of the furthest-behind replica; 0 without replicas.</summary>
    public long MaxLag => ReplicaOffsets.Length == 0 ? 0 : ReplicaOffsets.Max(LagOf);
}
