using Orleans.Cache.Core;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Resp.Commands;

// PUBLISH, (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, SPUBLISH, PUBSUB: through the silo's pub/sub broker.
internal sealed partial class ServerCommands
{
    private static readonly Reply NoPubSub = Reply.Error("ERR pub/sub is not available on this endpoint");

    /// <summary>Commands a RESP2 client in subscribed mode may still send.</summary>
    public static bool AllowedInSubscribedMode(CommandInfo command) => command.Name is
        "SUBSCRIBE" or "UNSUBSCRIBE" or "PSUBSCRIBE" or "PUNSUBSCRIBE" or "SSUBSCRIBE" or "SUNSUBSCRIBE" or "PING" or "QUIT" or "RESET";

    public static Reply SubscribedModeError(CommandInfo command) => Reply.Error(
        $"ERR Can't execute '{command.Name.ToLowerInvariant()}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");

    /// <summary>Commands that change a client's subscriptions: each ends its round, so the next command sees the new mode.</summary>
    public static bool ChangesSubscriptions(CommandInfo command) => command.Name is
        "SUBSCRIBE" or "UNSUBSCRIBE" or "PSUBSCRIBE" or "PUNSUBSCRIBE" or "SSUBSCRIBE" or "SUNSUBSCRIBE";

    /// <summary>Runs a subscription command; the replies are the confirmations, one per channel or pattern.</summary>
    internal async Task<Reply[]> SubscriptionAsync(RespSession client, CommandInfo command, byte[][] argv, Func<RespSubscriber> subscriber)
    {
        var broker = node.Broker;
        if (broker is null) return [NoPubSub];
        var names = argv[1..];
        var sub = client.Subscriber ?? subscriber();
        var confirmations = command.Name switch
        {
            "SUBSCRIBE" => await broker.SubscribeAsync(sub, ChannelSpace.Channel, names),
            "SSUBSCRIBE" => await broker.SubscribeAsync(sub, ChannelSpace.Shard, names),
            "UNSUBSCRIBE" => await broker.UnsubscribeAsync(sub, ChannelSpace.Channel, names),
            "SUNSUBSCRIBE" => await broker.UnsubscribeAsync(sub, ChannelSpace.Shard, names),
            "PSUBSCRIBE" => await broker.PSubscribeAsync(sub, names),
            _ => await broker.PUnsubscribeAsync(sub, names),
        };
        client.TrackSubscriptions(confirmations);
        return confirmations;
    }

    /// <summary>PUBLISH / SPUBLISH of one pipeline round, in order; returns the receiver counts.</summary>
    internal async Task<Reply[]> PublishAsync(IReadOnlyList<(bool Sharded, byte[] Channel, byte[] Payload)> messages)
    {
        var broker = node.Broker;
        var replies = new Reply[messages.Count];
        if (broker is null) { Array.Fill(replies, NoPubSub); return replies; }
        var channels = new List<(byte[], byte[])>();
        var shards = new List<(byte[], byte[])>();
        foreach (var (sharded, channel, payload) in messages) (sharded ? shards : channels).Add((channel, payload));
        var counts = await Task.WhenAll(
            channels.Count > 0 ? broker.PublishAsync(ChannelSpace.Channel, channels) : Task.FromResult(Array.Empty<long>()),
            shards.Count > 0 ? broker.PublishAsync(ChannelSpace.Shard, shards) : Task.FromResult(Array.Empty<long>()));
        int c = 0, s = 0;
        for (int i = 0; i < messages.Count; i++) replies[i] = Reply.Int(messages[i].Sharded ? counts[1][s++] : counts[0][c++]);
        return replies;
    }

    /// <summary>PUBSUB CHANNELS | NUMSUB | NUMPAT | SHARDCHANNELS | SHARDNUMSUB | HELP, asked of the broker (the silo's shard grains).</summary>
    internal async Task<Reply> PubSubAsync(byte[][] argv)
    {
        var sub = argv[1];
        int n = argv.Length;
        if (Args.Is(sub, "HELP"))
            return n == 2 ? Help("PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
                "NUMPAT", "    Return number of subscriptions to patterns.",
                "NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding",
                "    pattern subscriptions(default: no channels).",
                "SHARDCHANNELS [<pattern>]", "    Return the currently active shard level channels matching a <pattern> (default: '*').",
                "SHARDNUMSUB [<shardchannel> ...]", "    Return the number of subscribers for the specified shard level channel(s)",
                "HELP", "    Prints this help.") : SubcommandArity("pubsub|help");
        bool channels = Args.Is(sub, "CHANNELS"), shardChannels = Args.Is(sub, "SHARDCHANNELS");
        bool numSub = Args.Is(sub, "NUMSUB"), shardNumSub = Args.Is(sub, "SHARDNUMSUB");
        if (Args.Is(sub, "NUMPAT") && n != 2) return SubcommandArity("pubsub|numpat");
        if ((channels || shardChannels) && n > 3)
            return Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{Args.Text(sub)}'. Try PUBSUB HELP.");
        if (!channels && !shardChannels && !numSub && !shardNumSub && !Args.Is(sub, "NUMPAT")) return UnknownSubcommand(sub, "PUBSUB");
        var broker = node.Broker;
        if (broker is null) return NoPubSub;

        if (channels || shardChannels)
        {
            var space = channels ? ChannelSpace.Channel : ChannelSpace.Shard;
            byte[]? pattern = n == 3 ? argv[2] : null;
            return Reply.Array([.. (await broker.ChannelsAsync(space, pattern)).Select(Reply.Bulk)]);
        }
        if (numSub || shardNumSub)
        {
            var space = numSub ? ChannelSpace.Channel : ChannelSpace.Shard;
            var names = argv[2..];
            var counts = await broker.NumSubAsync(space, names);
            var items = new Reply[names.Length * 2];
            for (int i = 0; i < names.Length; i++) { items[2 * i] = Reply.Bulk(names[i]); items[2 * i + 1] = Reply.Int(counts[i]); }
            return Reply.Array(items); // a flat array in RESP3 too, as Redis answers
        }
        return Reply.Int(await broker.NumPatAsync());
    }
}
