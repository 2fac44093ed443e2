using Orleans.Cache.Core;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Grains;

/// <summary>
/// A partition's keyspace-event sink: collects the (channel, message) pairs of one batch or sweep; the partition then
/// publishes them in order, one batch after the other, so a key's events arrive in the order they happened. A publish
/// that fails is reported to <paramref name="failed"/> and does not hold up the next.
/// </summary>
internal sealed class PartitionEvents(KeyspaceEventFlags flags, PubSubHub hub, Action<Exception> failed) : IKeyspaceEventSink
{
    private List<(byte[] Channel, byte[] Payload)> _pending = [];
    private Task _publishing = Task.CompletedTask;

    public KeyspaceEventFlags Flags { get; } = flags;

    public void OnKeyspaceEvent(KeyspaceEventFlags type, string name, byte[] key) => KeyspaceEvents.Channels(Flags, type, name, key, _pending);

    /// <summary>Publishes what the last batch raised, after everything published before it; completes when all of it is published.</summary>
    public Task Flush()
    {
        if (_pending.Count == 0) return _publishing;
        var events = _pending;
        _pending = [];
        return _publishing = PublishAfter(_publishing, events);
    }

    /// <summary>Never fails: the replies that wait for it must not.</summary>
    private async Task PublishAfter(Task previous, List<(byte[], byte[])> events)
    {
        await previous;
        try { await hub.PublishAsync(ChannelSpace.Channel, events); }
        catch (Exception e) { failed(e); }
    }
}
