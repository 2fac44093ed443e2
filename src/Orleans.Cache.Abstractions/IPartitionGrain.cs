using Orleans.Cache.Core;
using Orleans.Concurrency;

namespace Orleans.Cache;

/// <summary>
/// One partition of the keyspace: owns a contiguous range of hash slots (grain key = partition number) and
/// runs batches of commands for them one batch at a time, in order.
/// </summary>
[Alias("Orleans.Cache.IPartitionGrain")]
internal interface IPartitionGrain : IGrainWithIntegerKey
{
    /// <summary>Runs the commands in order and returns one reply per command.</summary>
    [Alias("Execute")]
    ValueTask<ReplyBatch> Execute(CommandBatch batch);

    /// <summary>
    /// Runs a blocking command (BLPOP, BLMOVE, BZPOPMIN …): answers at once when it can; otherwise waits — without
    /// blocking the partition — until a write makes it answerable (waiters are served in arrival order), the
    /// command's timeout passes (its empty reply), or <see cref="CancelBlock"/> names <paramref name="waiter"/>.
    /// </summary>
    [Alias("Block"), AlwaysInterleave, ResponseTimeout("01:10:00")]
    ValueTask<BlockResult> Block(Command command, long waitedMilliseconds, Guid waiter);

    /// <summary>WATCH: registers a watcher of <paramref name="key"/> and returns its version (see <c>PartitionEngine.Watch</c>).</summary>
    [Alias("Watch")]
    ValueTask<long> Watch(byte[] key);

    /// <summary>Drops one watcher of each key (UNWATCH, DISCARD, EXEC elsewhere, a closed connection).</summary>
    [Alias("Unwatch"), OneWay]
    Task Unwatch(byte[][] keys);

    /// <summary>EXEC: the commands as one atomic batch if no watched key changed (their replies), else a nil array.</summary>
    [Alias("ExecuteTransaction")]
    ValueTask<Reply> ExecuteTransaction(TransactionBatch transaction);

    /// <summary>
    /// The client of <paramref name="waiter"/> went away or was unblocked: its Block call ends with nothing taken, or, when
    /// it arrives first, does not wait. A waiter that was served already keeps its answer (the caller puts the element
    /// back, or answers it).
    /// </summary>
    [Alias("CancelBlock"), AlwaysInterleave]
    ValueTask CancelBlock(Guid waiter);

    /// <summary>SCRIPT KILL (<paramref name="function"/> false) or FUNCTION KILL on this partition's running script (Redis's reply).</summary>
    [Alias("KillScript"), AlwaysInterleave]
    ValueTask<Reply> KillScript(bool function);

    /// <summary>The longest one Block call waits (below its response timeout).</summary>
    const long MaxBlockMilliseconds = 3_600_000;

    /// <summary>Runs one active-expire cycle now (the timer does this on its own); returns keys reclaimed.</summary>
    [Alias("SweepExpired")]
    ValueTask<int> SweepExpired(int maxKeys);

    /// <summary>Turns keyspace notifications on or off (a <c>KeyspaceEventFlags</c> value; 0 = off).</summary>
    [Alias("SetKeyspaceEvents")]
    ValueTask SetKeyspaceEvents(int flags);

    /// <summary>Applies the configuration that acts inside partitions (encoding thresholds, busy-reply-threshold).</summary>
    [Alias("ApplySettings")]
    ValueTask ApplySettings(Core.Config.PartitionSettings settings);

    /// <summary>
    /// WAIT: once <paramref name="needed"/> replicas acknowledged every write this partition took so far, or after
    /// <paramref name="timeoutMilliseconds"/> (0: no limit), how many did.
    /// </summary>
    [Alias("WaitReplicas"), AlwaysInterleave, ResponseTimeout("01:10:00")]
    ValueTask<int> WaitReplicas(int needed, long timeoutMilliseconds);

    /// <summary>This partition's replicas: silo and acknowledged offset (-1 until synced), and its own offset last.</summary>
    [Alias("ReplicationState"), AlwaysInterleave]
    ValueTask<ReplicationState> ReplicationState();

    /// <summary>The silo this partition is active on, for diagnostics and placement tests.</summary>
    [Alias("GetSilo")]
    ValueTask<string> GetSilo();
}
