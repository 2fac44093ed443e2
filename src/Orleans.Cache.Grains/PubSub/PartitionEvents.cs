using Orleans.Cache.Core;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Grains;

/// <summary>
/// A partition's keyspace-event sink: collects the (channel, message) pairs of one batch or sweep; the partition then
/// publishes them in order, one batch after the other, so a key's events arrive in the order they happened. A publish
/// that fails is reported to <paramref name="failed"/> and does not hold up the next. While some client tracks keys
/// (CLIENT TRACKING), every modified key is also announced on the partition's internal tracking channel.
/// </summary>
internal sealed class PartitionEvents(KeyspaceEventFlags flags, int partition, PubSubHub hub, Action<Exception> failed) : IKeyspaceEventSink
{
    private List<(byte[] Channel, byte[] Payload)> _pending = [];
    private List<(byte[] Channel, byte[] Payload)> _modified = [];
    private readonly byte[] _trackingChannel = KeyspaceEvents.TrackingChannel(partition);
    private Task _publishing = Task.CompletedTask;

    public KeyspaceEventFlags Flags { get; } = flags;

    public void OnKeyspaceEvent(KeyspaceEventFlags type, string name, byte[] key)
    {
        KeyspaceEvents.Channels(Flags, type, name, key, _pending);
        if ((Flags & KeyspaceEventFlags.Tracking) != 0 && KeyspaceEvents.Modifies(type)) _modified.Add((_trackingChannel, key));
    }

    /// <summary>Publishes what the last batch raised, after everything published before it; completes when all of it is published.</summary>
    public Task Flush()
    {
        if (_pending.Count == 0 && _modified.Count == 0) return _publishing;
        var events = _pending;
        var modified = _modified;
        _pending = [];
        _modified = [];
        return _publishing = PublishAfter(_publishing, events, modified);
    }

    /// <summary>Never fails: the replies that wait for it must not.</summary>
    private async Task PublishAfter(Task previous, List<(byte[], byte[])> events, List<(byte[], byte[])> modified)
    {
        await previous;
        try
        {
            if (modified.Count > 0) await hub.PublishAsync(ChannelSpace.Shard, modified);
            if (events.Count > 0) await hub.PublishAsync(ChannelSpace.Channel, events);
        }
        catch (Exception e) { failed(e); }
    }
}
