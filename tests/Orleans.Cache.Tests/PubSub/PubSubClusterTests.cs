using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Grains;
using Orleans.Cache.PubSub;
using Orleans.Cache.Resp;
using Orleans.Cache.Tests.Cluster;
using Orleans.Cache.Tests.Resp;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.PubSub;

/// <summary>A 3-silo cluster with the RESP endpoint in every silo, for pub/sub across silos.</summary>
public sealed class PubSubClusterFixture() : RespClusterFixtureBase(3);

/// <summary>Subscribers on every silo, publishers on others: counts, order, patterns, unsubscribe, disconnects, both protocols.</summary>
public sealed class PubSubClusterTests(PubSubClusterFixture fixture) : IClassFixture<PubSubClusterFixture>
{
    public static TheoryData<RedisProtocol> Protocols => new() { RedisProtocol.Resp2, RedisProtocol.Resp3 };

    private static string Me(RedisProtocol protocol, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        $"{name}:{protocol}:{Guid.NewGuid():N}";

    private static Task Eventually(Func<bool> condition) => Poll.Until(condition, "the condition", TimeSpan.FromSeconds(10));

    [Theory, MemberData(nameof(Protocols))]
    public async Task Publish_reaches_subscribers_on_every_silo_in_order_and_counts_them(RedisProtocol protocol)
    {
        string channel = Me(protocol);
        var received = new List<string>[3];
        var subscribers = new ConnectionMultiplexer[3];
        for (int silo = 0; silo < 3; silo++)
        {
            var list = received[silo] = [];
            subscribers[silo] = await fixture.ConnectAsync(silo, protocol);
            var queue = await subscribers[silo].GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
            queue.OnMessage(m => { lock (list) list.Add((string)m.Message!); });
        }
        await using var publisher = await fixture.ConnectAsync(1, protocol);
        var db = publisher.GetDatabase();
        for (int i = 0; i < 100; i++) Assert.Equal(3, await db.PublishAsync(RedisChannel.Literal(channel), $"m{i}"));
        var expected = Enumerable.Range(0, 100).Select(i => $"m{i}").ToList();
        foreach (var list in received) await Eventually(() => { lock (list) return list.Count == 100; });
        foreach (var list in received) lock (list) Assert.Equal(expected, list);
        foreach (var s in subscribers) await s.DisposeAsync();
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Patterns_count_and_receive_on_other_silos(RedisProtocol protocol)
    {
        string me = Me(protocol);
        await using var sub = await fixture.ConnectAsync(2, protocol);
        var got = new List<(string Channel, string Message)>();
        (await sub.GetSubscriber().SubscribeAsync(RedisChannel.Pattern($"{me}:*"))).OnMessage(m => { lock (got) got.Add(((string)m.Channel!, (string)m.Message!)); });
        (await sub.GetSubscriber().SubscribeAsync(RedisChannel.Literal($"{me}:a"))).OnMessage(m => { lock (got) got.Add(("literal", (string)m.Message!)); });
        await using var pub = await fixture.ConnectAsync(0, protocol);
        var db = pub.GetDatabase();
        Assert.Equal(2, await db.PublishAsync(RedisChannel.Literal($"{me}:a"), "1"));
        Assert.Equal(1, await db.PublishAsync(RedisChannel.Literal($"{me}:b"), "2"));
        Assert.Equal(0, await db.PublishAsync(RedisChannel.Literal($"other{me}"), "3"));
        await Eventually(() => { lock (got) return got.Count == 3; });
        lock (got) Assert.Equal(new[] { ($"{me}:a", "1"), ("literal", "1"), ($"{me}:b", "2") }.OrderBy(x => x.Item1), got.OrderBy(x => x.Item1));
        Assert.Equal(1, (long)await db.ExecuteAsync("PUBSUB", "NUMSUB", $"{me}:a").ContinueWith(t => ((RedisResult[])t.Result!)[1]));
        Assert.True((long)await db.ExecuteAsync("PUBSUB", "NUMPAT") >= 1);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Unsubscribe_and_disconnect_stop_counting(RedisProtocol protocol)
    {
        string channel = Me(protocol);
        var a = await fixture.ConnectAsync(0, protocol);
        await using var b = await fixture.ConnectAsync(1, protocol);
        await a.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
        await b.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
        await using var pub = await fixture.ConnectAsync(2, protocol);
        var db = pub.GetDatabase();
        Assert.Equal(2, await db.PublishAsync(RedisChannel.Literal(channel), "x"));
        await b.GetSubscriber().UnsubscribeAsync(RedisChannel.Literal(channel));
        Assert.Equal(1, await db.PublishAsync(RedisChannel.Literal(channel), "y"));
        await a.DisposeAsync();
        await Eventually(() => db.Publish(RedisChannel.Literal(channel), "z") == 0);
        var channels = (RedisResult[])(await db.ExecuteAsync("PUBSUB", "CHANNELS", channel))!;
        Assert.Empty(channels);
    }

    [Fact]
    public async Task Resp2_subscribed_mode_allows_only_pubsub_commands_and_pings_as_arrays()
    {
        using var raw = await RawClient.ConnectAsync(fixture.EndPointOf(0));
        string ch = Me(RedisProtocol.Resp2);
        var reply = await raw.RoundTripAsync($"SUBSCRIBE {ch}\r\nGET x\r\nPING\r\nPING hi\r\n");
        Assert.Equal($"*3\r\n$9\r\nsubscribe\r\n${ch.Length}\r\n{ch}\r\n:1\r\n"
            + "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
            + "*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$2\r\nhi\r\n", reply);
        using var pub = await RawClient.ConnectAsync(fixture.EndPointOf(1));
        Assert.Equal(":1\r\n", await pub.RoundTripAsync($"PUBLISH {ch} hello\r\n"));
        Assert.Equal($"*3\r\n$7\r\nmessage\r\n${ch.Length}\r\n{ch}\r\n$5\r\nhello\r\n", await raw.ReceiveAsync("hello\r\n"));
        Assert.Equal($"*3\r\n$11\r\nunsubscribe\r\n${ch.Length}\r\n{ch}\r\n:0\r\n*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n$-1\r\n",
            await raw.RoundTripAsync("UNSUBSCRIBE\r\nUNSUBSCRIBE\r\nGET x\r\n"));
    }

    [Fact]
    public async Task Resp3_pushes_interleave_with_normal_commands()
    {
        using var raw = await RawClient.ConnectAsync(fixture.EndPointOf(2));
        string ch = Me(RedisProtocol.Resp3);
        await raw.RoundTripAsync("HELLO 3\r\n");
        Assert.Equal($">3\r\n$10\r\npsubscribe\r\n${ch.Length + 1}\r\n{ch}*\r\n:1\r\n_\r\n+PONG\r\n", await raw.RoundTripAsync($"PSUBSCRIBE {ch}*\r\nGET nosuch{ch}\r\nPING\r\n"));
        using var pub = await RawClient.ConnectAsync(fixture.EndPointOf(0));
        Assert.Equal(":1\r\n", await pub.RoundTripAsync($"PUBLISH {ch}x hi\r\n"));
        Assert.Equal($">4\r\n$8\r\npmessage\r\n${ch.Length + 1}\r\n{ch}*\r\n${ch.Length + 1}\r\n{ch}x\r\n$2\r\nhi\r\n", await raw.ReceiveAsync("hi\r\n"));
    }

    [Fact]
    public async Task Shard_channels_are_their_own_space()
    {
        using var raw = await RawClient.ConnectAsync(fixture.EndPointOf(1));
        string ch = Me(RedisProtocol.Resp2);
        await raw.RoundTripAsync($"SSUBSCRIBE {ch}\r\n");
        using var pub = await RawClient.ConnectAsync(fixture.EndPointOf(2));
        Assert.Equal(":0\r\n:1\r\n", await pub.RoundTripAsync($"PUBLISH {ch} a\r\nSPUBLISH {ch} b\r\n"));
        Assert.Equal($"*3\r\n$8\r\nsmessage\r\n${ch.Length}\r\n{ch}\r\n$1\r\nb\r\n", await raw.ReceiveAsync("b\r\n"));
        Assert.Equal($"*2\r\n${ch.Length}\r\n{ch}\r\n:1\r\n", await pub.RoundTripAsync($"PUBSUB SHARDNUMSUB {ch}\r\n"));
    }

    [Fact]
    public async Task Subscriber_that_stops_reading_is_disconnected_at_the_limit_while_others_keep_receiving()
    {
        string ch = Me(RedisProtocol.Resp2);
        using var config = await RawClient.ConnectAsync(fixture.EndPointOf(0));
        Assert.Equal("+OK\r\n", await config.RoundTripAsync("CONFIG SET client-output-buffer-limit \"pubsub 256kb 0 0\"\r\n"));
        try
        {
            // A raw socket that never reads: its receive window fills, then the server's queue.
            using var slow = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            slow.ReceiveBufferSize = 4096;
            await slow.ConnectAsync(fixture.EndPointOf(0));
            await slow.SendAsync(System.Text.Encoding.ASCII.GetBytes($"SUBSCRIBE {ch}\r\n"));
            await using var good = await fixture.ConnectAsync(0, RedisProtocol.Resp3);
            var payload = new string('p', 8192);
            int payloads = 0, afters = 0;
            (await good.GetSubscriber().SubscribeAsync(RedisChannel.Literal(ch))).OnMessage(m =>
            {
                if (m.Message == payload) Interlocked.Increment(ref payloads);
                else if (m.Message == "after") Interlocked.Increment(ref afters);
            });
            await using var pub = await fixture.ConnectAsync(1, RedisProtocol.Resp2);
            var db = pub.GetDatabase();
            await Eventually(() => db.Publish(RedisChannel.Literal(ch), "x") == 2);
            int sent = 0;
            while (sent < 2000)
            {
                long count = await db.PublishAsync(RedisChannel.Literal(ch), payload);
                sent++;
                if (count == 1) break; // the slow one is gone
                // The good subscriber is paced so that only the one that never reads can reach the limit,
                // however slowly this machine runs the good one's reader.
                if (sent % 8 == 0) await Eventually(() => Volatile.Read(ref payloads) >= sent);
            }
            Assert.True(sent < 2000, "the slow subscriber was never disconnected");
            for (int i = 0; i < 10; i++) Assert.Equal(1, await db.PublishAsync(RedisChannel.Literal(ch), "after"));
            await Eventually(() => Volatile.Read(ref payloads) == sent && Volatile.Read(ref afters) == 10);
        }
        finally
        {
            await config.RoundTripAsync("CONFIG SET client-output-buffer-limit \"pubsub 32mb 8mb 60\"\r\n");
        }
    }

    [Fact]
    public async Task Expired_events_arrive_after_the_sweep_reclaims_keys_on_the_fake_clock()
    {
        string me = Me(RedisProtocol.Resp3);
        await using var redis = await fixture.ConnectAsync(0, RedisProtocol.Resp3);
        var db = redis.GetDatabase();
        await db.ExecuteAsync("CONFIG", "SET", "notify-keyspace-events", "Exg$");
        try
        {
            var events = new List<string>();
            await using var sub = await fixture.ConnectAsync(1, RedisProtocol.Resp3);
            (await sub.GetSubscriber().SubscribeAsync(RedisChannel.Literal("__keyevent@0__:expired"))).OnMessage(m =>
            {
                if (((string)m.Message!).StartsWith(me, StringComparison.Ordinal)) lock (events) events.Add((string)m.Message!);
            });
            var setEvents = new List<string>();
            (await sub.GetSubscriber().SubscribeAsync(RedisChannel.Literal("__keyevent@0__:set"))).OnMessage(m =>
            {
                if (((string)m.Message!).StartsWith(me, StringComparison.Ordinal)) lock (setEvents) setEvents.Add((string)m.Message!);
            });
            for (int i = 0; i < 20; i++) await db.StringSetAsync($"{me}:{i}", "v", TimeSpan.FromSeconds(10));
            await Eventually(() => { lock (setEvents) return setEvents.Count == 20; });
            lock (events) Assert.Empty(events);
            fixture.Cache.Time.Advance(TimeSpan.FromSeconds(11));
            for (int p = 0; p < CacheCluster.Partitions; p++) await fixture.Cache.Partition(p).SweepExpired(1000);
            await Eventually(() => { lock (events) return events.Count == 20; });
            lock (events) Assert.Equal(Enumerable.Range(0, 20).Select(i => $"{me}:{i}").Order(), events.Order());
        }
        finally
        {
            await db.ExecuteAsync("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }

    [Fact]
    public async Task A_blocked_list_move_served_later_publishes_its_push_and_pop_events()
    {
        string tag = "{" + Me(RedisProtocol.Resp2) + "}";
        string src = $"{tag}:src", dst = $"{tag}:dst";
        await using var admin = await fixture.ConnectAsync(0, RedisProtocol.Resp2);
        await admin.GetDatabase().ExecuteAsync("CONFIG", "SET", "notify-keyspace-events", "Kgl");
        try
        {
            var events = new List<string>();
            await using var sub = await fixture.ConnectAsync(1, RedisProtocol.Resp2);
            (await sub.GetSubscriber().SubscribeAsync(RedisChannel.Pattern($"__keyspace@0__:{tag}*"))).OnMessage(m =>
            {
                lock (events) events.Add($"{m.Channel} {m.Message}");
            });

            // The move blocks on silo 0 until a push from silo 2 wakes it; it then runs in the pushing batch.
            using var blocked = await RawClient.ConnectAsync(fixture.EndPointOf(0));
            await blocked.SendAsync(Resp("BLMOVE", src, dst, "LEFT", "RIGHT", "0"));
            await Task.Delay(500);
            await using var pusher = await fixture.ConnectAsync(2, RedisProtocol.Resp2);
            Assert.Equal(1, await pusher.GetDatabase().ListRightPushAsync(src, "a"));
            Assert.Equal("$1\r\na\r\n", await blocked.ReceiveAsync("a\r\n"));

            string[] expected =
            [
                $"__keyspace@0__:{src} rpush", $"__keyspace@0__:{dst} rpush", $"__keyspace@0__:{src} lpop", $"__keyspace@0__:{src} del",
            ];
            await Eventually(() => { lock (events) return events.Count >= expected.Length; });
            await Task.Delay(200); // nothing more may follow
            // Each key's channel keeps its order; different channels may travel on different shards' streams.
            lock (events)
            {
                Assert.Equal(expected.Order(), events.Order());
                Assert.Equal(expected.Where(e => e.Contains(src)), events.Where(e => e.Contains(src)));
            }
        }
        finally
        {
            await admin.GetDatabase().ExecuteAsync("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }

    /// <summary>
    /// A hub restores a shard that lost its directory (its silo died) by announcing its counts; a restore repeated after a
    /// failed answer must not count the same clients twice, and a leave registered under an older activation must not
    /// undo what the restore counted.
    /// </summary>
    [Fact]
    public async Task A_repeated_restore_sets_a_hubs_counts_instead_of_adding_them()
    {
        byte[] channel = System.Text.Encoding.UTF8.GetBytes($"restore:{Guid.NewGuid():N}");
        byte[] pattern = System.Text.Encoding.UTF8.GetBytes($"restore:{Guid.NewGuid():N}:*");
        var hub = fixture.Cache.Cluster.Silos[0].ServiceProvider.GetRequiredService<PubSubHub>();
        var shard = fixture.Cache.Cluster.Client.GetGrain<IPubSubShardGrain>(hub.ShardOf(channel));
        string hubId = $"restore-test|{Guid.NewGuid():N}";
        long patterns = await shard.NumPat();
        async Task<long> Subscribers(ChannelSpace space) => (await shard.NumSub(space, [channel]))[0];
        SubscriptionCount[] counts = [new(ChannelSpace.Channel, channel, 3), new(ChannelSpace.Shard, channel, 2), new(ChannelSpace.Pattern, pattern, 2)];

        var first = await shard.Restore(hubId, counts, 0);
        var second = await shard.Restore(hubId, counts, 0);
        Assert.Equal(first.Epoch, second.Epoch);
        Assert.Equal(await shard.Epoch(), first.Epoch);
        Assert.Equal(3, await Subscribers(ChannelSpace.Channel));
        Assert.Equal(2, await Subscribers(ChannelSpace.Shard));
        Assert.Equal(patterns + 1, await shard.NumPat());

        // A leave under another epoch changes nothing; under this one it counts.
        var stale = await shard.Subscribe(hubId, ChannelSpace.Channel, channel, -1, first.Epoch - 1);
        Assert.Equal(0, stale.Sequence);
        Assert.Equal(3, await Subscribers(ChannelSpace.Channel));
        await shard.Subscribe(hubId, ChannelSpace.Channel, channel, -1, first.Epoch);
        Assert.Equal(2, await Subscribers(ChannelSpace.Channel));

        // The shard numbers after the floor the hub sends (the last number it saw from the shard).
        long floor = second.Sequence + 1_000_000;
        var floored = await shard.Restore(hubId, [new(ChannelSpace.Channel, channel, 1), new(ChannelSpace.Shard, channel, 0), new(ChannelSpace.Pattern, pattern, 0)], floor);
        Assert.True(floored.Sequence >= floor);
        Assert.Equal(1, await Subscribers(ChannelSpace.Channel));
        Assert.Equal(0, await Subscribers(ChannelSpace.Shard));
        Assert.Equal(patterns, await shard.NumPat());

        await shard.Restore(hubId, [new(ChannelSpace.Channel, channel, 0)], 0);
        Assert.Equal(0, await Subscribers(ChannelSpace.Channel));
    }

    private static string Resp(params string[] args) =>
        $"*{args.Length}\r\n" + string.Concat(args.Select(a => $"${System.Text.Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n"));
}

/// <summary>The typed client in a silo: publish, subscribe as IAsyncEnumerable, patterns, key events; mixed with RESP clients.</summary>
public sealed class TypedPubSubTests(PubSubClusterFixture fixture) : IClassFixture<PubSubClusterFixture>
{
    private Orleans.Cache.PubSub.ICachePubSub PubSubOn(int silo) =>
        fixture.Cache.Cluster.Silos[silo].ServiceProvider.GetRequiredService<Orleans.Cache.PubSub.ICachePubSub>();

    [Fact]
    public async Task Typed_subscriptions_receive_from_publishers_on_other_silos_and_count_with_resp_clients()
    {
        string ch = $"typed:{Guid.NewGuid():N}";
        await using var literal = await PubSubOn(0).SubscribeAsync(ch);
        await using var pattern = await PubSubOn(1).SubscribePatternAsync("typed:*");
        await using var resp = await fixture.ConnectAsync(2, RedisProtocol.Resp3);
        await resp.GetSubscriber().SubscribeAsync(RedisChannel.Literal(ch));
        for (int i = 0; i < 10; i++) Assert.Equal(3, await PubSubOn(2).PublishAsync(ch, $"m{i}"));
        using var timeout = new CancellationTokenSource(10_000);
        var got = new List<string>();
        await foreach (var m in literal.ReadAllAsync(timeout.Token)) { got.Add(m.Text); if (got.Count == 10) break; }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"m{i}"), got);
        var first = await pattern.Reader.ReadAsync(timeout.Token);
        Assert.Equal(("typed:*", ch, "m0"), (first.Pattern, first.Channel, first.Text));
        await literal.DisposeAsync();
        Assert.Equal(2, await PubSubOn(1).PublishAsync(ch, "after"));
    }

    [Fact]
    public async Task Typed_key_events_report_writes()
    {
        await PubSubOn(0).SetKeyspaceEventsAsync("E$");
        try
        {
            string key = $"typed-key:{Guid.NewGuid():N}";
            await using var events = await PubSubOn(1).SubscribeKeyEventsAsync("set");
            await fixture.Cache.CacheOnSilo(2).SetAsync(key, "v");
            using var timeout = new CancellationTokenSource(10_000);
            await foreach (var m in events.ReadAllAsync(timeout.Token))
                if (m.Text == key) { Assert.Equal("__keyevent@0__:set", m.Channel); break; }
        }
        finally
        {
            await PubSubOn(0).SetKeyspaceEventsAsync("");
        }
    }
}
