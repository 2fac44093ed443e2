using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Cache.PubSub;
using Orleans.Runtime;

namespace Orleans.Cache.Grains;

/// <summary>
/// Runs in every silo: watches cluster membership and, when a silo is declared dead, tells every pub/sub shard to
/// forget the subscriptions of that silo's hubs (<see cref="IPubSubShardGrain.DropSilo"/>). A crashed silo never
/// unsubscribes its clients, so without this its counts would stay in the shards and PUBLISH, PUBSUB NUMSUB and
/// NUMPAT would keep counting clients that are gone. Every silo does it (the call is idempotent), so the sweep
/// happens as long as one silo survives; a silo that starts later sweeps the dead silos it finds in the table once.
/// The shards that lived on the dead silo come back elsewhere with empty directories, so after a sweep this silo's hub
/// announces its own subscriptions again to the shards that lost them (<see cref="PubSubHub.RestoreShardsAsync"/>).
/// </summary>
internal sealed partial class DeadHubSweeper(
    IClusterMembershipService membership,
    IGrainFactory grains,
    PubSubHub hub,
    IOptions<PubSubOptions> options,
    ILogger<DeadHubSweeper> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private const int MaxAttempts = 30;

    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<SiloAddress> _swept = [];
    private Task _watching = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DeadHubSweeper), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken _)
    {
        _watching = Task.Run(() => WatchAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        await _watching.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stopping))
            {
                bool died = false;
                foreach (var (silo, member) in snapshot.Members)
                {
                    if (member.Status != SiloStatus.Dead || _swept.Contains(silo)) continue;
                    await SweepAsync(silo, stopping);
                    _swept.Add(silo); // swept, or given up on after logging: either way not again
                    died = true;
                }
                if (died) await RestoreAsync(stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogWatchFailed(e);
        }
    }

    private async Task SweepAsync(SiloAddress silo, CancellationToken stopping)
    {
        string prefix = silo.ToParsableString();
        int shards = options.Value.Shards;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                // Shards that lived on the dead silo come back empty elsewhere; the call activates them harmlessly.
                var dropped = await Task.WhenAll(Enumerable.Range(0, shards)
                    .Select(i => grains.GetGrain<IPubSubShardGrain>(i).DropSilo(prefix).AsTask()));
                long total = dropped.Sum();
                if (total > 0) LogSwept(silo, total);
                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                if (attempt >= MaxAttempts)
                {
                    LogSweepFailed(e, silo, attempt);
                    return;
                }
                await Task.Delay(RetryDelay, stopping);
            }
        }
    }

    private async Task RestoreAsync(CancellationToken stopping)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await hub.RestoreShardsAsync(stopping);
                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                if (attempt >= MaxAttempts)
                {
                    LogRestoreFailed(e, attempt);
                    return;
                }
                await Task.Delay(RetryDelay, stopping);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped {Count} pub/sub subscriptions of dead silo {Silo}")]
    private partial void LogSwept(SiloAddress silo, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not drop the pub/sub subscriptions of dead silo {Silo} after {Attempts} attempts")]
    private partial void LogSweepFailed(Exception e, SiloAddress silo, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not restore this silo's pub/sub subscriptions on the shards that lost them after {Attempts} attempts")]
    private partial void LogRestoreFailed(Exception e, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pub/sub membership watch stopped")]
    private partial void LogWatchFailed(Exception e);
}
