using System.Text;
using Orleans.Cache.Core;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Grains;

/// <summary>The co-hosted <see cref="ICachePubSub"/>: the typed facade over this silo's <see cref="PubSubHub"/>.</summary>
internal sealed class CachePubSub(PubSubHub hub, IGrainFactory grains, int partitions) : ICachePubSub
{
    public Task<long> PublishAsync(string channel, string message, CancellationToken cancellationToken = default) =>
        PublishAsync(channel, Encoding.UTF8.GetBytes(message), cancellationToken);

    public async Task<long> PublishAsync(string channel, byte[] message, CancellationToken cancellationToken = default) =>
        (await hub.PublishAsync(ChannelSpace.Channel, [(Encoding.UTF8.GetBytes(channel), message)]).WaitAsync(cancellationToken))[0];

    public async Task<CacheSubscription> SubscribeAsync(string channel, CancellationToken cancellationToken = default)
    {
        var sub = new CacheSubscription(hub);
        await hub.SubscribeAsync(sub, ChannelSpace.Channel, [Encoding.UTF8.GetBytes(channel)]).WaitAsync(cancellationToken);
        hub.Activate(sub);
        return sub;
    }

    public async Task<CacheSubscription> SubscribePatternAsync(string pattern, CancellationToken cancellationToken = default)
    {
        var sub = new CacheSubscription(hub);
        await hub.PSubscribeAsync(sub, [Encoding.UTF8.GetBytes(pattern)]).WaitAsync(cancellationToken);
        hub.Activate(sub);
        return sub;
    }

    public Task<CacheSubscription> SubscribeKeyEventsAsync(string eventName = "*", CancellationToken cancellationToken = default) =>
        eventName.Contains('*') || eventName.Contains('?') || eventName.Contains('[')
            ? SubscribePatternAsync("__keyevent@0__:" + eventName, cancellationToken)
            : SubscribeAsync("__keyevent@0__:" + eventName, cancellationToken);

    public async Task<CacheSubscription> SubscribeKeyChangesAsync(CancellationToken cancellationToken = default)
    {
        // Subscribed before announcing is turned on, as CLIENT TRACKING ON does: no change made after this returns is missed.
        var sub = new CacheSubscription(hub);
        byte[][] channels = [.. Enumerable.Range(0, partitions).Select(KeyspaceEvents.TrackingChannel), KeyspaceEvents.TrackingFlushChannel];
        await hub.SubscribeAsync(sub, ChannelSpace.Shard, channels).WaitAsync(cancellationToken);
        hub.Activate(sub);
        await hub.EnableTrackingAsync().WaitAsync(cancellationToken);
        return sub;
    }

    public async Task SetKeyspaceEventsAsync(string flags, CancellationToken cancellationToken = default)
    {
        if (!KeyspaceEvents.TryParse(flags, out var parsed)) throw new ArgumentException($"Invalid event class character in '{flags}'. Use 'Ag$lshzxeKEtmdn'.", nameof(flags));
        await grains.GetGrain<IKeyspaceEventsGrain>(0).Set((int)parsed).AsTask().WaitAsync(cancellationToken);
    }
}
