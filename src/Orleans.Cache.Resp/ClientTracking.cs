using Orleans.Cache.Core;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Resp;

/// <summary>
/// Client-side caching for the clients of one front door (CLIENT TRACKING). The first client that turns tracking on
/// makes every partition of the cluster announce the keys it modifies, on internal shard channels this node then
/// listens to; an announced key is looked up in the node's <see cref="TrackingTable"/>, and each client to tell gets
/// Redis's invalidation: a RESP3 <c>invalidate</c> push, or with REDIRECT a message on <c>__redis__:invalidate</c> to the
/// client it redirects to (which must be connected to the same silo). FLUSHALL / FLUSHDB anywhere invalidates everything.
/// </summary>
internal sealed class ClientTracking(RespNode node) : PubSubSubscriber
{
    private static readonly byte[] RedisChannel = "__redis__:invalidate"u8.ToArray();
    private static readonly Reply Invalidate = Reply.Bulk("invalidate");
    private static readonly Reply Message = Reply.Bulk("message");
    private readonly object _lock = new();
    private Task? _started;

    public TrackingTable Table { get; } = new();

    /// <summary>Listens for modified keys and turns announcing on cluster-wide (once; a failed start is tried again next time).</summary>
    public Task StartAsync()
    {
        lock (_lock)
        {
            if (_started is { IsFaulted: false, IsCanceled: false }) return _started;
            return _started = StartCoreAsync();
        }
    }

    private async Task StartCoreAsync()
    {
        var broker = node.Broker ?? throw new InvalidOperationException("client tracking needs the silo's pub/sub");
        int partitions = node.Executor.Partitions.Count;
        var channels = new byte[partitions + 1][];
        for (int p = 0; p < partitions; p++) channels[p] = KeyspaceEvents.TrackingChannel(p);
        channels[partitions] = KeyspaceEvents.TrackingFlushChannel;
        if (ShardChannels == 0) await broker.SubscribeAsync(this, ChannelSpace.Shard, channels);
        broker.Activate(this);
        await broker.EnableTrackingAsync();
    }

    /// <summary>FLUSHALL / FLUSHDB ran through this node: every front door tells its tracking clients.</summary>
    public Task AnnounceFlushAsync() =>
        node.Broker is { } broker
            ? broker.PublishAsync(ChannelSpace.Shard, [(KeyspaceEvents.TrackingFlushChannel, [])])
            : Task.CompletedTask;

    /// <summary>A modified key (or a flush) announced by a partition: called under the hub's lock, so nothing here blocks.</summary>
    public override void Deliver(Reply push, int size)
    {
        if (push.Items is not { Length: 3 } items || items[1].Bytes is not { } channel) return;
        var clients = new HashSet<long>();
        byte[]? key = null;
        if (channel.AsSpan().SequenceEqual(KeyspaceEvents.TrackingFlushChannel)) Table.InvalidateAll(clients);
        else
        {
            key = items[2].Bytes ?? [];
            Table.Invalidate(key, clients);
        }
        foreach (long id in clients)
        {
            try { Tell(id, key); }
            catch (Exception e) { Log.InvalidationFailed(node.Logger, e, id); }
        }
    }

    /// <summary>Sends one invalidation (a null key: everything) where the client asked for it.</summary>
    private void Tell(long id, byte[]? key)
    {
        if (!node.Clients.TryGetValue(id, out var client) || client.Tracking is not { } mode) return;
        var target = client;
        if (mode.Redirect != 0 && !node.Clients.TryGetValue(mode.Redirect, out target))
        {
            mode.BrokenRedirect = true;
            if (client.Protocol == 3)
                client.Subscriber?.Deliver(Reply.Push([Reply.Bulk("tracking-redir-broken"), Reply.Int(mode.Redirect)]), 64);
            return;
        }
        var keys = key is null ? Reply.Nil : Reply.Array([Reply.Bulk(key)]);
        int size = (key?.Length ?? 0) + 48;
        if (target.Protocol == 3) target.Subscriber?.Deliver(Reply.Push([Invalidate, keys]), size);
        else if (mode.Redirect != 0 && target.Subscriber is { IsSubscribed: true } sub)
            sub.Deliver(Reply.Push([Message, Reply.Bulk(RedisChannel), keys]), size);
        // A RESP2 client without redirection cannot be told anything (Redis sends nothing either).
    }
}
