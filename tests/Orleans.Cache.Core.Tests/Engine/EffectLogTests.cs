using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Orleans.Cache.Core.Tests.Engine;

/// <summary>
/// The effect log is a replica's input: replaying a partition's effects in order on an empty keyspace, later and
/// elsewhere, must give the same keys, values and absolute deadlines — whatever the commands did with the clock or chance.
/// </summary>
public sealed class EffectLogTests
{
    private static readonly string[] Keys = ["s1", "s2", "l1", "l2", "h1", "z1", "t1", "t2"];
    private static readonly string[] SetKeys = ["set1", "set2"];

    /// <summary>A random write (or read) over a few keys, with relative TTLs (of keys and hash fields), random pops and float increments.</summary>
    private static string[] RandomCommand(Random r)
    {
        string K() => Keys[r.Next(Keys.Length)];
        string V() => r.Next(20).ToString();
        string Ttl() => (10_000 + r.Next(100_000)).ToString();
        return r.Next(36) switch
        {
            0 => ["SET", K(), V()],
            1 => ["SET", K(), V(), "EX", (10 + r.Next(100)).ToString()],
            2 => ["SET", K(), V(), "PX", Ttl(), "NX"],
            3 => ["SETEX", K(), (10 + r.Next(100)).ToString(), V()],
            4 => ["PSETEX", K(), Ttl(), V()],
            5 => ["EXPIRE", K(), (10 + r.Next(100)).ToString()],
            6 => ["PEXPIRE", K(), Ttl(), r.Next(2) == 0 ? "GT" : "LT"],
            7 => ["GETEX", K(), "PX", Ttl()],
            8 => ["GETEX", K(), "PERSIST"],
            9 => ["INCRBYFLOAT", K(), "1.1"],
            10 => ["INCR", K()],
            11 => ["APPEND", K(), "ab"],
            12 => ["SADD", r.Next(4) == 0 ? K() : SetKeys[r.Next(2)], V(), V(), V(), V()],
            13 => ["SPOP", SetKeys[r.Next(2)]],
            14 => ["SPOP", SetKeys[r.Next(2)], "2"],
            15 => ["LPUSH", K(), V(), V()],
            16 => ["RPOP", K()],
            17 => ["LMOVE", K(), K(), "LEFT", "RIGHT"],
            18 => ["HSET", K(), "f" + V(), V()],
            19 => ["HINCRBYFLOAT", K(), "f" + V(), "0.3"],
            20 => ["ZADD", K(), V(), "m" + V()],
            21 => ["ZINCRBY", K(), "1.5", "m" + V()],
            22 => ["ZPOPMIN", K()],
            23 => ["DEL", K()],
            24 => ["PERSIST", K()],
            25 => ["COPY", K(), K(), "REPLACE"],
            26 => ["RENAME", K(), K()],
            27 => ["EXPIRE", K(), "-1"],
            28 => ["SRANDMEMBER", K(), "-3"],
            29 => ["HEXPIRE", K(), (10 + r.Next(100)).ToString(), "FIELDS", "2", "f" + V(), "f" + V()],
            30 => ["HPEXPIRE", K(), Ttl(), r.Next(2) == 0 ? "GT" : "LT", "FIELDS", "1", "f" + V()],
            31 => ["HSETEX", K(), "PX", Ttl(), "FIELDS", "1", "f" + V(), V()],
            32 => ["HGETEX", K(), "EX", (10 + r.Next(100)).ToString(), "FIELDS", "1", "f" + V()],
            33 => ["HPERSIST", K(), "FIELDS", "1", "f" + V()],
            34 => ["HGETDEL", K(), "FIELDS", "1", "f" + V()],
            _ => ["GET", K()],
        };
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Replaying_the_effects_later_gives_the_same_keyspace(int seed)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var primary = new Keyspace(clock, seed);
        primary.Effects.Capacity = 100_000;
        var r = new Random(seed);
        for (int i = 0; i < 3000; i++)
        {
            primary.Execute(RandomCommand(r).Select(Encoding.UTF8.GetBytes).ToArray());
            clock.Advance(TimeSpan.FromMilliseconds(r.Next(3))); // TTLs are ≥ 10 s: nothing expires during the run
        }

        // The replica applies the log 1.5 s later, with its own random seed: relative TTLs or a second SPOP draw would differ.
        var replicaClock = new FakeTimeProvider(clock.GetUtcNow() + TimeSpan.FromMilliseconds(1500));
        var replica = new Keyspace(replicaClock, seed + 1000);
        var effects = new List<Effect>();
        Assert.True(primary.Effects.TryReadSince(0, effects));
        Assert.Equal(primary.Effects.Offset, effects.Count);
        foreach (var effect in effects)
        {
            var reply = replica.Execute(effect.Argv);
            Assert.False(reply.IsError, $"{effect} failed on the replica: {reply.Text}");
        }
        clock.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.Equal(Contents(primary), Contents(replica));
    }

    [Fact]
    public void Expiry_on_access_and_by_the_sweep_is_a_del_effect()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var db = new Keyspace(clock);
        db.Effects.Capacity = 16;
        db.Execute(Argv("SET", "a", "1", "PX", "100"));
        db.Execute(Argv("SET", "b", "1", "PX", "100"));
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(ReplyKind.Null, db.Execute(Argv("GET", "a")).Kind);
        Assert.Equal(1, db.ActiveExpire(10));
        var effects = new List<Effect>();
        Assert.True(db.Effects.TryReadSince(0, effects));
        Assert.Equal(
            ["SET a 1 PX 100", $"PEXPIREAT a {1_700_000_000_100}", "SET b 1 PX 100", $"PEXPIREAT b {1_700_000_000_100}", "DEL a", "DEL b"],
            effects.Select(e => string.Join(' ', e.Argv.Select(Encoding.UTF8.GetString))));
        Assert.Equal(6, db.Effects.Offset);
    }

    [Fact]
    public void Writes_that_change_nothing_emit_no_effect_and_do_not_count_as_changes()
    {
        var db = new Keyspace();
        db.Execute(Argv("SET", "k", "v"));
        long offset = db.Effects.Offset, dirty = db.Dirty;
        db.Execute(Argv("SET", "k", "w", "NX"));
        db.Execute(Argv("DEL", "missing"));
        db.Execute(Argv("SREM", "missing", "m"));
        db.Execute(Argv("LPUSH", "k", "x")); // WRONGTYPE
        Assert.Equal(offset, db.Effects.Offset);
        Assert.Equal(dirty, db.Dirty);
    }

    [Fact]
    public void A_reader_behind_the_kept_window_is_told_to_take_a_full_copy()
    {
        var db = new Keyspace();
        db.Effects.Capacity = 4;
        for (int i = 0; i < 10; i++) db.Execute(Argv("INCR", "n"));
        var into = new List<Effect>();
        Assert.False(db.Effects.TryReadSince(2, into));
        Assert.True(db.Effects.TryReadSince(6, into));
        Assert.Equal([7L, 8L, 9L, 10L], into.Select(e => e.Offset));
    }

    [Fact]
    public void A_snapshot_records_the_offset_it_holds_and_loading_it_resumes_there()
    {
        var db = new Keyspace();
        for (int i = 0; i < 5; i++) db.Execute(Argv("INCR", "n"));
        var data = Snapshot.Write(db);
        Assert.Equal(5, Snapshot.ReadInfo(data).Offset);
        var copy = new Keyspace();
        Snapshot.Load(data, copy);
        Assert.Equal(5, copy.Effects.Offset);
        copy.Execute(Argv("INCR", "n"));
        Assert.Equal(6, copy.Effects.Offset);
    }

    private static byte[][] Argv(params string[] args) => args.Select(Encoding.UTF8.GetBytes).ToArray();

    /// <summary>Every live key with its absolute deadline and its value as the snapshot format encodes it.</summary>
    private static SortedDictionary<string, string> Contents(Keyspace db)
    {
        var all = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in db.Entries())
        {
            var w = new SnapshotWriter(64);
            ValueCodec.Write(ref w, e.Value);
            all[Encoding.UTF8.GetString(e.Key)] = $"{e.ExpireAt}:{Convert.ToHexString(w.ToArray())}";
        }
        return all;
    }
}
