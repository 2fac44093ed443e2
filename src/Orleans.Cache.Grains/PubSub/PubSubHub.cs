using Microsoft.Extensions.Logging;
using Orleans.Cache.Core;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Grains;

/// <summary>
/// A silo's pub/sub hub: owns this silo's subscribing clients and subscribes (through its
/// <see cref="IPubSubHubGrain"/>) to the Orleans streams their channels and patterns need, once per silo.
///
/// How counting and pattern delivery stay exact across silos:
/// - The channel space is split over <see cref="PubSubOptions.Shards"/> sequencer grains (<see cref="IPubSubShardGrain"/>,
///   channel hash slot mod shards). A shard numbers every message it publishes, knows how many clients of each hub
///   are subscribed to each of its channels, and knows every pattern (patterns register on all shards). PUBLISH's
///   number is computed there, in the same turn that numbers the message: channel subscribers plus, for each pattern
///   matching the channel, its subscribers — a standalone Redis's count, cluster-wide.
/// - A message travels on its channel's stream, and once more on the shard's pattern stream when a pattern matched.
///   A hub subscribes to a stream before it registers its first client for it, so every counted message reaches it.
/// - Joining returns the shard's sequence number at that moment, leaving the number of the last message that counted
///   the client: a subscription is the window (join, leave] of its shard's sequence, and the hub delivers to it exactly
///   the messages numbered inside its window, i.e. exactly those whose PUBLISH counted it. A leaving client stays until
///   the last message of its window arrived (then the (UN)SUBSCRIBE reply goes out), and never sees one after it, even
///   while it waits. From the moment the leave is sent until the shard's answer is applied, messages for the client
///   are held, not delivered: one published right after the shard's leave may reach the hub before the answer does,
///   and only the answer says it did not count the client. A client that disconnects meanwhile gets nothing more, as
///   Redis writes to a closing socket.
/// - Every reply of a (P|S)(UN)SUBSCRIBE is written after every shard that PUBLISH consults for it has applied the
///   change (the channel's shard; every shard for a pattern), and the client's subscription sets change in the same
///   step under the hub's lock: what the client is told, what the shards count and what the hub delivers agree.
/// - A stream may hand the hub an item twice (a stream subscription replaced by a new one): items of a stream arrive in
///   sequence order, so one not newer than the last seen is a repeat and is dropped.
/// - Messages that arrive between a client's join and the write of its confirmation are held and released after the
///   confirmation (<see cref="Activate"/>), so a subscriber never sees a message before its subscribe reply.
/// - Order: one publisher's messages on one channel go to one shard grain in order (batched per pipeline) and are
///   put on the channel's stream in order; a stream delivers in order; the hub delivers under one lock.
///
/// When a shard's silo dies, the shard comes back elsewhere with an empty directory (<see cref="RestoreShardsAsync"/>):
/// - Every shard activation has an epoch (its first sequence number, taken from the wall clock, so it numbers after the
///   one it replaces). Every answer carries it, every message carries it, and every subscription remembers the epoch
///   it was registered under: a window (join, leave] is one of that activation's sequence, and the hub delivers to a
///   subscription only messages numbered by that activation.
/// - Once membership declares a silo dead (<see cref="DeadHubSweeper"/>, in every silo), or a shard answers with an
///   epoch the hub did not know, the hub asks every shard for its epoch; to each one that lost registrations of this
///   hub it announces, in one call holding the gates of the channels concerned and the pattern gate, how many of its
///   clients are subscribed to each of the shard's channels and to each pattern. The shard sets (not adds) those
///   counts, so a repeated restore is harmless, and answers the sequence number from which it counts them: their new
///   window starts there. A leave that names an older epoch changes nothing in the new activation.
/// - So exactness holds within an activation, but a failure loses messages (at-most-once, as Redis pub/sub): those
///   the dead activation counted that had not reached the hub, and those published between the death and the restore,
///   which the new activation did not count for the clients not yet restored (and are not delivered to them).
/// </summary>
internal sealed partial class PubSubHub : IPubSubBroker
{
    private readonly IGrainFactory _grains;
    private readonly PubSubOptions _options;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly Dictionary<(ChannelSpace, string), LocalChannel> _channels = [];
    private readonly Dictionary<string, List<PatternSub>> _patterns = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _patternGate = new(1, 1);
    private readonly long[] _patternSeen;
    private readonly List<(int Shard, long Sequence, TaskCompletionSource Done)> _patternWaiters = [];
    private bool _patternStreaming;
    private int _patternSubscribers;
    private readonly long[] _epochs; // per shard, the last epoch an answer carried (0: none yet)
    private readonly SemaphoreSlim _restoreGate = new(1, 1);
    private int _restoreScheduled;

    public PubSubHub(IGrainFactory grains, PubSubOptions options, string id, ILogger<PubSubHub> logger)
    {
        _grains = grains;
        _options = options;
        _logger = logger;
        Id = id;
        _patternSeen = new long[options.Shards];
        _epochs = new long[options.Shards];
    }

    /// <summary>This hub's identity in the shards' directories (and the key of its stream-consumer grain).</summary>
    public string Id { get; }

    public int Shards => _options.Shards;

    public IPubSubShardGrain Shard(int index) => _grains.GetGrain<IPubSubShardGrain>(index);

    public int ShardOf(byte[] channel) => HashSlot.Of(channel) % _options.Shards;

    private IPubSubHubGrain StreamConsumer => _grains.GetGrain<IPubSubHubGrain>(Id);

    private sealed class LocalChannel(ChannelSpace space, byte[] name)
    {
        public readonly ChannelSpace Space = space;
        public readonly byte[] Name = name;
        public readonly List<ChannelSub> Subs = [];
        public readonly SemaphoreSlim Gate = new(1, 1);
        public readonly List<(long Sequence, TaskCompletionSource Done)> Waiters = [];
        public bool Streaming, Removed;
        public long Seen;
    }

    /// <summary>One client's subscription to one channel: the messages numbered in (Join, Leave] by activation Epoch counted it.</summary>
    private sealed class ChannelSub(PubSubSubscriber client, ChannelSpace space)
    {
        public readonly PubSubSubscriber Client = client;
        public readonly ChannelSpace Space = space;
        public long Join = -1; // -1 until the shard answered
        public long Epoch; // of the shard activation that answered the join (or the restore)
        public long Leave = long.MaxValue; // until the shard answered the leave
        public bool Active;
        /// <summary>The leave was sent to the shard: until its answer sets <see cref="Leave"/>, messages are held.</summary>
        public bool Leaving;
        public List<PubSubDelivery>? Held;

        /// <summary>The message's PUBLISH counted this subscription (held while the join's answer is awaited).</summary>
        public bool Counted(PubSubDelivery m) => (Join < 0 || (m.Epoch == Epoch && m.Sequence > Join)) && m.Sequence <= Leave;

        /// <summary>
        /// Messages wait in <see cref="Held"/>: before the subscribe confirmation is written, and between the shard's
        /// answer to the leave and this hub learning it (a message published after the leave may arrive first; only the
        /// answer says it did not count this client).
        /// </summary>
        public bool Holds => !Active || Leaving && Leave == long.MaxValue;
    }

    /// <summary>One client's subscription to one pattern: per shard, the messages numbered in (Join, Leave] by activation Epochs counted it.</summary>
    private sealed class PatternSub(PubSubSubscriber client, byte[] pattern)
    {
        public readonly PubSubSubscriber Client = client;
        public readonly byte[] Pattern = pattern;
        public long[]? Join; // per shard; null until every shard answered
        public long[]? Epochs; // per shard, set with Join
        public long[]? Leave; // per shard; null until every shard answered the leave
        public bool Active;
        /// <summary>The leave was sent to the shards: until their answers set <see cref="Leave"/>, messages are held.</summary>
        public bool Leaving;
        public List<(int Shard, PubSubDelivery Message)>? Held;

        public bool Counted(int shard, PubSubDelivery m) =>
            (Join is null || (m.Epoch == Epochs![shard] && m.Sequence > Join[shard])) && (Leave is null || m.Sequence <= Leave[shard]);

        /// <summary>Messages wait in <see cref="Held"/> (see <see cref="ChannelSub.Holds"/>).</summary>
        public bool Holds => !Active || Leaving && Leave is null;
    }

    private static readonly Reply MessageKind = Reply.Bulk("message");
    private static readonly Reply PMessageKind = Reply.Bulk("pmessage");
    private static readonly Reply SMessageKind = Reply.Bulk("smessage");

    // ---- subscribe / unsubscribe -------------------------------------------------------------------------------

    /// <summary>SUBSCRIBE / SSUBSCRIBE: one confirmation per channel, with the client's count after it.</summary>
    public async Task<Reply[]> SubscribeAsync(PubSubSubscriber client, ChannelSpace space, byte[][] channels)
    {
        var replies = new Reply[channels.Length];
        var kind = Reply.Bulk(space == ChannelSpace.Shard ? "ssubscribe" : "subscribe");
        for (int i = 0; i < channels.Length; i++)
        {
            string key = PubSubSubscriber.Key(channels[i]);
            if (!Has(client.SetOf(space), key)) await JoinAsync(client, space, channels[i], key);
            replies[i] = Reply.Push([kind, Reply.Bulk(channels[i]), Reply.Int(CountFor(client, space))]);
        }
        return replies;
    }

    /// <summary>UNSUBSCRIBE / SUNSUBSCRIBE: the given channels, or all of the client's when none are given.</summary>
    public async Task<Reply[]> UnsubscribeAsync(PubSubSubscriber client, ChannelSpace space, byte[][] channels)
    {
        var kind = Reply.Bulk(space == ChannelSpace.Shard ? "sunsubscribe" : "unsubscribe");
        var set = client.SetOf(space);
        if (channels.Length == 0) lock (_lock) channels = [.. set.Values];
        if (channels.Length == 0) return [Reply.Push([kind, Reply.Nil, Reply.Int(CountFor(client, space))])];
        var replies = new Reply[channels.Length];
        for (int i = 0; i < channels.Length; i++)
        {
            string key = PubSubSubscriber.Key(channels[i]);
            if (Has(set, key)) await LeaveAsync(client, space, channels[i], key);
            replies[i] = Reply.Push([kind, Reply.Bulk(channels[i]), Reply.Int(CountFor(client, space))]);
        }
        return replies;
    }

    public async Task<Reply[]> PSubscribeAsync(PubSubSubscriber client, byte[][] patterns)
    {
        var replies = new Reply[patterns.Length];
        var kind = Reply.Bulk("psubscribe");
        for (int i = 0; i < patterns.Length; i++)
        {
            string key = PubSubSubscriber.Key(patterns[i]);
            if (!Has(client.PatternSet, key)) await JoinPatternAsync(client, patterns[i], key);
            replies[i] = Reply.Push([kind, Reply.Bulk(patterns[i]), Reply.Int(client.Count)]);
        }
        return replies;
    }

    public async Task<Reply[]> PUnsubscribeAsync(PubSubSubscriber client, byte[][] patterns)
    {
        var kind = Reply.Bulk("punsubscribe");
        if (patterns.Length == 0) lock (_lock) patterns = [.. client.PatternSet.Values];
        if (patterns.Length == 0) return [Reply.Push([kind, Reply.Nil, Reply.Int(client.Count)])];
        var replies = new Reply[patterns.Length];
        for (int i = 0; i < patterns.Length; i++)
        {
            string key = PubSubSubscriber.Key(patterns[i]);
            if (Has(client.PatternSet, key)) await LeavePatternAsync(client, patterns[i], key);
            replies[i] = Reply.Push([kind, Reply.Bulk(patterns[i]), Reply.Int(client.Count)]);
        }
        return replies;
    }

    /// <summary>
    /// Drops every subscription of a client (disconnect, RESET), without replies; returns once every shard applied the
    /// leaves. One that fails is logged and the others still go, so a gone client is never left counted by the rest.
    /// </summary>
    public async Task RemoveClientAsync(PubSubSubscriber client)
    {
        List<(ChannelSpace Space, byte[] Name)> all = [];
        lock (_lock)
        {
            foreach (var space in (ReadOnlySpan<ChannelSpace>)[ChannelSpace.Channel, ChannelSpace.Shard, ChannelSpace.Pattern])
                foreach (var name in client.SetOf(space).Values) all.Add((space, name));
        }
        await Task.WhenAll(all.Select(async s =>
        {
            try
            {
                string key = PubSubSubscriber.Key(s.Name);
                if (s.Space == ChannelSpace.Pattern) await LeavePatternAsync(client, s.Name, key);
                else await LeaveAsync(client, s.Space, s.Name, key);
            }
            catch (Exception e)
            {
                LogRemoveFailed(e, Id);
            }
        }));
    }

    private bool Has(OrderedDictionary<string, byte[]> set, string key)
    {
        lock (_lock) return set.ContainsKey(key);
    }

    /// <summary>The client's confirmations are written: release the messages held for its new subscriptions, in order.</summary>
    public void Activate(PubSubSubscriber client)
    {
        lock (_lock)
        {
            foreach (var pending in client.Pending)
            {
                if (pending is ChannelSub sub && sub.Join >= 0)
                {
                    sub.Active = true;
                    Release(sub);
                }
                else if (pending is PatternSub p && p.Join is not null)
                {
                    p.Active = true;
                    Release(p);
                }
            }
            client.Pending.Clear();
        }
    }

    /// <summary>Under the lock, once a subscription no longer holds: the held messages that counted it go out, in order.</summary>
    private static void Release(ChannelSub sub)
    {
        if (sub.Held is null || sub.Holds) return;
        foreach (var m in sub.Held)
            if (sub.Counted(m)) sub.Client.Deliver(Message(sub.Space, m), Size(m));
        sub.Held = null;
    }

    private static void Release(PatternSub sub)
    {
        if (sub.Held is null || sub.Holds) return;
        foreach (var (shard, m) in sub.Held)
            if (sub.Counted(shard, m)) sub.Client.Deliver(PMessage(sub.Pattern, m), Size(m) + sub.Pattern.Length);
        sub.Held = null;
    }

    private static int CountFor(PubSubSubscriber client, ChannelSpace space) =>
        space == ChannelSpace.Shard ? client.ShardChannels : client.Count;

    private async Task JoinAsync(PubSubSubscriber client, ChannelSpace space, byte[] channel, string key)
    {
        while (true)
        {
            LocalChannel local;
            lock (_lock)
            {
                if (!_channels.TryGetValue((space, key), out local!)) _channels[(space, key)] = local = new LocalChannel(space, channel);
            }
            await local.Gate.WaitAsync();
            try
            {
                if (local.Removed) continue;
                if (!local.Streaming)
                {
                    await StreamConsumer.Subscribe(space, channel);
                    local.Streaming = true;
                }
                var sub = new ChannelSub(client, space);
                lock (_lock) local.Subs.Add(sub);
                int shard = ShardOf(channel);
                ShardSequence join;
                try
                {
                    join = await Shard(shard).Subscribe(Id, space, channel, 1, 0);
                }
                catch
                {
                    lock (_lock) local.Subs.Remove(sub);
                    throw;
                }
                lock (_lock)
                {
                    sub.Join = join.Sequence;
                    sub.Epoch = join.Epoch;
                    client.Pending.Add(sub);
                    client.SetOf(space).Add(key, channel);
                }
                Observe(shard, join.Epoch);
                return;
            }
            finally
            {
                local.Gate.Release();
            }
        }
    }

    private async Task LeaveAsync(PubSubSubscriber client, ChannelSpace space, byte[] channel, string key)
    {
        LocalChannel? local;
        lock (_lock) _channels.TryGetValue((space, key), out local);
        if (local is null) return;
        await local.Gate.WaitAsync();
        try
        {
            ChannelSub? sub;
            lock (_lock) sub = local.Subs.Find(s => s.Client == client);
            if (sub is null) return;
            int shard = ShardOf(channel);
            lock (_lock) sub.Leaving = true;
            ShardSequence answer;
            try
            {
                answer = await Shard(shard).Subscribe(Id, space, channel, -1, sub.Epoch);
            }
            catch
            {
                lock (_lock) { sub.Leaving = false; Release(sub); } // still subscribed: what it held is its own
                throw;
            }
            long last = answer.Sequence;
            lock (_lock)
            {
                sub.Leave = last; // what is published from now on did not count it
                Release(sub);
            }
            Observe(shard, answer.Epoch);
            // Messages that counted it are delivered before its confirmation (a closed client needs none).
            if (last > sub.Join && !client.Closed) await WaitSeenAsync(local, last);
            bool empty;
            lock (_lock)
            {
                local.Subs.Remove(sub);
                client.Pending.Remove(sub);
                client.SetOf(space).Remove(key);
                empty = local.Subs.Count == 0;
            }
            if (!empty) return;
            // The stream goes before the channel leaves the table: a client joining meanwhile waits on the gate, then
            // finds the channel removed and subscribes the stream anew, after this unsubscribe.
            if (local.Streaming) await StreamConsumer.Unsubscribe(space, channel);
            lock (_lock)
            {
                local.Removed = true;
                _channels.Remove((space, key));
            }
        }
        finally
        {
            local.Gate.Release();
        }
    }

    private Task WaitSeenAsync(LocalChannel local, long sequence)
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            if (local.Seen >= sequence) return Task.CompletedTask;
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            local.Waiters.Add((sequence, done));
        }
        return WaitOrGiveUp(done.Task, sequence);
    }

    private async Task WaitOrGiveUp(Task seen, long sequence)
    {
        try
        {
            await seen.WaitAsync(_options.DrainTimeout);
        }
        catch (TimeoutException)
        {
            LogDrainTimeout(Id, sequence);
        }
    }

    private async Task JoinPatternAsync(PubSubSubscriber client, byte[] pattern, string key)
    {
        await _patternGate.WaitAsync();
        try
        {
            if (!_patternStreaming)
            {
                await Task.WhenAll(Enumerable.Range(0, _options.Shards).Select(i => StreamConsumer.Subscribe(ChannelSpace.Pattern, ShardKey(i))));
                _patternStreaming = true;
            }
            var sub = new PatternSub(client, pattern);
            lock (_lock)
            {
                if (!_patterns.TryGetValue(key, out var list)) _patterns[key] = list = [];
                list.Add(sub);
            }
            ShardSequence[] joins;
            try
            {
                joins = await Task.WhenAll(Enumerable.Range(0, _options.Shards).Select(i => Shard(i).SubscribePattern(Id, pattern, 1, 0).AsTask()));
            }
            catch
            {
                lock (_lock) RemovePatternSub(key, sub);
                throw;
            }
            lock (_lock)
            {
                sub.Epochs = [.. joins.Select(j => j.Epoch)];
                sub.Join = [.. joins.Select(j => j.Sequence)];
                client.Pending.Add(sub);
                client.PatternSet.Add(key, pattern);
            }
            for (int i = 0; i < joins.Length; i++) Observe(i, joins[i].Epoch);
            _patternSubscribers++;
        }
        finally
        {
            _patternGate.Release();
        }
    }

    private async Task LeavePatternAsync(PubSubSubscriber client, byte[] pattern, string key)
    {
        await _patternGate.WaitAsync();
        try
        {
            PatternSub? sub;
            lock (_lock) sub = _patterns.TryGetValue(key, out var list) ? list.Find(s => s.Client == client) : null;
            if (sub is null) return;
            // Shard 0 answers NUMPAT: it learns last, so NUMPAT stops counting the pattern only once no shard delivers to it.
            var answers = new ShardSequence[_options.Shards];
            lock (_lock) sub.Leaving = true;
            try
            {
                var others = await Task.WhenAll(Enumerable.Range(1, _options.Shards - 1).Select(i => Shard(i).SubscribePattern(Id, pattern, -1, sub.Epochs![i]).AsTask()));
                others.CopyTo(answers, 1);
                answers[0] = await Shard(0).SubscribePattern(Id, pattern, -1, sub.Epochs![0]);
            }
            catch
            {
                lock (_lock) { sub.Leaving = false; Release(sub); }
                throw;
            }
            var lasts = answers.Select(a => a.Sequence).ToArray();
            for (int i = 0; i < answers.Length; i++) Observe(i, answers[i].Epoch);
            var waits = new List<Task>();
            lock (_lock)
            {
                sub.Leave = lasts;
                Release(sub);
                for (int i = 0; i < lasts.Length; i++)
                {
                    if (client.Closed || lasts[i] <= (sub.Join?[i] ?? 0) || _patternSeen[i] >= lasts[i]) continue;
                    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _patternWaiters.Add((i, lasts[i], done));
                    waits.Add(WaitOrGiveUp(done.Task, lasts[i]));
                }
            }
            await Task.WhenAll(waits);
            lock (_lock)
            {
                RemovePatternSub(key, sub);
                client.Pending.Remove(sub);
                client.PatternSet.Remove(key);
            }
            if (--_patternSubscribers == 0 && _patternStreaming)
            {
                await Task.WhenAll(Enumerable.Range(0, _options.Shards).Select(i => StreamConsumer.Unsubscribe(ChannelSpace.Pattern, ShardKey(i))));
                _patternStreaming = false;
            }
        }
        finally
        {
            _patternGate.Release();
        }
    }

    private void RemovePatternSub(string key, PatternSub sub)
    {
        if (!_patterns.TryGetValue(key, out var list)) return;
        list.Remove(sub);
        if (list.Count == 0) _patterns.Remove(key);
    }

    /// <summary>The stream key of shard <paramref name="shard"/>'s pattern stream.</summary>
    public static byte[] ShardKey(int shard) => System.Text.Encoding.ASCII.GetBytes(shard.ToString(System.Globalization.CultureInfo.InvariantCulture));

    // ---- publish -----------------------------------------------------------------------------------------------

    /// <summary>PUBLISH / SPUBLISH of a pipeline's messages, in order per shard; returns each message's receiver count.</summary>
    public async Task<long[]> PublishAsync(ChannelSpace space, IReadOnlyList<(byte[] Channel, byte[] Payload)> messages)
    {
        var counts = new long[messages.Count];
        if (messages.Count == 1)
        {
            var (ch, payload) = messages[0];
            counts[0] = (await Shard(ShardOf(ch)).Publish(new PublishBatch(space, [ch], [payload])))[0];
            return counts;
        }
        var groups = new Dictionary<int, List<int>>();
        for (int i = 0; i < messages.Count; i++)
        {
            int shard = ShardOf(messages[i].Channel);
            if (!groups.TryGetValue(shard, out var list)) groups[shard] = list = [];
            list.Add(i);
        }
        await Task.WhenAll(groups.Select(async g =>
        {
            var batch = new PublishBatch(space, [.. g.Value.Select(i => messages[i].Channel)], [.. g.Value.Select(i => messages[i].Payload)]);
            var result = await Shard(g.Key).Publish(batch);
            for (int k = 0; k < g.Value.Count; k++) counts[g.Value[k]] = result[k];
        }));
        return counts;
    }

    // ---- PUBSUB and CONFIG SET notify-keyspace-events, asked of the shard grains -------------------------------

    public async Task<byte[][]> ChannelsAsync(ChannelSpace space, byte[]? pattern)
    {
        var all = await Task.WhenAll(Enumerable.Range(0, Shards).Select(i => Shard(i).Channels(space, pattern).AsTask()));
        return [.. all.SelectMany(x => x)];
    }

    public async Task<long[]> NumSubAsync(ChannelSpace space, byte[][] channels)
    {
        var counts = new long[channels.Length];
        var byShard = channels.Select((name, i) => (name, i)).GroupBy(x => ShardOf(x.name));
        await Task.WhenAll(byShard.Select(async g =>
        {
            var list = g.ToList();
            var result = await Shard(g.Key).NumSub(space, [.. list.Select(x => x.name)]);
            for (int k = 0; k < list.Count; k++) counts[list[k].i] = result[k];
        }));
        return counts;
    }

    public async Task<long> NumPatAsync() => await Shard(0).NumPat();

    public Task SetKeyspaceEventsAsync(KeyspaceEventFlags flags) => _grains.GetGrain<IKeyspaceEventsGrain>(0).Set((int)flags).AsTask();

    public Task EnableTrackingAsync() => _grains.GetGrain<IKeyspaceEventsGrain>(0).EnableTracking().AsTask();

    // ---- delivery (called by the stream consumer grain) ---------------------------------------------------------

    /// <summary>Hands a message that arrived on stream (<paramref name="space"/>, <paramref name="key"/>) to the local clients it counted.</summary>
    public void Deliver(ChannelSpace space, byte[] key, PubSubDelivery message)
    {
        if (space == ChannelSpace.Pattern)
        {
            DeliverPattern(int.Parse(System.Text.Encoding.ASCII.GetString(key), System.Globalization.CultureInfo.InvariantCulture), message);
            return;
        }
        lock (_lock)
        {
            if (!_channels.TryGetValue((space, PubSubSubscriber.Key(key)), out var local)) return;
            if (message.Sequence <= local.Seen) return; // a repeat
            local.Seen = message.Sequence;
            Reply? push = null;
            foreach (var sub in local.Subs)
            {
                if (sub.Client.Closed || !sub.Counted(message)) continue;
                if (sub.Holds) { (sub.Held ??= []).Add(message); continue; }
                push ??= Message(space, message);
                sub.Client.Deliver(push, Size(message));
            }
            for (int i = local.Waiters.Count - 1; i >= 0; i--)
            {
                if (local.Waiters[i].Sequence > local.Seen) continue;
                local.Waiters[i].Done.TrySetResult();
                local.Waiters.RemoveAt(i);
            }
        }
    }

    private void DeliverPattern(int shard, PubSubDelivery message)
    {
        if ((uint)shard >= (uint)_patternSeen.Length) return;
        lock (_lock)
        {
            if (message.Sequence <= _patternSeen[shard]) return; // a repeat
            _patternSeen[shard] = message.Sequence;
            foreach (var (_, subs) in _patterns)
            {
                if (subs.Count == 0 || !Glob.IsMatch(subs[0].Pattern, message.Channel)) continue;
                Reply? push = null;
                foreach (var sub in subs)
                {
                    if (sub.Client.Closed || !sub.Counted(shard, message)) continue;
                    if (sub.Holds) { (sub.Held ??= []).Add((shard, message)); continue; }
                    push ??= PMessage(sub.Pattern, message);
                    sub.Client.Deliver(push, Size(message) + sub.Pattern.Length);
                }
            }
            for (int i = _patternWaiters.Count - 1; i >= 0; i--)
            {
                var (s, seq, done) = _patternWaiters[i];
                if (s != shard || seq > _patternSeen[shard]) continue;
                done.TrySetResult();
                _patternWaiters.RemoveAt(i);
            }
        }
    }

    private static Reply Message(ChannelSpace space, PubSubDelivery m) =>
        Reply.Push([space == ChannelSpace.Shard ? SMessageKind : MessageKind, Reply.Bulk(m.Channel), Reply.Bulk(m.Payload)]);

    private static Reply PMessage(byte[] pattern, PubSubDelivery m) =>
        Reply.Push([PMessageKind, Reply.Bulk(pattern), Reply.Bulk(m.Channel), Reply.Bulk(m.Payload)]);

    private static int Size(PubSubDelivery m) => m.Channel.Length + m.Payload.Length + 40;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pub/sub hub {Hub} gave up waiting for message {Sequence}, counted for a leaving subscriber")]
    private partial void LogDrainTimeout(string hub, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pub/sub hub {Hub} could not remove a client's subscriptions")]
    private partial void LogRemoveFailed(Exception exception, string hub);
}
