using Orleans.Cache.Core;

namespace Orleans.Cache.PubSub;

/// <summary>
/// A silo's pub/sub as the front doors see it: the RESP endpoint's (P|S)SUBSCRIBE, PUBLISH and PUBSUB, and the typed
/// <see cref="CacheSubscription"/>. The silo's hub implements it (<c>AddOrleansCache</c> registers it); where no silo
/// part runs, there is none and pub/sub commands fail.
/// </summary>
internal interface IPubSubBroker
{
    /// <summary>SUBSCRIBE / SSUBSCRIBE: one confirmation per channel, with the client's count after it.</summary>
    Task<Reply[]> SubscribeAsync(PubSubSubscriber client, ChannelSpace space, byte[][] channels);

    /// <summary>UNSUBSCRIBE / SUNSUBSCRIBE: the given channels, or all of the client's when none are given.</summary>
    Task<Reply[]> UnsubscribeAsync(PubSubSubscriber client, ChannelSpace space, byte[][] channels);

    /// <summary>PSUBSCRIBE: one confirmation per pattern.</summary>
    Task<Reply[]> PSubscribeAsync(PubSubSubscriber client, byte[][] patterns);

    /// <summary>PUNSUBSCRIBE: the given patterns, or all of the client's when none are given.</summary>
    Task<Reply[]> PUnsubscribeAsync(PubSubSubscriber client, byte[][] patterns);

    /// <summary>Drops every subscription of a client (disconnect, RESET), without replies.</summary>
    Task RemoveClientAsync(PubSubSubscriber client);

    /// <summary>The client's confirmations are written: release the messages held for its new subscriptions, in order.</summary>
    void Activate(PubSubSubscriber client);

    /// <summary>PUBLISH / SPUBLISH of a pipeline's messages, in order per shard; returns each message's receiver count.</summary>
    Task<long[]> PublishAsync(ChannelSpace space, IReadOnlyList<(byte[] Channel, byte[] Payload)> messages);

    /// <summary>PUBSUB CHANNELS / SHARDCHANNELS: channels with a subscriber cluster-wide, filtered by a glob pattern when given.</summary>
    Task<byte[][]> ChannelsAsync(ChannelSpace space, byte[]? pattern);

    /// <summary>PUBSUB NUMSUB / SHARDNUMSUB: the cluster-wide subscriber count of each channel.</summary>
    Task<long[]> NumSubAsync(ChannelSpace space, byte[][] channels);

    /// <summary>PUBSUB NUMPAT: distinct patterns subscribed cluster-wide.</summary>
    Task<long> NumPatAsync();

    /// <summary>CONFIG SET notify-keyspace-events: the new flags for the whole cluster.</summary>
    Task SetKeyspaceEventsAsync(KeyspaceEventFlags flags);

    /// <summary>CLIENT TRACKING ON: every partition of the cluster announces the keys it modifies from now on.</summary>
    Task EnableTrackingAsync();
}
