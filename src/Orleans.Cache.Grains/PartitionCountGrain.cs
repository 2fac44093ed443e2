using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.Cache.Grains;

/// <summary>Holds the running cluster's partition count (see <see cref="IPartitionCountGrain"/>); kept active while its silo runs.</summary>
internal sealed class PartitionCountGrain : Grain, IPartitionCountGrain
{
    private int _partitions;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(() => Task.CompletedTask, new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public ValueTask<int> Join(int partitions)
    {
        if (_partitions == 0) _partitions = partitions;
        return ValueTask.FromResult(_partitions);
    }

    public ValueTask<int> Get() => ValueTask.FromResult(_partitions);
}

/// <summary>
/// At silo start, before the silo serves: the snapshot storage's partition count (written by the first silo that started
/// on it) and the running cluster's must equal this silo's <c>Cache:Partitions</c>; otherwise the silo refuses to start.
/// </summary>
internal sealed partial class PartitionCountCheck(IServiceProvider services, IOptions<CacheOptions> options, IOptions<SnapshotOptions> snapshots,
    IGrainFactory grains, ILogger<PartitionCountCheck> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The record beside the snapshots: grain "orleans-cache/layout", state "partitions".</summary>
    public static readonly GrainId LayoutGrain = GrainId.Create("orleans-cache", "layout");
    public const string LayoutState = "partitions";
    private static readonly TimeSpan LayoutReadTimeout = TimeSpan.FromSeconds(5);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PartitionCountCheck), ServiceLifecycleStage.Active, CheckAsync);

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        int partitions = options.Value.Partitions;
        var storage = services.GetKeyedService<IGrainStorage>(SnapshotOptions.StorageName);
        LogStorage(storage switch
        {
            null => "nowhere (Snapshots:Storage = None): a restart starts empty",
            FileGrainStorage => $"local files in {Path.GetFullPath(snapshots.Value.Dir)}",
            _ when string.Equals(snapshots.Value.Storage, "AdoNet", StringComparison.OrdinalIgnoreCase) => "PostgreSQL (ADO.NET grain storage)",
            _ => $"the host's grain storage ({storage.GetType().Name})",
        });
        if (storage is not null)
        {
            var layout = new GrainState<PartitionLayout>(new PartitionLayout());
            try
            {
                // Bounded: storage that hangs must not hold the silo's start (each partition's manifest has the count too).
                await storage.ReadStateAsync(LayoutState, LayoutGrain, layout).WaitAsync(LayoutReadTimeout, cancellationToken);
                if (!layout.RecordExists) _ = RecordAsync(storage, partitions); // in the background: start never waits for a write
            }
            catch (Exception e)
            {
                // Storage may be down for now (partitions retry their loads); each snapshot's manifest has the count too.
                LogLayoutUnavailable(e);
            }
            if (layout.RecordExists && layout.State is { Partitions: > 0 } stored && stored.Partitions != partitions)
            {
                LogMismatch(stored.Partitions, partitions, "the snapshot storage");
                throw PartitionCountMismatchException.For(partitions, stored.Partitions, "the snapshot storage");
            }
        }
        int cluster = await grains.GetGrain<IPartitionCountGrain>(0).Join(partitions);
        if (cluster != partitions)
        {
            LogMismatch(cluster, partitions, "the running cluster");
            throw PartitionCountMismatchException.For(partitions, cluster, "the running cluster");
        }
    }

    private async Task RecordAsync(IGrainStorage storage, int partitions)
    {
        try { await storage.WriteStateAsync(LayoutState, LayoutGrain, new GrainState<PartitionLayout>(new PartitionLayout { Partitions = partitions })); }
        catch (Exception e) { LogLayoutUnavailable(e); }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read or record the partition count beside the snapshots; each partition checks its own snapshot's")]
    private partial void LogLayoutUnavailable(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Snapshots are stored in {Where}")]
    private partial void LogStorage(string where);

    [LoggerMessage(Level = LogLevel.Critical, Message = "This silo has Cache:Partitions {Configured} but {Where} has {Actual}: refusing to start")]
    private partial void LogMismatch(int actual, int configured, string where);
}
