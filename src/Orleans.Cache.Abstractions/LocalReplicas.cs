using System.Collections.Concurrent;
using Orleans.Cache.Core;

namespace Orleans.Cache;

/// <summary>
/// The partition copies replica grains hold in this silo: placement asks for their offsets, a new primary takes one,
/// and READONLY clients of this silo read from them.
/// </summary>
internal sealed class LocalReplicas
{
    private readonly ConcurrentDictionary<int, PartitionReplica> _byPartition = new();

    public void Add(int partition, PartitionReplica replica) => _byPartition[partition] = replica;

    /// <summary>Forgets <paramref name="replica"/> (and only it).</summary>
    public void Remove(int partition, PartitionReplica replica) =>
        _byPartition.TryRemove(new KeyValuePair<int, PartitionReplica>(partition, replica));

    /// <summary>The offset of this silo's synced copy of <paramref name="partition"/>, or -1.</summary>
    public long OffsetOf(int partition) =>
        _byPartition.TryGetValue(partition, out var replica) && replica.Synced ? replica.Offset : -1;

    /// <summary>A READONLY client's read of <paramref name="partition"/> answered by this silo's copy; null when it has none or it cannot answer.</summary>
    public Reply? Read(int partition, Command command) =>
        _byPartition.TryGetValue(partition, out var replica) ? replica.Read(command) : null;

    /// <summary>How many reads this silo's copy of <paramref name="partition"/> answered (0 without a copy).</summary>
    public long ReadsServed(int partition) => _byPartition.TryGetValue(partition, out var replica) ? replica.ReadsServed : 0;

    /// <summary>Takes this silo's synced copy of <paramref name="partition"/> for a primary activated here; null when there is none.</summary>
    public PartitionReplica? TakeForPromotion(int partition) =>
        _byPartition.TryGetValue(partition, out var replica) && replica.Synced && _byPartition.TryRemove(new(partition, replica)) ? replica : null;
}
