using Orleans.Concurrency;

namespace Orleans.Cache.PubSub;

/// <summary>Which of Redis's three subscription spaces a channel or stream belongs to.</summary>
internal enum ChannelSpace : byte
{
    /// <summary>SUBSCRIBE / PUBLISH channels.</summary>
    Channel,
    /// <summary>SSUBSCRIBE / SPUBLISH shard channels (no pattern matching, their own namespace).</summary>
    Shard,
    /// <summary>A shard grain's pattern stream: every message that matched some PSUBSCRIBE pattern.</summary>
    Pattern,
}

/// <summary>
/// One message as it travels on a stream: the channel, the payload, the shard grain's sequence number and the epoch of
/// the shard activation that numbered it, which hubs use to deliver it to exactly the clients that the shard counted.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.PubSub.PubSubDelivery")]
internal sealed class PubSubDelivery(byte[] channel, byte[] payload, long sequence, long epoch)
{
    [Id(0)] public byte[] Channel { get; } = channel;
    [Id(1)] public byte[] Payload { get; } = payload;
    [Id(2)] public long Sequence { get; } = sequence;
    [Id(3)] public long Epoch { get; } = epoch;
}

/// <summary>
/// A shard's answer to a join, a leave or a restore: a sequence number, and the epoch of the shard activation that gave
/// it. A shard's directory lives in memory, so a new activation (its silo died) starts empty with a new epoch; a hub
/// that sees the epoch change knows the registrations it made before are gone and restores them.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.PubSub.ShardSequence")]
internal sealed class ShardSequence(long sequence, long epoch)
{
    [Id(0)] public long Sequence { get; } = sequence;
    [Id(1)] public long Epoch { get; } = epoch;
}

/// <summary>How many clients of one hub are subscribed to a channel, a shard channel or a pattern (<see cref="ChannelSpace.Pattern"/>).</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.PubSub.SubscriptionCount")]
internal sealed class SubscriptionCount(ChannelSpace space, byte[] name, int count)
{
    [Id(0)] public ChannelSpace Space { get; } = space;
    [Id(1)] public byte[] Name { get; } = name;
    [Id(2)] public int Count { get; } = count;
}

/// <summary>Messages from one publisher for one shard, in publish order.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.PubSub.PublishBatch")]
internal sealed class PublishBatch(ChannelSpace space, byte[][] channels, byte[][] payloads)
{
    [Id(0)] public ChannelSpace Space { get; } = space;
    [Id(1)] public byte[][] Channels { get; } = channels;
    [Id(2)] public byte[][] Payloads { get; } = payloads;
}

/// <summary>
/// The sequencer and subscription directory of a slice of the channel space (channel hash mod shard count).
/// It counts subscribers per hub, numbers messages, counts receivers as Redis does and puts messages on the
/// channel's stream (and on its pattern stream when a pattern matched). Patterns are registered on every shard.
/// </summary>
[Alias("Orleans.Cache.PubSub.IPubSubShardGrain")]
internal interface IPubSubShardGrain : IGrainWithIntegerKey
{
    /// <summary>Publishes in order; returns, per message, how many clients (channel plus pattern subscriptions) receive it.</summary>
    [Alias("Publish")]
    ValueTask<long[]> Publish(PublishBatch batch);

    /// <summary>
    /// One client of <paramref name="hub"/> joins (<paramref name="delta"/> = 1) or leaves (-1) a channel. Joining
    /// returns the sequence number after which its messages count the client; leaving returns the sequence number
    /// of the channel's last message that counted it (0 when none), which the hub waits for before it lets go.
    /// A leave names the <paramref name="epoch"/> its join (or restore) was answered with: a leave of a registration
    /// that an earlier activation counted changes nothing and answers 0. A join ignores it.
    /// </summary>
    [Alias("Subscribe")]
    ValueTask<ShardSequence> Subscribe(string hub, ChannelSpace space, byte[] channel, int delta, long epoch);

    /// <summary>As <see cref="Subscribe"/>, for a pattern; sequence numbers are those of this shard's pattern stream.</summary>
    [Alias("SubscribePattern")]
    ValueTask<ShardSequence> SubscribePattern(string hub, byte[] pattern, int delta, long epoch);

    /// <summary>This activation's epoch (see <see cref="ShardSequence"/>).</summary>
    [Alias("Epoch")]
    ValueTask<long> Epoch();

    /// <summary>
    /// A hub announces its subscriptions again, after this shard lost its directory: sets (does not add) the hub's
    /// count of each listed channel, shard channel and pattern, so a repeated restore changes nothing. Numbers from now
    /// on after <paramref name="floor"/> (the highest sequence number the hub saw from this shard), and returns the
    /// sequence number after which messages count the restored clients.
    /// </summary>
    [Alias("Restore")]
    ValueTask<ShardSequence> Restore(string hub, SubscriptionCount[] counts, long floor);

    /// <summary>Channels of this shard with at least one subscriber, filtered by a glob pattern when given.</summary>
    [Alias("Channels")]
    ValueTask<byte[][]> Channels(ChannelSpace space, byte[]? pattern);

    /// <summary>Subscriber counts (PUBSUB NUMSUB / SHARDNUMSUB) of channels of this shard.</summary>
    [Alias("NumSub")]
    ValueTask<long[]> NumSub(ChannelSpace space, byte[][] channels);

    /// <summary>Distinct patterns subscribed cluster-wide (PUBSUB NUMPAT); every shard knows all patterns.</summary>
    [Alias("NumPat")]
    ValueTask<long> NumPat();

    /// <summary>Forgets every subscription of a hub that went away (its silo stopped).</summary>
    [Alias("DropHub")]
    ValueTask DropHub(string hub);

    /// <summary>
    /// Forgets every subscription of the hubs of a silo that membership declared dead (hub ids start with the silo's
    /// parsable address and '|'); returns how many subscriptions were dropped. Idempotent.
    /// </summary>
    [Alias("DropSilo")]
    ValueTask<long> DropSilo(string silo);
}

/// <summary>
/// The stream consumer of one hub, activated on the hub's own silo: stream subscriptions must be made from a
/// grain, so the hub asks this grain to subscribe and unsubscribe, and the grain hands every item to the hub.
/// </summary>
[Alias("Orleans.Cache.PubSub.IPubSubHubGrain")]
internal interface IPubSubHubGrain : IGrainWithStringKey
{
    [Alias("Subscribe")]
    Task Subscribe(ChannelSpace space, byte[] key);

    [Alias("Unsubscribe")]
    Task Unsubscribe(ChannelSpace space, byte[] key);
}
