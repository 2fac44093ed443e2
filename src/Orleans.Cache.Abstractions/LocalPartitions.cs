using Orleans.Cache.Core;

namespace Orleans.Cache;

/// <summary>
/// The partition activations living in this silo. A grain call costs about 8 µs of CPU and a thread hand-off
/// (DESIGN.md, "The hot path"); a command for a partition that is active right here runs directly under the
/// activation's lock. Remote partitions, and every partition seen from an external client, go through grain calls.
/// </summary>
internal sealed class LocalPartitions
{
    private readonly Lock _lock = new();
    private PartitionEngine?[] _byPartition = new PartitionEngine?[64];

    public PartitionEngine? Find(int partition)
    {
        var all = Volatile.Read(ref _byPartition);
        return (uint)partition < (uint)all.Length ? Volatile.Read(ref all[partition]) : null;
    }

    public void Add(int partition, PartitionEngine activation)
    {
        lock (_lock)
        {
            if (partition >= _byPartition.Length)
            {
                var grown = new PartitionEngine?[Math.Max(partition + 1, _byPartition.Length * 2)];
                _byPartition.CopyTo(grown, 0);
                Volatile.Write(ref _byPartition, grown);
            }
            Volatile.Write(ref _byPartition[partition], activation);
        }
    }

    /// <summary>The partitions active in this silo now.</summary>
    public IEnumerable<PartitionEngine> Active
    {
        get
        {
            foreach (var engine in Volatile.Read(ref _byPartition))
                if (engine is not null) yield return engine;
        }
    }

    /// <summary>Forgets <paramref name="activation"/> (and only it: a newer activation of the same partition stays).</summary>
    public void Remove(int partition, PartitionEngine activation)
    {
        lock (_lock)
        {
            if (partition < _byPartition.Length && ReferenceEquals(_byPartition[partition], activation))
                Volatile.Write(ref _byPartition[partition], null);
        }
    }
}
