using Orleans.Cache.Core;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Grains;

/// <summary>
/// A partition's keyspace-event sink: collects the (channel, message) pairs of one batch or sweep; the partition then
/// publishes them in order, one batch after the other, so a key's events arrive in the order they happened.
/// </summary>
internal sealed class PartitionEvents(KeyspaceEventFlags flags, PubSubHub hub) : IKeyspaceEventSink
{
    private List<(byte[] Channel, byte[] Payload)> _pending = [];
    private Task _publishing = Task.CompletedTask;

    public KeyspaceEventFlags Flags { get; } = flags;

    public void OnKeyspaceEvent(KeyspaceEventFlags type, string name, byte[] key) => KeyspaceEvents.Channels(Flags, type, name, key, _pending);

    /// <summary>Publishes what the last batch raised, after everything published before it.</summary>
    public void Flush()
    {
        if (_pending.Count == 0) return;
        var events = _pending;
        _pending = [];
        _publishing = PublishAfter(_publishing, events);
    }

    private async Task PublishAfter(Task previous, List<(byte[], byte[])> events)
    {
        try { await previous; } catch { /* logged by the previous one */ }
        await hub.PublishAsync(ChannelSpace.Channel, events);
    }
}
