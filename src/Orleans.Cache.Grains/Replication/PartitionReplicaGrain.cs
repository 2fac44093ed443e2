using Microsoft.Extensions.Logging;
using Orleans.Cache.Core;

namespace Orleans.Cache.Grains;

/// <summary>
/// One partition's replica on one silo (key <c>{partition}@{silo}</c>): the shell around a <see cref="PartitionReplica"/>.
/// Calls come from the primary one at a time (the grain is not reentrant), so effects apply in the order they were sent.
/// It stays active while the silo lives (a timer keeps it): a replica holds data.
/// </summary>
[ReplicaPlacement]
internal sealed partial class PartitionReplicaGrain(LocalReplicas local, CacheClock clock, ILogger<PartitionReplicaGrain> logger)
    : Grain, IPartitionReplicaGrain
{
    private PartitionReplica _replica = null!;
    private int _partition;
    /// <summary>The segments of a full sync received so far.</summary>
    private List<ReadOnlyMemory<byte>>? _segments;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        _partition = int.Parse(key.AsSpan(0, key.IndexOf('@')), System.Globalization.CultureInfo.InvariantCulture);
        _replica = new PartitionReplica(clock.Time);
        local.Add(_partition, _replica);
        this.RegisterGrainTimer(() => Task.CompletedTask, new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        local.Remove(_partition, _replica);
        return Task.CompletedTask;
    }

    public ValueTask<long> Apply(ReplicationBatch batch)
    {
        long failed = _replica.Failed;
        long offset = _replica.Apply(batch.Epoch, batch.First, batch.Effects, batch.At);
        if (_replica.Failed > failed) LogDiverged(_partition, batch.First);
        return ValueTask.FromResult(offset);
    }

    public ValueTask<long> Sync(ReplicaSync sync)
    {
        if (sync.Index == 0) _segments = [];
        if (_segments is null || _segments.Count != sync.Index) { _segments = null; return ValueTask.FromResult(-1L); }
        _segments.Add(sync.Segment);
        if (_segments.Count < sync.Count) return ValueTask.FromResult(0L);
        var data = new SnapshotData(_segments);
        _segments = null;
        long offset = _replica.Load(sync.Epoch, data, sync.At);
        LogSynced(_partition, offset, data.Length);
        return ValueTask.FromResult(offset);
    }

    public ValueTask Drop()
    {
        local.Remove(_partition, _replica);
        DeactivateOnIdle();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replica of partition {Partition} loaded a full sync at offset {Offset} ({Bytes} bytes)")]
    private partial void LogSynced(int partition, long offset, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica of partition {Partition} could not apply effect {Offset}; it asks for a full sync")]
    private partial void LogDiverged(int partition, long offset);
}

/// <summary>One silo's <see cref="LocalReplicas"/>, asked by placement from any silo (key <c>catalog@{silo}</c>).</summary>
[ReplicaPlacement, Orleans.Concurrency.Reentrant]
internal sealed class ReplicaCatalogGrain(LocalReplicas local) : Grain, IReplicaCatalogGrain
{
    public ValueTask<long> OffsetOf(int partition) => ValueTask.FromResult(local.OffsetOf(partition));
}
