using Microsoft.Extensions.Options;
using Orleans.Cache.Core;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Grains;

/// <summary>
/// Holds the cluster-wide notify-keyspace-events flags set with CONFIG SET, and whether some client tracks keys
/// (CLIENT TRACKING), and pushes them to every partition.
/// Reentrant: a partition activating during a push asks for the flags, and must not wait for the push to finish.
/// </summary>
[Orleans.Concurrency.Reentrant]
internal sealed class KeyspaceEventsGrain(IOptions<CacheOptions> cache, IOptions<PubSubOptions> pubSub) : Grain, IKeyspaceEventsGrain
{
    private int? _flags;
    private bool _tracking;
    private Task _trackingPushed = Task.CompletedTask;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(() => Task.CompletedTask, new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public ValueTask<int?> Get() => ValueTask.FromResult(_tracking ? Effective() : _flags);

    public async ValueTask Set(int flags)
    {
        _flags = flags & ~(int)KeyspaceEventFlags.Tracking;
        await Push(Effective());
    }

    public async ValueTask EnableTracking()
    {
        if (!_tracking)
        {
            _tracking = true;
            _trackingPushed = Push(Effective());
        }
        await _trackingPushed; // a second caller also answers only once every partition announces changes
    }

    /// <summary>The flags the partitions run with: as set (or configured), plus Tracking while some client tracks.</summary>
    private int Effective()
    {
        int flags = _flags ?? (KeyspaceEvents.TryParse(pubSub.Value.NotifyKeyspaceEvents, out var configured) ? (int)configured : 0);
        return _tracking ? flags | (int)KeyspaceEventFlags.Tracking : flags;
    }

    private Task Push(int flags)
    {
        var tasks = new List<Task>();
        for (int i = 0; i < cache.Value.Partitions; i++) tasks.Add(GrainFactory.GetGrain<IPartitionGrain>(i).SetKeyspaceEvents(flags).AsTask());
        return Task.WhenAll(tasks);
    }
}
