using Microsoft.Extensions.Options;
using Orleans.Cache.Core;
using Orleans.Cache.PubSub;
using Orleans.Streams;

namespace Orleans.Cache.Grains;

/// <summary>
/// Sequencer and directory of one slice of the channel space (see <see cref="PubSubHub"/> for why counts are exact):
/// per channel, how many clients of each hub are subscribed; every pattern with its clients per hub; one sequence
/// number for everything this shard publishes. The directory lives in memory: an activation that replaces a lost one
/// starts empty under a new epoch, and the hubs restore their counts (<see cref="PubSubHub.RestoreShardsAsync"/>).
/// </summary>
internal sealed class PubSubShardGrain(IOptions<PubSubOptions> options) : Grain, IPubSubShardGrain
{
    private sealed class Subscribers(byte[] name)
    {
        public readonly byte[] Name = name;
        public readonly Dictionary<string, int> Hubs = new(StringComparer.Ordinal);
        public long Total;
        /// <summary>Sequence number of the last message that counted these subscribers.</summary>
        public long Last;

        public void Add(string hub, int delta)
        {
            int n = Hubs.GetValueOrDefault(hub) + delta;
            if (n < 0) return; // a leave without a join (a hub retrying after a failure): nothing to undo
            if (n == 0) Hubs.Remove(hub); else Hubs[hub] = n;
            Total += delta;
        }

        public void Set(string hub, int count) => Add(hub, Math.Max(count, 0) - Hubs.GetValueOrDefault(hub));
    }

    private readonly Dictionary<string, Subscribers> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Subscribers> _shardChannels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Subscribers> _patterns = new(StringComparer.Ordinal);
    private readonly string _provider = options.Value.StreamProvider;
    private long _sequence;
    private long _epoch;
    private long _patternLast;

    private Dictionary<string, Subscribers> Space(ChannelSpace space) => space == ChannelSpace.Shard ? _shardChannels : _channels;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Hubs remember sequence numbers (the last seen per stream, subscription windows): a new activation of this shard
        // (its silo died) must number after the old one, so it starts at the wall clock's ticks, which no shard outruns.
        _sequence = TimeProvider.System.GetUtcNow().UtcTicks;
        // Its first number is its epoch: hubs compare it with the one they registered under to learn the directory was lost.
        _epoch = _sequence;
        // The directory lives in memory: keep it while the silo lives.
        this.RegisterGrainTimer(() => Task.CompletedTask, new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public async ValueTask<long[]> Publish(PublishBatch batch)
    {
        var channels = Space(batch.Space);
        var counts = new long[batch.Channels.Length];
        Dictionary<string, (byte[] Key, List<PubSubDelivery> Items)>? streams = null;
        List<PubSubDelivery>? patternItems = null;
        for (int i = 0; i < counts.Length; i++)
        {
            var channel = batch.Channels[i];
            long seq = ++_sequence;
            var message = new PubSubDelivery(channel, batch.Payloads[i], seq, _epoch);
            long count = 0;
            if (channels.TryGetValue(PubSubSubscriber_Key(channel), out var subs) && subs.Total > 0)
            {
                count += subs.Total;
                subs.Last = seq;
                streams ??= [];
                var k = PubSubSubscriber_Key(channel);
                if (!streams.TryGetValue(k, out var s)) streams[k] = s = (channel, []);
                s.Items.Add(message);
            }
            if (batch.Space == ChannelSpace.Channel && _patterns.Count > 0)
            {
                bool matched = false;
                foreach (var p in _patterns.Values)
                {
                    if (!Glob.IsMatch(p.Name, channel)) continue;
                    count += p.Total;
                    p.Last = seq;
                    matched = true;
                }
                if (matched)
                {
                    (patternItems ??= []).Add(message);
                    _patternLast = seq;
                }
            }
            counts[i] = count;
        }
        if (streams is null && patternItems is null) return counts;
        var provider = this.GetStreamProvider(_provider);
        var sends = new List<Task>();
        if (streams is not null)
            foreach (var (_, (key, items)) in streams)
                sends.Add(Send(provider.GetStream<PubSubDelivery>(StreamIds.Of(batch.Space, key)), items));
        if (patternItems is not null)
            sends.Add(Send(provider.GetStream<PubSubDelivery>(StreamIds.Of(ChannelSpace.Pattern, PubSubHub.ShardKey((int)this.GetPrimaryKeyLong()))), patternItems));
        await Task.WhenAll(sends);
        return counts;
    }

    private static Task Send(IAsyncStream<PubSubDelivery> stream, List<PubSubDelivery> items) =>
        items.Count == 1 ? stream.OnNextAsync(items[0]) : stream.OnNextBatchAsync(items);

    public ValueTask<ShardSequence> Subscribe(string hub, ChannelSpace space, byte[] channel, int delta, long epoch) =>
        Change(Space(space), hub, channel, delta, epoch);

    public ValueTask<ShardSequence> SubscribePattern(string hub, byte[] pattern, int delta, long epoch) =>
        Change(_patterns, hub, pattern, delta, epoch);

    private ValueTask<ShardSequence> Change(Dictionary<string, Subscribers> map, string hub, byte[] name, int delta, long epoch)
    {
        string key = PubSubSubscriber_Key(name);
        if (delta > 0)
        {
            if (!map.TryGetValue(key, out var subs)) map[key] = subs = new Subscribers(name);
            subs.Add(hub, delta);
            return Answer(_sequence);
        }
        // A leave of what an earlier activation counted: this one never counted it.
        if (epoch != _epoch || !map.TryGetValue(key, out var existing)) return Answer(0);
        existing.Add(hub, delta);
        if (existing.Total <= 0) map.Remove(key);
        return Answer(existing.Last);
    }

    public ValueTask<long> Epoch() => ValueTask.FromResult(_epoch);

    public ValueTask<ShardSequence> Restore(string hub, SubscriptionCount[] counts, long floor)
    {
        // The hub drops messages not newer than the last it saw from this shard: number after it, whatever this clock says.
        if (floor > _sequence) _sequence = floor;
        foreach (var count in counts)
        {
            var map = count.Space == ChannelSpace.Pattern ? _patterns : Space(count.Space);
            string key = PubSubSubscriber_Key(count.Name);
            if (!map.TryGetValue(key, out var subs))
            {
                if (count.Count <= 0) continue;
                map[key] = subs = new Subscribers(count.Name);
            }
            subs.Set(hub, count.Count);
            if (subs.Total <= 0) map.Remove(key);
        }
        return Answer(_sequence);
    }

    private ValueTask<ShardSequence> Answer(long sequence) => ValueTask.FromResult(new ShardSequence(sequence, _epoch));

    public ValueTask<byte[][]> Channels(ChannelSpace space, byte[]? pattern)
    {
        var names = new List<byte[]>();
        foreach (var subs in Space(space).Values)
            if (subs.Total > 0 && (pattern is null || Glob.IsMatch(pattern, subs.Name)) && !KeyspaceEvents.IsInternal(subs.Name)) names.Add(subs.Name);
        return ValueTask.FromResult(names.ToArray());
    }

    public ValueTask<long[]> NumSub(ChannelSpace space, byte[][] channels)
    {
        var map = Space(space);
        var counts = new long[channels.Length];
        for (int i = 0; i < channels.Length; i++)
            counts[i] = map.TryGetValue(PubSubSubscriber_Key(channels[i]), out var subs) ? subs.Total : 0;
        return ValueTask.FromResult(counts);
    }

    public ValueTask<long> NumPat() => ValueTask.FromResult((long)_patterns.Count);

    public ValueTask DropHub(string hub)
    {
        Drop(h => h == hub);
        return ValueTask.CompletedTask;
    }

    public ValueTask<long> DropSilo(string silo)
    {
        string prefix = silo + "|";
        return ValueTask.FromResult(Drop(h => h.StartsWith(prefix, StringComparison.Ordinal)));
    }

    /// <summary>Removes the counts of the hubs that match; a channel or pattern left without subscribers goes.</summary>
    private long Drop(Func<string, bool> hubs)
    {
        long dropped = 0;
        foreach (var map in new[] { _channels, _shardChannels, _patterns })
        {
            foreach (var (key, subs) in map.ToList())
            {
                foreach (var (hub, n) in subs.Hubs.ToList())
                {
                    if (!hubs(hub)) continue;
                    subs.Add(hub, -n);
                    dropped += n;
                }
                if (subs.Total <= 0) map.Remove(key);
            }
        }
        return dropped;
    }

    private static string PubSubSubscriber_Key(byte[] name) => System.Text.Encoding.Latin1.GetString(name);
}

/// <summary>The stream ids of channels, shard channels and shard pattern streams.</summary>
internal static class StreamIds
{
    public static StreamId Of(ChannelSpace space, byte[] key) => StreamId.Create(Namespace(space), key);

    private static ReadOnlySpan<byte> Namespace(ChannelSpace space) => space switch
    {
        ChannelSpace.Channel => "redis.channel"u8,
        ChannelSpace.Shard => "redis.shardchannel"u8,
        _ => "redis.pattern"u8,
    };
}
