using Orleans.Cache.Core;

namespace Orleans.Cache;

/// <summary>A partition activation in this process, callable on the caller's thread instead of through a grain call.</summary>
public interface ILocalPartition
{
    /// <summary>
    /// Runs <paramref name="commands"/> in order, atomically with respect to the activation's own turns, and returns
    /// one reply per command; null when the activation is deactivating (send a grain call then: it is always right).
    /// Commands without a Core handler (SAVE, BGSAVE, LASTSAVE) need the grain's turn and must not come here.
    /// </summary>
    Reply[]? TryExecute(IReadOnlyList<byte[][]> commands);

    /// <summary><see cref="TryExecute(IReadOnlyList{byte[][]})"/> for one command, with nothing allocated around its reply.</summary>
    Reply? TryExecute(byte[][] command);

    /// <summary>
    /// <see cref="IPartitionGrain.Block"/> without the grain call: the first try and joining the waiters happen before
    /// this returns. False when the activation is deactivating (use the grain call then).
    /// </summary>
    bool TryBlock(byte[][] argv, long waitedMilliseconds, Guid waiter, out ValueTask<BlockResult> result);

    /// <summary><see cref="IPartitionGrain.CancelBlock"/> without the grain call.</summary>
    ValueTask CancelBlock(Guid waiter);
}

/// <summary>
/// The partition activations living in this silo. A grain call costs about 8 µs of CPU and a thread hand-off
/// (DESIGN.md, "The hot path"); a command for a partition that is active right here runs directly under the
/// activation's lock. Remote partitions, and every partition seen from an external client, go through grain calls.
/// </summary>
public sealed class LocalPartitions
{
    private readonly Lock _lock = new();
    private ILocalPartition?[] _byPartition = new ILocalPartition?[64];

    public ILocalPartition? Find(int partition)
    {
        var all = Volatile.Read(ref _byPartition);
        return (uint)partition < (uint)all.Length ? Volatile.Read(ref all[partition]) : null;
    }

    public void Add(int partition, ILocalPartition activation)
    {
        lock (_lock)
        {
            if (partition >= _byPartition.Length)
            {
                var grown = new ILocalPartition?[Math.Max(partition + 1, _byPartition.Length * 2)];
                _byPartition.CopyTo(grown, 0);
                Volatile.Write(ref _byPartition, grown);
            }
            Volatile.Write(ref _byPartition[partition], activation);
        }
    }

    /// <summary>Forgets <paramref name="activation"/> (and only it: a newer activation of the same partition stays).</summary>
    public void Remove(int partition, ILocalPartition activation)
    {
        lock (_lock)
        {
            if (partition < _byPartition.Length && ReferenceEquals(_byPartition[partition], activation))
                Volatile.Write(ref _byPartition[partition], null);
        }
    }
}
