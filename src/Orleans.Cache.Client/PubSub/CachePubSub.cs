using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Orleans.Cache.Core;

namespace Orleans.Cache.PubSub;

/// <summary>One message received by a <see cref="CacheSubscription"/>.</summary>
public sealed record CacheMessage(string Channel, byte[] Payload, string? Pattern)
{
    /// <summary>The payload as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Payload);
}

/// <summary>Typed Pub/Sub for co-hosted apps (in a silo): publish, subscribe to channels and patterns, keyspace events.</summary>
public interface ICachePubSub
{
    /// <summary>PUBLISH: returns how many clients in the whole cluster received the message.</summary>
    Task<long> PublishAsync(string channel, byte[] message, CancellationToken cancellationToken = default);
    Task<long> PublishAsync(string channel, string message, CancellationToken cancellationToken = default);

    /// <summary>SUBSCRIBE: messages published after this returns are delivered, in publish order per publisher.</summary>
    Task<CacheSubscription> SubscribeAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>PSUBSCRIBE with Redis's glob rules.</summary>
    Task<CacheSubscription> SubscribePatternAsync(string pattern, CancellationToken cancellationToken = default);

    /// <summary>Key events (<c>__keyevent@0__:&lt;event&gt;</c>, e.g. "expired", "set", "*"); each message's payload is the key.</summary>
    Task<CacheSubscription> SubscribeKeyEventsAsync(string eventName = "*", CancellationToken cancellationToken = default);

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
    private readonly PubSubHub _hub;

    internal CacheSubscription(PubSubHub hub) => _hub = hub;

    public ChannelReader<CacheMessage> Reader => _messages.Reader;

    public IAsyncEnumerable<CacheMessage> ReadAllAsync(CancellationToken cancellationToken = default) => _messages.Reader.ReadAllAsync(cancellationToken);

    public override void Deliver(Reply push, int size)
    {
        var items = push.Items!;
        var message = items.Length == 4
            ? new CacheMessage(Encoding.UTF8.GetString(items[2].Bytes!), items[3].Bytes!, Encoding.UTF8.GetString(items[1].Bytes!))
            : new CacheMessage(Encoding.UTF8.GetString(items[1].Bytes!), items[2].Bytes!, null);
        _messages.Writer.TryWrite(message);
    }

    public async ValueTask DisposeAsync()
    {
        if (Closed) return;
        await _hub.RemoveClientAsync(this);
        Closed = true;
        _messages.Writer.TryComplete();
    }
}

internal sealed class CachePubSub(PubSubHub hub, IGrainFactory grains) : ICachePubSub
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

    public async Task SetKeyspaceEventsAsync(string flags, CancellationToken cancellationToken = default)
    {
        if (!KeyspaceEvents.TryParse(flags, out var parsed)) throw new ArgumentException($"Invalid event class character in '{flags}'. Use 'Ag$lshzxeKEtmdn'.", nameof(flags));
        await grains.GetGrain<IKeyspaceEventsGrain>(0).Set((int)parsed).AsTask().WaitAsync(cancellationToken);
    }
}

/// <summary>Creates the typed Pub/Sub facade over a silo's hub.</summary>
public static class CachePubSubFactory
{
    public static ICachePubSub Create(PubSubHub hub, IGrainFactory grains) => new CachePubSub(hub, grains);
}
