using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.PubSub;

/// <summary>
/// One subscribing client of a silo's <see cref="IPubSubBroker"/> (a RESP connection or a typed-client subscription):
/// its channels, patterns and shard channels, and where its messages go. <see cref="Deliver"/> is called under the
/// hub's lock and must not block. The sets are kept by the silo's hub (Orleans.Cache.Grains, which sees the internals).
/// </summary>
public abstract class PubSubSubscriber
{
    internal readonly OrderedDictionary<string, byte[]> ChannelSet = new(StringComparer.Ordinal);
    internal readonly OrderedDictionary<string, byte[]> PatternSet = new(StringComparer.Ordinal);
    internal readonly OrderedDictionary<string, byte[]> ShardSet = new(StringComparer.Ordinal);
    /// <summary>Subscriptions whose confirmation is not written yet; their messages are held until <see cref="IPubSubBroker.Activate"/>.</summary>
    internal readonly List<object> Pending = [];

    /// <summary>Some new subscription waits for <see cref="IPubSubBroker.Activate"/> (its confirmation is not written yet).</summary>
    public bool HasPending => Pending.Count > 0;

    /// <summary>How many channels this client subscribed to (SUBSCRIBE).</summary>
    public int Channels => ChannelSet.Count;
    /// <summary>How many patterns this client subscribed to (PSUBSCRIBE).</summary>
    public int Patterns => PatternSet.Count;
    /// <summary>How many shard channels this client subscribed to (SSUBSCRIBE).</summary>
    public int ShardChannels => ShardSet.Count;

    /// <summary>Redis's clientSubscriptionsCount: channels plus patterns (what (P)SUBSCRIBE replies count).</summary>
    public int Count => ChannelSet.Count + PatternSet.Count;

    /// <summary>Any subscription at all: a RESP2 client in this state is in subscribed mode.</summary>
    public bool IsSubscribed => Count + ShardSet.Count > 0;

    /// <summary>Set when the client went away: the hub stops delivering to it.</summary>
    public bool Closed { get; protected set; }

    /// <summary>Takes one message (a push reply shared between receivers); <paramref name="size"/> is its encoded size, roughly.</summary>
    public abstract void Deliver(Reply push, int size);

    internal OrderedDictionary<string, byte[]> SetOf(ChannelSpace space) => space switch
    {
        ChannelSpace.Channel => ChannelSet,
        ChannelSpace.Shard => ShardSet,
        _ => PatternSet,
    };

    internal static string Key(byte[] name) => Encoding.Latin1.GetString(name);
}
