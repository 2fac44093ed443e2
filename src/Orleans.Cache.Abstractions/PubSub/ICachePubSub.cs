using System.Text;
using System.Threading.Channels;
using Orleans.Cache.Core;

namespace Orleans.Cache.PubSub;

/// <summary>One message received by a <see cref="CacheSubscription"/>.</summary>
public sealed record CacheMessage(string Channel, byte[] Payload, string? Pattern)
{
    /// <summary>The payload as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Payload);

    /// <summary>
    /// On a <see cref="ICachePubSub.SubscribeKeyChangesAsync"/> subscription: every key changed at once (FLUSHALL or FLUSHDB
    /// through a RESP endpoint); <see cref="Payload"/> is empty.
    /// </summary>
    public bool IsFlush => Channel == KeyspaceEvents.TrackingFlushChannelName;
}

/// <summary>
/// Typed Pub/Sub for co-hosted apps (in a silo): publish, subscribe to channels and patterns, keyspace events. The silo
/// registers it (<c>AddOrleansCache</c>) over its pub/sub hub.
/// </summary>
public interface ICachePubSub
{
    /// <summary>PUBLISH: returns how many clients in the whole cluster received the message.</summary>
    Task<long> PublishAsync(string channel, byte[] message, CancellationToken cancellationToken = default);
    /// <summary>PUBLISH of <paramref name="message"/>'s UTF-8 bytes.</summary>
    Task<long> PublishAsync(string channel, string message, CancellationToken cancellationToken = default);

    /// <summary>SUBSCRIBE: messages published after this returns are delivered, in publish order per publisher.</summary>
    Task<CacheSubscription> SubscribeAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>PSUBSCRIBE with Redis's glob rules.</summary>
    Task<CacheSubscription> SubscribePatternAsync(string pattern, CancellationToken cancellationToken = default);

    /// <summary>Key events (<c>__keyevent@0__:&lt;event&gt;</c>, e.g. "expired", "set", "*"); each message's payload is the key.</summary>
    Task<CacheSubscription> SubscribeKeyEventsAsync(string eventName = "*", CancellationToken cancellationToken = default);

    /// <summary>
    /// Every key modified anywhere in the cluster from now on — written, deleted, expired or evicted — as client-side
    /// caching (CLIENT TRACKING) learns of them: each message's <see cref="CacheMessage.Payload"/> is the key, in the order
    /// its partition changed it; a message with <see cref="CacheMessage.IsFlush"/> means every key changed. The first such
    /// subscription (or CLIENT TRACKING ON) makes every partition announce the keys it modifies for the rest of the
    /// cluster's life, one pub/sub message per write.
    /// </summary>
    Task<CacheSubscription> SubscribeKeyChangesAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets notify-keyspace-events for the whole cluster (Redis's flag string, e.g. "Ex" or "KEA"; "" turns it off).</summary>
    Task SetKeyspaceEventsAsync(string flags, CancellationToken cancellationToken = default);
}

/// <summary>
/// A live subscription: read it with <c>await foreach (var m in subscription.ReadAllAsync())</c>; dispose it to
/// unsubscribe. Messages queue without bound until read, as a .NET channel does.
/// </summary>
public sealed class CacheSubscription : PubSubSubscriber, IAsyncDisposable
{
    private readonly Channel<CacheMessage> _messages = Channel.CreateUnbounded<CacheMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IPubSubBroker _broker;

    internal CacheSubscription(IPubSubBroker broker) => _broker = broker;

    /// <summary>The messages received, in order.</summary>
    public ChannelReader<CacheMessage> Reader => _messages.Reader;

    /// <summary>The messages received, in order, until the subscription is disposed.</summary>
    public IAsyncEnumerable<CacheMessage> ReadAllAsync(CancellationToken cancellationToken = default) => _messages.Reader.ReadAllAsync(cancellationToken);

    /// <inheritdoc/>
    public override void Deliver(Reply push, int size)
    {
        var items = push.Items!;
        var message = items.Length == 4
            ? new CacheMessage(Encoding.UTF8.GetString(items[2].Bytes!), items[3].Bytes!, Encoding.UTF8.GetString(items[1].Bytes!))
            : new CacheMessage(Encoding.UTF8.GetString(items[1].Bytes!), items[2].Bytes!, null);
        _messages.Writer.TryWrite(message);
    }

    /// <summary>Unsubscribes and completes <see cref="Reader"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Closed) return;
        await _broker.RemoveClientAsync(this);
        Closed = true;
        _messages.Writer.TryComplete();
    }
}
