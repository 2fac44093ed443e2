using System.Text;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// maxmemory and the eviction policies on a fake clock: which keys each policy evicts, OOM under noeviction and when a
/// volatile policy has nothing left to evict, the events, counters and DEL effects of evictions, and the memory estimate
/// they run on. Keys here are "k0000"-style (5 bytes) with 100-byte values: 224 bytes each by MEMORY USAGE. As in Redis,
/// eviction runs before a write when memory is over maxmemory, so a write at exactly maxmemory goes through and the
/// partition settles one key above it.
/// </summary>
public sealed class EvictionTests
{
    private const long KeyBytes = 64 + 32 + 128; // entry and slot, key array, value array
    private static readonly string Value = new('v', 100);

    private readonly TypesDb _db = new();
    private Keyspace K => _db.Keyspace;

    private void Limit(EvictionPolicy policy, long keys, int samples = 10) =>
        K.Eviction = new EvictionSettings(keys * KeyBytes, policy, samples);

    private static string Key(string prefix, int i) => prefix + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    private void Fill(string prefix, int count, params string[] options)
    {
        for (int i = 0; i < count; i++)
            Assert.Equal("OK", _db.Do(["SET", Key(prefix, i), Value, .. options]));
    }

    private bool Exists(string key) => K.Peek(Encoding.UTF8.GetBytes(key)) is not null;

    private int Surviving(string prefix, int count) => Enumerable.Range(0, count).Count(i => Exists(Key(prefix, i)));

    [Fact]
    public void Memory_usage_of_a_key_is_its_charge_and_the_partition_total_follows_every_write()
    {
        _db.Do("SET", "k0000", Value);
        Assert.Equal(KeyBytes, MemoryUsage.Of(K.Peek("k0000"u8)!));
        Assert.Equal(KeyBytes, K.UsedMemory);

        // Strings grown in place, aggregates changed in place, replaced, expired, deleted: the total is always the sum of
        // MEMORY USAGE over the keys, with no scan behind it.
        _db.Do("APPEND", "k0000", new string('x', 500));
        _db.Do("SETRANGE", "s", "1000", "x");
        _db.Do("GET", "s");
        _db.Do("HSET", "h", "f1", "v1", "f2", new string('y', 300));
        _db.Do("RPUSH", "l", "a", "b", "c");
        _db.Do("LPOP", "l");
        _db.Do("SADD", "set", "m1", "m2");
        _db.Do("ZADD", "z", "1", "a", "2", "b");
        _db.Do("ZREM", "z", "a");
        _db.Do("SET", "t", "v", "PX", "100");
        _db.Do("HSET", "h2", "f", "v");
        _db.Do("HPEXPIRE", "h2", "100", "FIELDS", "1", "f");
        _db.Do("HSET", "h2", "g", "w");
        _db.Do("COPY", "h", "h3");
        _db.Do("RENAME", "l", "l2");
        _db.Do("SET", "set", "now a string");
        AssertTotalIsSumOfUsage();

        _db.Clock.Advance(TimeSpan.FromMilliseconds(200));
        K.ActiveExpire(100);
        Assert.False(Exists("t"));
        Assert.Equal("[g]", _db.Do("HKEYS", "h2"));
        AssertTotalIsSumOfUsage();

        _db.Do("DEL", "h", "h3", "k0000");
        AssertTotalIsSumOfUsage();
        _db.Do("FLUSHALL");
        Assert.Equal(0, K.UsedMemory);
    }

    private void AssertTotalIsSumOfUsage()
    {
        long sum = 0;
        foreach (var entry in K.Entries()) sum += MemoryUsage.Of(entry);
        Assert.Equal(sum, K.UsedMemory);
    }

    [Fact]
    public void Noeviction_refuses_denyoom_writes_but_serves_reads_and_deletes()
    {
        Fill("k", 10);
        Limit(EvictionPolicy.NoEviction, 5);
        const string Oom = "OOM command not allowed when used memory > 'maxmemory'.";
        Assert.Equal(Oom, _db.Do("SET", "new", "v"));
        Assert.Equal(Oom, _db.Do("INCR", "counter"));
        Assert.Equal(Oom, _db.Do("LPUSH", "list", "x"));
        Assert.Equal(Oom, _db.Do("APPEND", "k0000", "x"));
        Assert.Equal(Value, _db.Do("GET", "k0000"));
        Assert.Equal("1", _db.Do("EXPIRE", "k0001", "100")); // not denyoom in Redis's table
        Assert.Equal("1", _db.Do("DEL", "k0000"));
        Assert.Equal(9, K.Count);
        Assert.Equal(0, K.EvictedTotal);

        for (int i = 1; i <= 5; i++) _db.Do("DEL", Key("k", i));
        Assert.Equal("OK", _db.Do("SET", "new", "v")); // back under maxmemory
    }

    [Fact]
    public void Allkeys_lru_evicts_the_keys_not_used_lately_and_keeps_the_ones_read()
    {
        Limit(EvictionPolicy.AllKeysLru, 100);
        Fill("k", 100);
        _db.Clock.Advance(TimeSpan.FromSeconds(10));
        for (int i = 0; i < 20; i++) _db.Do("GET", Key("k", i));
        _db.Clock.Advance(TimeSpan.FromSeconds(10));
        Fill("n", 50);

        Assert.Equal(20, Surviving("k", 20)); // read 10 s ago: all kept
        Assert.Equal(31, Surviving("k", 100) - 20); // 80 untouched, 49 went
        Assert.Equal(50, Surviving("n", 50));
        Assert.Equal(101 * KeyBytes, K.UsedMemory);
        Assert.Equal(49, K.EvictedTotal);
    }

    [Fact]
    public void Allkeys_lfu_keeps_frequently_read_keys_and_object_freq_reports_the_counter()
    {
        K.Eviction = new EvictionSettings(0, EvictionPolicy.AllKeysLfu);
        Fill("k", 100);
        Assert.Equal("5", _db.Do("OBJECT", "FREQ", "k0000")); // LFU_INIT_VAL
        for (int n = 0; n < 30; n++)
            for (int i = 0; i < 20; i++) _db.Do("GET", Key("k", i));
        Assert.True(int.Parse(_db.Do("OBJECT", "FREQ", "k0000"), System.Globalization.CultureInfo.InvariantCulture) > 5);
        Assert.StartsWith("ERR An LFU maxmemory policy is selected, idle time not tracked", _db.Do("OBJECT", "IDLETIME", "k0000"));

        Limit(EvictionPolicy.AllKeysLfu, 100);
        Fill("n", 50);
        Assert.Equal(20, Surviving("k", 20));
        Assert.Equal(49, K.EvictedTotal);
    }

    [Fact]
    public void Lfu_counter_decays_by_one_per_lfu_decay_time_minutes()
    {
        K.Eviction = new EvictionSettings(0, EvictionPolicy.AllKeysLfu, LfuLogFactor: 0); // every access counts
        _db.Do("SET", "k", "v");
        for (int i = 0; i < 10; i++) _db.Do("GET", "k");
        Assert.Equal("15", _db.Do("OBJECT", "FREQ", "k"));
        _db.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("11", _db.Do("OBJECT", "FREQ", "k"));
        K.Eviction = K.Eviction with { LfuDecayTime = 2 };
        Assert.Equal("13", _db.Do("OBJECT", "FREQ", "k"));
        K.Eviction = new EvictionSettings(0, EvictionPolicy.AllKeysLru);
        Assert.StartsWith("ERR An LFU maxmemory policy is not selected", _db.Do("OBJECT", "FREQ", "k"));
    }

    [Fact]
    public void Volatile_lru_evicts_only_keys_with_a_ttl_and_answers_oom_when_none_is_left()
    {
        Fill("p", 50);
        Fill("t", 50, "EX", "1000");
        Limit(EvictionPolicy.VolatileLru, 100);
        Fill("n", 30);
        Assert.Equal(50, Surviving("p", 50));
        Assert.Equal(21, Surviving("t", 50));
        Assert.Equal(30, Surviving("n", 30));

        Fill("x", 21);
        Assert.Equal(0, Surviving("t", 50));
        Assert.Equal("OOM command not allowed when used memory > 'maxmemory'.", _db.Do("SET", "more", Value));
        Assert.Equal(50, Surviving("p", 50));
        Assert.Equal(Value, _db.Do("GET", "p0000"));
    }

    [Theory]
    [InlineData("volatile-random")]
    [InlineData("volatile-lfu")]
    public void Other_volatile_policies_never_evict_keys_without_a_ttl(string name)
    {
        var policy = EvictionSettings.ParsePolicy(name);
        Fill("p", 90);
        Fill("t", 10, "EX", "1000");
        Limit(policy, 100);
        Fill("n", 11);
        Assert.Equal(90, Surviving("p", 90));
        Assert.Equal(0, Surviving("t", 10));
        Assert.StartsWith("OOM", _db.Do("SET", "more", Value));
    }

    [Fact]
    public void Volatile_ttl_evicts_the_nearest_expiry_first()
    {
        for (int i = 0; i < 20; i++) _db.Do("SET", Key("t", i), Value, "EX", (1000 - i * 10).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Fill("p", 80);
        Limit(EvictionPolicy.VolatileTtl, 100);
        Fill("n", 6, "EX", "5000");
        // t0019 expires first (810 s), then t0018 …: the five nearest went, in that order.
        Assert.Equal(15, Surviving("t", 15));
        Assert.Equal(0, Enumerable.Range(15, 5).Count(i => Exists(Key("t", i))));
        Assert.Equal(80, Surviving("p", 80));
    }

    [Fact]
    public void Allkeys_random_stays_within_maxmemory()
    {
        Limit(EvictionPolicy.AllKeysRandom, 50);
        Fill("k", 200);
        Assert.Equal(51 * KeyBytes, K.UsedMemory);
        Assert.Equal(51, K.Count);
        Assert.Equal(149, K.EvictedTotal);
        Assert.True(Surviving("k", 150) > 0, "random eviction does not just drop the oldest keys");
    }

    [Fact]
    public void An_eviction_raises_the_evicted_event_and_propagates_a_del_before_the_write()
    {
        var events = new List<string>();
        K.Events = new EventRecorder(events);
        K.Effects.Capacity = 64;
        Limit(EvictionPolicy.AllKeysLru, 2);
        Fill("k", 3); // the third goes in at exactly maxmemory
        _db.Clock.Advance(TimeSpan.FromSeconds(5));
        _db.Do("GET", "k0001");
        _db.Do("GET", "k0002");
        long offset = K.Effects.Offset;
        events.Clear();

        _db.Do("SET", "k0003", Value);
        Assert.Equal(["evicted k0000", "new k0003", "set k0003"], events);
        var effects = new List<Effect>();
        Assert.True(K.Effects.TryReadSince(offset, effects));
        Assert.Equal(["DEL k0000", "SET k0003 " + Value], effects.Select(e => string.Join(' ', e.Argv.Select(Args.Text))));
        Assert.Equal(1, K.EvictedTotal);
        K.ResetStats();
        Assert.Equal(0, K.EvictedTotal);
    }

    [Fact]
    public void Partitions_of_one_silo_share_maxmemory_and_each_evicts_its_share()
    {
        var silo = new SiloMemory();
        var other = new TypesDb(7);
        K.Memory = silo;
        other.Keyspace.Memory = silo;
        var settings = new EvictionSettings(200 * KeyBytes, EvictionPolicy.AllKeysLru, 10);
        K.Eviction = settings;
        other.Keyspace.Eviction = settings;
        Fill("a", 100);
        for (int i = 0; i < 100; i++) other.Do("SET", Key("b", i), Value);
        K.Publish();
        other.Keyspace.Publish();
        Assert.Equal(200 * KeyBytes, silo.Used);

        Fill("n", 40); // only this partition writes: it gives back about half of each excess, the other keeps everything
        Assert.Equal(100, other.Keyspace.Count);
        Assert.InRange(silo.Used, 0, 202 * KeyBytes);
        for (int i = 0; i < 40; i++) other.Do("SET", Key("m", i), Value);
        K.Publish();
        other.Keyspace.Publish();
        Assert.True(other.Keyspace.EvictedTotal > 0);
        Assert.InRange(silo.Used, 0, 202 * KeyBytes);
        Assert.Equal(silo.Used, K.UsedMemory + other.Keyspace.UsedMemory);
        Assert.True(silo.Peak >= 200 * KeyBytes);
    }

    [Fact]
    public void Nothing_is_evicted_while_maxmemory_is_zero()
    {
        K.Eviction = new EvictionSettings(0, EvictionPolicy.AllKeysLru);
        Fill("k", 500);
        Assert.Equal(500, K.Count);
        Assert.Equal(500 * KeyBytes, K.UsedMemory);
        Assert.Equal(0, K.EvictedTotal);
    }
}
