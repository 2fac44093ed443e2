using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// OBJECT IDLETIME: seconds since a command last looked the key up or wrote it, on a 1-second clock like Redis's LRU
/// clock. Redis 7.0 looks keys up without touching them (LOOKUP_NOTOUCH) in OBJECT, EXISTS, TYPE, the TTL family and
/// SCAN's TYPE filter; KEYS, SCAN, RANDOMKEY and DBSIZE do not look keys up at all. Everything else touches.
/// </summary>
public sealed class IdleTimeTests
{
    private readonly Session _s = new();

    private string Idle(string key) => _s.Run("OBJECT", "IDLETIME", key);

    [Fact]
    public void Idle_time_counts_seconds_since_the_last_read_or_write()
    {
        _s.Run("SET", "k", "v");
        Assert.Equal("(integer) 0", Idle("k"));
        _s.Advance(10_000);
        Assert.Equal("(integer) 10", Idle("k"));
        _s.Run("GET", "k");
        Assert.Equal("(integer) 0", Idle("k"));
        _s.Advance(5_000);
        Assert.Equal("(integer) 5", Idle("k"));
        Assert.Equal("(integer) 5", Idle("k")); // OBJECT IDLETIME itself is not an access
        _s.Run("OBJECT", "ENCODING", "k");
        _s.Run("OBJECT", "REFCOUNT", "k");
        _s.Run("OBJECT", "FREQ", "k");
        Assert.Equal("(integer) 5", Idle("k"));
        _s.Run("SET", "k", "w"); // a write
        Assert.Equal("(integer) 0", Idle("k"));
        _s.Advance(7_000);
        _s.Run("APPEND", "k", "x");
        Assert.Equal("(integer) 0", Idle("k"));
        Assert.Equal("(nil)", Idle("missing"));
    }

    [Fact]
    public void The_clock_has_one_second_resolution()
    {
        _s.Advance(900);
        _s.Run("SET", "k", "v");
        _s.Advance(99);
        Assert.Equal("(integer) 0", Idle("k")); // 0.999 s: still the same second
        _s.Advance(1);
        Assert.Equal("(integer) 1", Idle("k")); // 0.1 s later, but the clock ticked
        _s.Advance(1_999);
        Assert.Equal("(integer) 2", Idle("k"));
    }

    [Fact]
    public void Exists_type_ttl_object_and_key_listings_do_not_touch()
    {
        _s.Run("SET", "k", "v", "EX", "1000");
        _s.Advance(30_000);
        foreach (var argv in new[]
        {
            new[] { "EXISTS", "k" }, ["TYPE", "k"], ["TTL", "k"], ["PTTL", "k"], ["EXPIRETIME", "k"], ["PEXPIRETIME", "k"],
            ["OBJECT", "ENCODING", "k"], ["KEYS", "*"], ["SCAN", "0"], ["SCAN", "0", "TYPE", "string"], ["RANDOMKEY"], ["DBSIZE"],
        })
        {
            _s.Run(argv);
            Assert.Equal("(integer) 30", Idle("k"));
        }
    }

    [Fact]
    public void Touch_and_every_other_command_on_the_key_touch()
    {
        foreach (var (key, argv) in new[]
        {
            ("s", new[] { "TOUCH", "s" }), ("s", ["STRLEN", "s"]), ("s", ["GETRANGE", "s", "0", "0"]), ("s", ["GETBIT", "s", "0"]),
            ("s", ["BITCOUNT", "s"]), ("s", ["EXPIRE", "s", "100"]), ("s", ["PERSIST", "s"]), ("s", ["SETBIT", "s", "0", "0"]),
            ("l", ["LLEN", "l"]), ("l", ["LRANGE", "l", "0", "-1"]), ("h", ["HGET", "h", "f"]), ("h", ["HSET", "h", "f", "w"]),
            ("s", ["MGET", "s", "l"]), ("l", ["MGET", "s", "l"]), ("h", ["TOUCH", "s", "h", "missing"]),
        })
        {
            _s.Run("DEL", "s", "l", "h");
            _s.Run("SET", "s", "v");
            _s.Run("RPUSH", "l", "a");
            _s.Run("HSET", "h", "f", "v");
            _s.Advance(3_000);
            Assert.Equal("(integer) 3", Idle(key));
            _s.Run(argv);
            Assert.Equal("(integer) 0", Idle(key));
        }
    }

    [Fact]
    public void Rename_and_copy_give_fresh_keys_and_touch_the_source()
    {
        _s.Run("SET", "{t}a", "v");
        _s.Run("SET", "{t}b", "v");
        _s.Advance(20_000);
        _s.Run("RENAME", "{t}a", "{t}c");
        Assert.Equal("(integer) 0", Idle("{t}c"));
        _s.Advance(4_000);
        _s.Run("COPY", "{t}b", "{t}d");
        Assert.Equal("(integer) 0", Idle("{t}b"));
        Assert.Equal("(integer) 0", Idle("{t}d"));
    }

    [Fact]
    public void A_key_loaded_from_a_snapshot_is_fresh()
    {
        _s.Run("SET", "k", "v");
        _s.Advance(60_000);
        var data = Snapshot.Write(_s.Db, offset: 0);
        var target = new Session();
        target.Clock.SetUtcNow(_s.Clock.GetUtcNow());
        Snapshot.Load(data, target.Db);
        Assert.Equal("(integer) 0", target.Run("OBJECT", "IDLETIME", "k"));
    }

    [Fact]
    public void Idle_time_survives_the_clock_wrapping_past_31_bits()
    {
        // 2^31 Unix seconds is 2038-01-19T03:14:08Z: the stored clock wraps to 0 there.
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds((1L << 31) - 5));
        var db = new Keyspace(clock, 1);
        db.Execute([.. new[] { "SET", "k", "v" }.Select(Encoding.UTF8.GetBytes)]);
        clock.Advance(TimeSpan.FromSeconds(12));
        var reply = db.Execute([.. new[] { "OBJECT", "IDLETIME", "k" }.Select(Encoding.UTF8.GetBytes)]);
        Assert.Equal(12, reply.Integer);
    }

    [Fact]
    public void Tracking_access_keeps_an_entry_at_56_bytes()
    {
        if (IntPtr.Size != 8) return;
        const int N = 1000;
        var keep = new object[N];
        RuntimeHelpers.GetUninitializedObject(typeof(Entry));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < N; i++) keep[i] = RuntimeHelpers.GetUninitializedObject(typeof(Entry));
        long perEntry = (GC.GetAllocatedBytesForCurrentThread() - before) / N;
        GC.KeepAlive(keep);
        Assert.Equal(56, perEntry);
    }

    [Fact]
    public void The_removed_flag_and_the_clock_share_a_field_without_clobbering_each_other()
    {
        _s.Advance(5_000);
        _s.Run("SET", "k", "v", "PX", "100");
        var entry = _s.Db.Find("k"u8)!;
        Assert.False(entry.Removed);
        _s.Advance(200);
        Assert.Equal("(integer) 0", _s.Run("EXISTS", "k")); // expired: leaves the table
        Assert.True(entry.Removed);
        Assert.Equal((uint)(Session.StartSeconds + 5) & Entry.ClockMask, entry.AccessClock);
    }
}
