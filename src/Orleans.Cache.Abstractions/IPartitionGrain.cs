namespace Orleans.Cache;

/// <summary>
/// One partition of the keyspace: owns a contiguous range of hash slots (grain key = partition number) and
/// runs batches of commands for them one batch at a time, in order.
/// </summary>
[Alias("Orleans.Cache.IPartitionGrain")]
public interface IPartitionGrain : IGrainWithIntegerKey
{
    /// <summary>Runs the commands in order and returns one reply per command.</summary>
    [Alias("Execute")]
    ValueTask<ReplyBatch> Execute(CommandBatch batch);

    /// <summary>Runs one active-expire cycle now (the timer does this on its own); returns keys reclaimed.</summary>
    [Alias("SweepExpired")]
    ValueTask<int> SweepExpired(int maxKeys);

    /// <summary>The silo this partition is active on, for diagnostics and placement tests.</summary>
    [Alias("GetSilo")]
    ValueTask<string> GetSilo();
}
