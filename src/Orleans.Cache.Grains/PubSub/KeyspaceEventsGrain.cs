using Microsoft.Extensions.Options;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Grains;

/// <summary>
/// Holds the cluster-wide notify-keyspace-events flags set with CONFIG SET and pushes them to every partition.
/// Reentrant: a partition activating during a push asks for the flags, and must not wait for the push to finish.
/// </summary>
[Orleans.Concurrency.Reentrant]
public sealed class KeyspaceEventsGrain(IOptions<CacheOptions> cache) : Grain, IKeyspaceEventsGrain
{
    private int? _flags;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(() => Task.CompletedTask, new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public ValueTask<int?> Get() => ValueTask.FromResult(_flags);

    public async ValueTask Set(int flags)
    {
        _flags = flags;
        var tasks = new List<Task>();
        for (int i = 0; i < cache.Value.Partitions; i++) tasks.Add(GrainFactory.GetGrain<IPartitionGrain>(i).SetKeyspaceEvents(flags).AsTask());
        await Task.WhenAll(tasks);
    }
}
