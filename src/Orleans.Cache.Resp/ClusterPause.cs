using System.Globalization;
using System.Text;
using Orleans.Cache.Core;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Resp;

/// <summary>
/// CLIENT PAUSE / UNPAUSE for the whole cluster: the silo that gets the command pauses its own clients at once, then
/// announces the pause (its mode and wall-clock end) on an internal shard channel that every silo's front door listens
/// to, so the clients of every silo wait alike; UNPAUSE is announced the same way. One channel, so announcements keep
/// their order. Without the silo's pub/sub (a bare endpoint) the pause is this node's only.
/// </summary>
internal sealed class ClusterPause(RespNode node) : PubSubSubscriber
{
    private static readonly byte[] Channel = "__orleans_cache__:pause"u8.ToArray();
    private static readonly byte[] UnpauseMessage = "UNPAUSE"u8.ToArray();

    /// <summary>Listens for other silos' pauses (at start, once the silo runs).</summary>
    public async Task StartAsync()
    {
        if (node.Broker is not { } broker) return;
        await broker.SubscribeAsync(this, ChannelSpace.Shard, [Channel]);
        broker.Activate(this);
    }

    /// <summary>Pauses this node now; completes once the other silos have been told.</summary>
    public Task PauseAsync(TimeSpan timeout, bool all)
    {
        node.Pause.Pause(timeout, all);
        long until = (node.Time.GetUtcNow() + timeout).ToUnixTimeMilliseconds();
        return Announce(Encoding.ASCII.GetBytes($"{(all ? "ALL" : "WRITE")} {until.ToString(CultureInfo.InvariantCulture)}"));
    }

    /// <summary>Ends the pause here now; completes once the other silos have been told.</summary>
    public Task UnpauseAsync()
    {
        node.Pause.Unpause();
        return Announce(UnpauseMessage);
    }

    private Task Announce(byte[] message) =>
        node.Broker is { } broker && ShardChannels > 0 ? broker.PublishAsync(ChannelSpace.Shard, [(Channel, message)]) : Task.CompletedTask;

    /// <summary>A pause announced by any silo (this one's own too, which changes nothing): applied to this node's clients.</summary>
    public override void Deliver(Reply push, int size)
    {
        if (push.Items is not { Length: 3 } items || items[2].Bytes is not { } payload) return;
        var text = Encoding.ASCII.GetString(payload).Split(' ');
        if (text is ["UNPAUSE"]) node.Pause.Unpause();
        else if (text is [var mode, var end] && long.TryParse(end, NumberStyles.Integer, CultureInfo.InvariantCulture, out long until))
        {
            var left = DateTimeOffset.FromUnixTimeMilliseconds(until) - node.Time.GetUtcNow();
            if (left > TimeSpan.Zero) node.Pause.Pause(left, mode == "ALL");
        }
    }
}
