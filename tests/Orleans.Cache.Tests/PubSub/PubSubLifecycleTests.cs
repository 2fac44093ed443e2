using System.Text;
using Orleans.Cache.Tests.Resp;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.PubSub;

/// <summary>A 3-silo cluster of its own for the lifecycle loops (their counts must be exact, so nothing else subscribes there).</summary>
public sealed class PubSubLifecycleFixture() : RespClusterFixtureBase(3);

/// <summary>
/// Redis's lifecycle guarantees, cluster-wide, in loops: once a client read its (P|S)SUBSCRIBE confirmation, a PUBLISH
/// sent afterwards through any silo counts it and delivers to it; once it read its UNSUBSCRIBE confirmation (with or
/// without arguments), or its connection closed, a later PUBLISH neither counts it nor delivers to it. A keeper on
/// silo 0 stays subscribed throughout, a mover on silo 1 comes and goes, the publisher is on silo 2. Raw sockets read
/// the mover's stream value by value, so a stray message anywhere fails the exact comparison.
/// </summary>
public sealed class PubSubLifecycleTests(PubSubLifecycleFixture fixture) : IClassFixture<PubSubLifecycleFixture>
{
    private const int Rounds = 200;

    private static string Me(int protocol, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        $"{name}:{protocol}:{Guid.NewGuid():N}";

    private async Task<RawClient> ConnectAsync(int silo, int protocol)
    {
        var raw = await RawClient.ConnectAsync(fixture.EndPointOf(silo));
        if (protocol == 3) Assert.StartsWith("%", await raw.CallAsync("HELLO", "3"));
        return raw;
    }

    /// <summary>A push as the protocol writes it: an array in RESP2, a push in RESP3; a trailing long is an integer.</summary>
    private static string Push(int protocol, params object[] items)
    {
        var text = new StringBuilder().Append(protocol == 3 ? '>' : '*').Append(items.Length).Append("\r\n");
        foreach (var item in items)
        {
            if (item is long or int) text.Append(':').Append(item).Append("\r\n");
            else if (item is null) text.Append("$-1\r\n");
            else text.Append('$').Append(Encoding.UTF8.GetByteCount((string)item)).Append("\r\n").Append(item).Append("\r\n");
        }
        return text.ToString();
    }

    private static string Int(long n) => $":{n}\r\n";

    /// <summary>Ends a keeper's subscriptions before the next test counts (RESET answers once they are gone); skips unread messages.</summary>
    private static async Task LeaveAsync(RawClient client)
    {
        await client.SendCommandAsync("RESET");
        while (await client.ReadValueAsync() is var value && value != "+RESET\r\n") Assert.NotEqual("<closed>", value);
    }

    private static Task Eventually(Func<Task<bool>> condition) => Poll.Until(condition, "the condition", TimeSpan.FromSeconds(10));

    /// <summary>One subscription kind: how to (un)subscribe, how to publish, what a message looks like.</summary>
    public sealed record Kind(string Name, string Subscribe, string Unsubscribe, string Publish, string Message, bool Pattern = false)
    {
        public override string ToString() => Name;
    }

    public static readonly Kind Channel = new("channel", "SUBSCRIBE", "UNSUBSCRIBE", "PUBLISH", "message");
    public static readonly Kind Pattern = new("pattern", "PSUBSCRIBE", "PUNSUBSCRIBE", "PUBLISH", "pmessage", Pattern: true);
    public static readonly Kind Shard = new("shard", "SSUBSCRIBE", "SUNSUBSCRIBE", "SPUBLISH", "smessage");

    public static TheoryData<int, string> Loops => new()
    {
        { 2, "channel" }, { 3, "channel" }, { 2, "pattern" }, { 3, "pattern" }, { 2, "shard" }, { 3, "shard" },
    };

    private static Kind KindOf(string name) => name switch { "channel" => Channel, "pattern" => Pattern, _ => Shard };

    [Theory, MemberData(nameof(Loops))]
    public async Task Subscribe_publish_unsubscribe_publish_rounds_count_and_deliver_exactly(int protocol, string kindName)
    {
        var kind = KindOf(kindName);
        string me = Me(protocol);
        string channel = $"{me}:ch";
        // The keeper subscribes to what the mover subscribes to (the same pattern, for patterns).
        string name = kind.Pattern ? $"{me}:*" : channel;
        using var keeper = await ConnectAsync(0, protocol);
        using var mover = await ConnectAsync(1, protocol);
        using var publisher = await ConnectAsync(2, 2);
        Assert.Equal(Push(protocol, kind.Subscribe.ToLowerInvariant(), name, 1), await keeper.CallAsync(kind.Subscribe, name));

        string subscribed = Push(protocol, kind.Subscribe.ToLowerInvariant(), name, 1);
        string unsubscribed = Push(protocol, kind.Unsubscribe.ToLowerInvariant(), name, 0);
        string Message(string payload) => kind.Pattern
            ? Push(protocol, kind.Message, name, channel, payload)
            : Push(protocol, kind.Message, channel, payload);
        for (int round = 0; round < Rounds; round++)
        {
            Assert.Equal(subscribed, await mover.CallAsync(kind.Subscribe, name));
            Assert.Equal(Int(2), await publisher.CallAsync(kind.Publish, channel, $"in{round}"));
            // No wait for the message: what was counted before the UNSUBSCRIBE arrives precedes its confirmation.
            await mover.SendCommandAsync(kind.Unsubscribe, name);
            Assert.Equal(Message($"in{round}"), await mover.ReadValueAsync());
            Assert.Equal(unsubscribed, await mover.ReadValueAsync());
            Assert.Equal(Int(1), await publisher.CallAsync(kind.Publish, channel, $"out{round}"));
            if (kind.Pattern)
                Assert.Equal(Int(1), await publisher.CallAsync("PUBSUB", "NUMPAT"));
            else
                Assert.Equal(Push(2, channel, 1), await publisher.CallAsync("PUBSUB", kind == Shard ? "SHARDNUMSUB" : "NUMSUB", channel));
        }
        // A last message the mover is subscribed to: nothing stray may come before it.
        Assert.Equal(subscribed, await mover.CallAsync(kind.Subscribe, name));
        Assert.Equal(Int(2), await publisher.CallAsync(kind.Publish, channel, "end"));
        Assert.Equal(Message("end"), await mover.ReadValueAsync());
        for (int round = 0; round < Rounds; round++)
        {
            Assert.Equal(Message($"in{round}"), await keeper.ReadValueAsync());
            Assert.Equal(Message($"out{round}"), await keeper.ReadValueAsync());
        }
        Assert.Equal(Message("end"), await keeper.ReadValueAsync());
        await LeaveAsync(keeper);
    }

    [Theory, InlineData(2), InlineData(3)]
    public async Task Unsubscribe_without_arguments_leaves_every_channel_in_every_round(int protocol)
    {
        string me = Me(protocol);
        string a = $"{me}:a", b = $"{me}:b";
        using var keeper = await ConnectAsync(0, protocol);
        using var mover = await ConnectAsync(1, protocol);
        using var publisher = await ConnectAsync(2, 2);
        await keeper.SendCommandAsync("SUBSCRIBE", a, b);
        Assert.Equal(Push(protocol, "subscribe", a, 1), await keeper.ReadValueAsync());
        Assert.Equal(Push(protocol, "subscribe", b, 2), await keeper.ReadValueAsync());
        for (int round = 0; round < Rounds / 4; round++)
        {
            await mover.SendCommandAsync("SUBSCRIBE", a, b);
            Assert.Equal(Push(protocol, "subscribe", a, 1), await mover.ReadValueAsync());
            Assert.Equal(Push(protocol, "subscribe", b, 2), await mover.ReadValueAsync());
            Assert.Equal(Int(2), await publisher.CallAsync("PUBLISH", a, $"a{round}"));
            Assert.Equal(Int(2), await publisher.CallAsync("PUBLISH", b, $"b{round}"));
            await mover.SendCommandAsync("UNSUBSCRIBE");
            // Two channels may travel on two shards' streams: each keeps its order, not one against the other.
            Assert.Equal(new[] { Push(protocol, "message", a, $"a{round}"), Push(protocol, "message", b, $"b{round}") },
                new[] { await mover.ReadValueAsync(), await mover.ReadValueAsync() }.Order());
            Assert.Equal(Push(protocol, "unsubscribe", a, 1), await mover.ReadValueAsync());
            Assert.Equal(Push(protocol, "unsubscribe", b, 0), await mover.ReadValueAsync());
            Assert.Equal(Int(1), await publisher.CallAsync("PUBLISH", a, $"a{round}-out"));
            Assert.Equal(Int(1), await publisher.CallAsync("PUBLISH", b, $"b{round}-out"));
            Assert.Equal(Push(2, a, 1, b, 1), await publisher.CallAsync("PUBSUB", "NUMSUB", a, b));
        }
        // Nothing stray: the next value the mover sees is the answer to a PING.
        Assert.Equal("+PONG\r\n", await mover.CallAsync("PING"));
        await LeaveAsync(keeper);
    }

    [Theory, InlineData(2), InlineData(3)]
    public async Task Subscribing_twice_counts_once(int protocol)
    {
        string channel = Me(protocol);
        using var keeper = await ConnectAsync(0, protocol);
        using var mover = await ConnectAsync(1, protocol);
        using var publisher = await ConnectAsync(2, 2);
        Assert.Equal(Push(protocol, "subscribe", channel, 1), await keeper.CallAsync("SUBSCRIBE", channel));
        await mover.SendCommandAsync("SUBSCRIBE", channel, channel);
        Assert.Equal(Push(protocol, "subscribe", channel, 1), await mover.ReadValueAsync());
        Assert.Equal(Push(protocol, "subscribe", channel, 1), await mover.ReadValueAsync());
        Assert.Equal(Push(protocol, "subscribe", channel, 1), await mover.CallAsync("SUBSCRIBE", channel));
        Assert.Equal(Push(2, channel, 2), await publisher.CallAsync("PUBSUB", "NUMSUB", channel));
        Assert.Equal(Push(2, channel), await publisher.CallAsync("PUBSUB", "CHANNELS", channel));
        Assert.Equal(Int(2), await publisher.CallAsync("PUBLISH", channel, "once"));
        await mover.SendCommandAsync("UNSUBSCRIBE", channel);
        Assert.Equal(Push(protocol, "message", channel, "once"), await mover.ReadValueAsync());
        Assert.Equal(Push(protocol, "unsubscribe", channel, 0), await mover.ReadValueAsync());
        Assert.Equal(Push(2, channel, 1), await publisher.CallAsync("PUBSUB", "NUMSUB", channel));
        // Pattern and shard subscriptions count once too.
        await mover.SendCommandAsync("PSUBSCRIBE", $"{channel}*", $"{channel}*");
        Assert.Equal(Push(protocol, "psubscribe", $"{channel}*", 1), await mover.ReadValueAsync());
        Assert.Equal(Push(protocol, "psubscribe", $"{channel}*", 1), await mover.ReadValueAsync());
        Assert.Equal(Int(1), await publisher.CallAsync("PUBSUB", "NUMPAT"));
        Assert.Equal(Int(2), await publisher.CallAsync("PUBLISH", channel, "twice"));
        Assert.Equal(Push(protocol, "pmessage", $"{channel}*", channel, "twice"), await mover.ReadValueAsync());
        await mover.SendCommandAsync("SSUBSCRIBE", channel, channel);
        Assert.Equal(Push(protocol, "ssubscribe", channel, 1), await mover.ReadValueAsync());
        Assert.Equal(Push(protocol, "ssubscribe", channel, 1), await mover.ReadValueAsync());
        Assert.Equal(Push(2, channel, 1), await publisher.CallAsync("PUBSUB", "SHARDNUMSUB", channel));
        Assert.Equal(Push(2, channel), await publisher.CallAsync("PUBSUB", "SHARDCHANNELS", channel));
        Assert.Equal(Int(1), await publisher.CallAsync("SPUBLISH", channel, "s"));
        Assert.Equal(Push(protocol, "smessage", channel, "s"), await mover.ReadValueAsync());
        await mover.SendCommandAsync("PUNSUBSCRIBE");
        Assert.Equal(Push(protocol, "punsubscribe", $"{channel}*", 0), await mover.ReadValueAsync());
        await mover.SendCommandAsync("SUNSUBSCRIBE");
        Assert.Equal(Push(protocol, "sunsubscribe", channel, 0), await mover.ReadValueAsync());
        Assert.Equal(Int(0), await publisher.CallAsync("PUBSUB", "NUMPAT"));
        Assert.Equal(Push(2, channel, 0), await publisher.CallAsync("PUBSUB", "SHARDNUMSUB", channel));
        Assert.Equal("*0\r\n", await publisher.CallAsync("PUBSUB", "SHARDCHANNELS", channel));
        await LeaveAsync(keeper);
    }

    [Theory, InlineData(2), InlineData(3)]
    public async Task A_closed_connection_is_neither_counted_nor_delivered_to(int protocol)
    {
        string me = Me(protocol);
        string channel = $"{me}:x";
        using var keeper = await ConnectAsync(0, protocol);
        using var publisher = await ConnectAsync(2, 2);
        Assert.Equal(Push(protocol, "subscribe", channel, 1), await keeper.CallAsync("SUBSCRIBE", channel));
        Assert.Equal(Push(protocol, "psubscribe", $"{me}:*", 2), await keeper.CallAsync("PSUBSCRIBE", $"{me}:*"));
        for (int round = 0; round < Rounds / 4; round++)
        {
            // The mover's pattern differs from the keeper's, so that NUMPAT tells when it is gone.
            using (var mover = await ConnectAsync(1, protocol))
            {
                Assert.Equal(Push(protocol, "subscribe", channel, 1), await mover.CallAsync("SUBSCRIBE", channel));
                Assert.Equal(Push(protocol, "psubscribe", $"{me}:?", 2), await mover.CallAsync("PSUBSCRIBE", $"{me}:?"));
                Assert.Equal(Push(protocol, "ssubscribe", channel, 1), await mover.CallAsync("SSUBSCRIBE", channel));
                Assert.Equal(Int(4), await publisher.CallAsync("PUBLISH", channel, $"in{round}"));
                Assert.Equal(Int(1), await publisher.CallAsync("SPUBLISH", channel, $"in{round}"));
                // Channel, pattern and shard channel messages travel on different streams: in any order.
                string[] expected =
                [
                    Push(protocol, "message", channel, $"in{round}"), Push(protocol, "pmessage", $"{me}:?", channel, $"in{round}"),
                    Push(protocol, "smessage", channel, $"in{round}"),
                ];
                Assert.Equal(expected.Order(), new[] { await mover.ReadValueAsync(), await mover.ReadValueAsync(), await mover.ReadValueAsync() }.Order());
            }
            // The server learns of the close when it learns of it: from then on, nothing counts the mover.
            await Eventually(async () => await publisher.CallAsync("PUBSUB", "NUMSUB", channel) == Push(2, channel, 1)
                && await publisher.CallAsync("PUBSUB", "SHARDNUMSUB", channel) == Push(2, channel, 0)
                && await publisher.CallAsync("PUBSUB", "NUMPAT") == Int(1));
            Assert.Equal(Int(2), await publisher.CallAsync("PUBLISH", channel, $"out{round}"));
            Assert.Equal(Int(0), await publisher.CallAsync("SPUBLISH", channel, $"out{round}"));
        }
        await LeaveAsync(keeper);
    }

    [Theory, InlineData(2), InlineData(3)]
    public async Task Keyspace_notifications_follow_the_same_rules(int protocol)
    {
        string me = Me(protocol);
        string key = $"{me}:key", channel = $"__keyspace@0__:{key}";
        using var publisher = await ConnectAsync(2, 2);
        Assert.Equal("+OK\r\n", await publisher.CallAsync("CONFIG", "SET", "notify-keyspace-events", "K$g"));
        try
        {
            using var keeper = await ConnectAsync(0, protocol);
            using var mover = await ConnectAsync(1, protocol);
            Assert.Equal(Push(protocol, "subscribe", channel, 1), await keeper.CallAsync("SUBSCRIBE", channel));
            for (int round = 0; round < Rounds; round++)
            {
                Assert.Equal(Push(protocol, "subscribe", channel, 1), await mover.CallAsync("SUBSCRIBE", channel));
                // The write's event is counted before its reply, as Redis delivers it before the reply.
                Assert.Equal("+OK\r\n", await publisher.CallAsync("SET", key, $"in{round}"));
                await mover.SendCommandAsync("UNSUBSCRIBE", channel);
                Assert.Equal(Push(protocol, "message", channel, "set"), await mover.ReadValueAsync());
                Assert.Equal(Push(protocol, "unsubscribe", channel, 0), await mover.ReadValueAsync());
                Assert.Equal(Int(1), await publisher.CallAsync("EXPIRE", key, "1000"));
            }
            Assert.Equal(Push(protocol, "subscribe", channel, 1), await mover.CallAsync("SUBSCRIBE", channel));
            Assert.Equal(Int(1), await publisher.CallAsync("DEL", key));
            Assert.Equal(Push(protocol, "message", channel, "del"), await mover.ReadValueAsync());
            for (int round = 0; round < Rounds; round++)
            {
                Assert.Equal(Push(protocol, "message", channel, "set"), await keeper.ReadValueAsync());
                Assert.Equal(Push(protocol, "message", channel, "expire"), await keeper.ReadValueAsync());
            }
            Assert.Equal(Push(protocol, "message", channel, "del"), await keeper.ReadValueAsync());
        }
        finally
        {
            await publisher.CallAsync("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }

    /// <summary>
    /// Movers on every silo (two per silo, so one joins while another leaves the same silo's stream) subscribe, publish
    /// through their own connection, unsubscribe, all at once. Each must get its own message before its unsubscribe
    /// confirmation, and over the whole run the messages delivered add up to exactly the receivers PUBLISH counted.
    /// </summary>
    [Fact]
    public async Task Concurrent_movers_on_every_silo_receive_exactly_what_publish_counted()
    {
        const int Movers = 6, MoverRounds = 40;
        string channel = Me(3);
        using var keeper = await ConnectAsync(0, 2);
        Assert.Equal(Push(2, "subscribe", channel, 1), await keeper.CallAsync("SUBSCRIBE", channel));
        var movers = new RawClient[Movers];
        for (int m = 0; m < Movers; m++) movers[m] = await ConnectAsync(m % 3, 3);
        long counted = 0, delivered = 0;
        await Task.WhenAll(movers.Select((mover, m) => Task.Run(async () =>
        {
            var seen = new HashSet<string>();
            for (int round = 0; round < MoverRounds; round++)
            {
                string own = $"m{m}:{round}";
                await mover.SendCommandAsync("SUBSCRIBE", channel);
                Assert.Equal(Push(3, "subscribe", channel, 1), await ReadReplyAsync(mover, seen));
                await mover.SendCommandAsync("PUBLISH", channel, own);
                var count = await ReadReplyAsync(mover, seen);
                Assert.Matches(@"^:\d+\r\n$", count);
                Interlocked.Add(ref counted, long.Parse(count[1..^2]));
                await mover.SendCommandAsync("UNSUBSCRIBE", channel);
                Assert.Equal(Push(3, "unsubscribe", channel, 0), await ReadReplyAsync(mover, seen));
                Assert.Contains(own, seen);
            }
            // Nothing may follow the last confirmation before the answer to a PING.
            await mover.SendCommandAsync("PING");
            Assert.Equal("+PONG\r\n", await ReadReplyAsync(mover, seen));
            Interlocked.Add(ref delivered, seen.Count);
        })));
        // The keeper was counted once per message; it reads them all.
        for (int i = 0; i < Movers * MoverRounds; i++) Assert.StartsWith("*3\r\n$7\r\nmessage\r\n", await keeper.ReadValueAsync());
        Assert.Equal(counted - Movers * MoverRounds, delivered);
        foreach (var mover in movers) mover.Dispose();
        await LeaveAsync(keeper);

        // Reads the next reply; the messages (pushes) before it are recorded, and each may come only once.
        static async Task<string> ReadReplyAsync(RawClient client, HashSet<string> seen)
        {
            while (true)
            {
                var value = await client.ReadValueAsync();
                if (!value.StartsWith(">3\r\n$7\r\nmessage\r\n", StringComparison.Ordinal)) return value;
                string payload = value[(value.LastIndexOf('$') + 1)..];
                payload = payload[(payload.IndexOf('\n') + 1)..^2];
                Assert.True(seen.Add(payload), $"{payload} delivered twice");
            }
        }
    }

    [Theory, InlineData(RedisProtocol.Resp2), InlineData(RedisProtocol.Resp3)]
    public async Task StackExchange_Redis_subscribe_unsubscribe_rounds_count_exactly(RedisProtocol protocol)
    {
        string channel = Me(protocol == RedisProtocol.Resp3 ? 3 : 2);
        var literal = RedisChannel.Literal(channel);
        await using var keeperConnection = await fixture.ConnectAsync(0, protocol);
        await using var moverConnection = await fixture.ConnectAsync(1, protocol);
        await using var publisherConnection = await fixture.ConnectAsync(2, protocol);
        var kept = new List<string>();
        var moved = new List<string>();
        // A message queue, not a handler: the library runs handlers concurrently, a queue in order.
        (await keeperConnection.GetSubscriber().SubscribeAsync(literal)).OnMessage(m => { lock (kept) kept.Add((string)m.Message!); });
        var db = publisherConnection.GetDatabase();
        var mover = moverConnection.GetSubscriber();
        for (int round = 0; round < Rounds; round++)
        {
            await mover.SubscribeAsync(literal, (_, m) => { lock (moved) moved.Add((string)m!); });
            Assert.Equal(2, await db.PublishAsync(literal, $"in{round}"));
            // The client library drops what arrives once it unsubscribed locally: take the message first.
            int expected = round + 1;
            await Eventually(() => { lock (moved) return Task.FromResult(moved.Count >= expected); });
            await mover.UnsubscribeAsync(literal);
            Assert.Equal(1, await db.PublishAsync(literal, $"out{round}"));
        }
        await mover.SubscribeAsync(literal, (_, m) => { lock (moved) moved.Add((string)m!); });
        Assert.Equal(2, await db.PublishAsync(literal, "end"));
        await Eventually(() => { lock (moved) return Task.FromResult(moved.Count > Rounds); });
        await Eventually(() => { lock (kept) return Task.FromResult(kept.Count > 2 * Rounds); });
        lock (moved) Assert.Equal(Enumerable.Range(0, Rounds).Select(r => $"in{r}").Append("end"), moved);
        lock (kept) Assert.Equal(Enumerable.Range(0, Rounds).SelectMany(r => new[] { $"in{r}", $"out{r}" }).Append("end"), kept);
    }
}
