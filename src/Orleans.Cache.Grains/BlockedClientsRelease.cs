using Orleans.Runtime;

namespace Orleans.Cache.Grains;

/// <summary>
/// When the silo begins to stop, before Orleans deactivates its grains: every local partition lets its blocked clients go
/// (their callers wait on at the partition's next activation). A BLPOP grain call still open would hold its partition's
/// deactivation, and with it the shutdown save, until the silo gave up waiting.
/// </summary>
internal sealed class BlockedClientsRelease(LocalPartitions partitions) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(BlockedClientsRelease), ServiceLifecycleStage.Active, _ => Task.CompletedTask, Release);

    private Task Release(CancellationToken cancellationToken)
    {
        foreach (var partition in partitions.Active) partition.ReleaseBlocked();
        return Task.CompletedTask;
    }
}
