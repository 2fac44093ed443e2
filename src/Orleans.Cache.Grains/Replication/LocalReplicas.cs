using System.Collections.Concurrent;
using Orleans.Cache.Core;

namespace Orleans.Cache.Grains;

/// <summary>The partition copies replica grains hold in this silo: placement asks for their offsets, a new primary takes one.</summary>
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

    /// <summary>Takes this silo's synced copy of <paramref name="partition"/> for a primary activated here; null when there is none.</summary>
    public PartitionReplica? TakeForPromotion(int partition) =>
        _byPartition.TryGetValue(partition, out var replica) && replica.Synced && _byPartition.TryRemove(new(partition, replica)) ? replica : null;
}
