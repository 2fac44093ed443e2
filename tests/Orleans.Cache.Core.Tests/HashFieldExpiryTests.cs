using System.Text;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// Hash field expiration (Redis 7.4) on a fake clock: HEXPIRE and friends with redis.io's reply codes and Redis's error
/// texts, expired fields hidden from every hash command, reclaimed by the sweep, kept by snapshots, replayed as effects.
/// </summary>
public sealed class HashFieldExpiryTests
{
    private readonly TypesDb _db = new();
    private static readonly long T0 = 1_700_000_000_000;

    private void Advance(long ms) => _db.Clock.Advance(TimeSpan.FromMilliseconds(ms));

    private void ThreeFields() => _db.Do("HSET", "h", "a", "1", "b", "2", "c", "3");

    // ---- HEXPIRE family: reply codes ----

    [Fact]
    public void Hexpire_answers_1_per_field_set_and_minus_2_for_a_missing_field()
    {
        ThreeFields();
        Assert.Equal("[1,1,-2]", _db.Do("HEXPIRE", "h", "100", "FIELDS", "3", "a", "b", "zz"));
        Assert.Equal("[100,100,-1]", _db.Do("HTTL", "h", "FIELDS", "3", "a", "b", "c"));
        Assert.Equal("[1]", _db.Do("HPEXPIRE", "h", "1500", "FIELDS", "1", "c"));
        Assert.Equal("[1500]", _db.Do("HPTTL", "h", "FIELDS", "1", "c"));
        Assert.Equal("[1]", _db.Do("hexpireat", "h", $"{T0 / 1000 + 50}", "fields", "1", "a"));
        Assert.Equal($"[{T0 / 1000 + 50}]", _db.Do("HEXPIRETIME", "h", "FIELDS", "1", "a"));
        Assert.Equal("[1]", _db.Do("HPEXPIREAT", "h", $"{T0 + 7}", "FIELDS", "1", "b"));
        Assert.Equal($"[{T0 + 7}]", _db.Do("HPEXPIRETIME", "h", "FIELDS", "1", "b"));
    }

    [Fact]
    public void Hexpire_on_a_missing_key_answers_minus_2_for_every_field()
    {
        Assert.Equal("[-2,-2]", _db.Do("HEXPIRE", "nokey", "10", "NX", "FIELDS", "2", "a", "b"));
        Assert.Equal("[-2]", _db.Do("HTTL", "nokey", "FIELDS", "1", "a"));
        Assert.Equal("[-2,-2]", _db.Do("HPERSIST", "nokey", "FIELDS", "2", "a", "b"));
        Assert.Equal("0", _db.Do("EXISTS", "nokey"));
    }

    [Fact]
    public void Hexpire_with_past_time_deletes_the_field_and_answers_2()
    {
        ThreeFields();
        Assert.Equal("[2]", _db.Do("HEXPIRE", "h", "0", "FIELDS", "1", "a"));
        Assert.Equal("[2,-2]", _db.Do("HPEXPIREAT", "h", $"{T0 - 1}", "FIELDS", "2", "b", "b"));
        Assert.Equal("[c,3]", _db.Do("HGETALL", "h"));
        Assert.Equal("[2]", _db.Do("HEXPIREAT", "h", "0", "FIELDS", "1", "c"));
        Assert.Equal("0", _db.Do("EXISTS", "h")); // the last field gone: the key is gone
    }

    [Fact]
    public void Hexpire_conditions_answer_0_when_not_met_and_treat_no_ttl_as_infinite()
    {
        ThreeFields();
        Assert.Equal("[0]", _db.Do("HEXPIRE", "h", "100", "XX", "FIELDS", "1", "a"));
        Assert.Equal("[0]", _db.Do("HEXPIRE", "h", "100", "GT", "FIELDS", "1", "a"));
        Assert.Equal("[1]", _db.Do("HEXPIRE", "h", "100", "LT", "FIELDS", "1", "a"));
        Assert.Equal("[1]", _db.Do("HEXPIRE", "h", "100", "nx", "FIELDS", "1", "b"));
        Assert.Equal("[0,0]", _db.Do("HEXPIRE", "h", "200", "NX", "FIELDS", "2", "a", "b"));
        Assert.Equal("[1,0]", _db.Do("HEXPIRE", "h", "200", "XX", "FIELDS", "2", "a", "c"));
        Assert.Equal("[0]", _db.Do("HEXPIRE", "h", "200", "GT", "FIELDS", "1", "a"));
        Assert.Equal("[1]", _db.Do("HEXPIRE", "h", "300", "GT", "FIELDS", "1", "a"));
        Assert.Equal("[0]", _db.Do("HEXPIRE", "h", "300", "LT", "FIELDS", "1", "a"));
        Assert.Equal("[1]", _db.Do("HEXPIRE", "h", "50", "LT", "FIELDS", "1", "a"));
        Assert.Equal("[50,100,-1]", _db.Do("HTTL", "h", "FIELDS", "3", "a", "b", "c"));
        Assert.Equal("[0]", _db.Do("HEXPIRE", "h", "0", "GT", "FIELDS", "1", "a")); // a condition not met deletes nothing
        Assert.Equal("3", _db.Do("HLEN", "h"));
    }

    [Fact]
    public void Hexpire_errors_use_Redis_texts()
    {
        ThreeFields();
        Assert.Equal("ERR Parameter `numFields` should be greater than 0", _db.Do("HEXPIRE", "h", "10", "FIELDS", "0", "a"));
        Assert.Equal("ERR Parameter `numFields` should be greater than 0", _db.Do("HEXPIRE", "h", "10", "FIELDS", "abc", "a"));
        Assert.Equal("ERR The `numfields` parameter must match the number of arguments", _db.Do("HEXPIRE", "h", "10", "FIELDS", "2", "a"));
        Assert.Equal("ERR The `numfields` parameter must match the number of arguments", _db.Do("HEXPIRE", "h", "10", "FIELDS", "1", "a", "b"));
        Assert.Equal("ERR Mandatory argument FIELDS is missing or not at the right position", _db.Do("HEXPIRE", "h", "10", "1", "a", "b"));
        Assert.Equal("ERR Mandatory argument FIELDS is missing or not at the right position", _db.Do("HEXPIRE", "h", "10", "NX", "XX", "FIELDS", "1", "a"));
        Assert.Equal("ERR invalid expire time, must be >= 0", _db.Do("HEXPIRE", "h", "-1", "FIELDS", "1", "a"));
        Assert.Equal("ERR value is not an integer or out of range", _db.Do("HEXPIRE", "h", "1.5", "FIELDS", "1", "a"));
        Assert.Equal("ERR invalid expire time in 'hexpire' command", _db.Do("HEXPIRE", "h", "70368744177", "FIELDS", "1", "a"));
        Assert.Equal("ERR invalid expire time in 'hpexpireat' command", _db.Do("HPEXPIREAT", "h", "70368744177664", "FIELDS", "1", "a"));
        Assert.Equal("[1]", _db.Do("HPEXPIREAT", "h", "70368744177663", "FIELDS", "1", "a"));
        Assert.Equal("ERR wrong number of arguments for 'hexpire' command", _db.Do("HEXPIRE", "h", "10", "FIELDS", "1"));
        _db.Do("SET", "s", "v");
        Assert.Equal(TypesDb.WrongType, _db.Do("HEXPIRE", "s", "10", "FIELDS", "1", "a"));
        Assert.Equal(TypesDb.WrongType, _db.Do("HTTL", "s", "FIELDS", "1", "a"));
    }

    [Fact]
    public void Httl_hpersist_and_the_ttl_reads_use_their_own_field_count_error()
    {
        ThreeFields();
        foreach (var cmd in new[] { "HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME", "HPERSIST", "HGETDEL" })
        {
            Assert.Equal("ERR Number of fields must be a positive integer", _db.Do(cmd, "h", "FIELDS", "-1", "a"));
            Assert.Equal("ERR The `numfields` parameter must match the number of arguments", _db.Do(cmd, "h", "FIELDS", "3", "a"));
            Assert.Equal("ERR Mandatory argument FIELDS is missing or not at the right position", _db.Do(cmd, "h", "FILEDS", "1", "a"));
        }
    }

    [Fact]
    public void Httl_rounds_seconds_up_and_answers_minus_1_without_ttl_and_minus_2_without_field()
    {
        ThreeFields();
        _db.Do("HPEXPIRE", "h", "1500", "FIELDS", "1", "a");
        Advance(400);
        Assert.Equal("[2,-1,-2]", _db.Do("HTTL", "h", "FIELDS", "3", "a", "b", "zz"));
        Assert.Equal("[1100]", _db.Do("HPTTL", "h", "FIELDS", "1", "a"));
        Assert.Equal($"[{(T0 + 1500 + 999) / 1000}]", _db.Do("HEXPIRETIME", "h", "FIELDS", "1", "a"));
        Assert.Equal("[-1]", _db.Do("HEXPIRETIME", "h", "FIELDS", "1", "b"));
    }

    [Fact]
    public void Hpersist_answers_1_when_a_ttl_was_removed_minus_1_without_ttl_minus_2_without_field()
    {
        ThreeFields();
        _db.Do("HEXPIRE", "h", "100", "FIELDS", "1", "a");
        Assert.Equal("[1,-1,-2]", _db.Do("HPERSIST", "h", "FIELDS", "3", "a", "b", "zz"));
        Assert.Equal("[-1]", _db.Do("HTTL", "h", "FIELDS", "1", "a"));
        Assert.Equal("[-1]", _db.Do("HPERSIST", "h", "FIELDS", "1", "a"));
        Advance(200_000);
        Assert.Equal("1", _db.Do("HGET", "h", "a"));
    }

    // ---- expired fields are invisible ----

    [Fact]
    public void A_field_is_visible_up_to_and_including_its_deadline_millisecond()
    {
        ThreeFields();
        _db.Do("HPEXPIRE", "h", "1000", "FIELDS", "1", "a");
        Advance(1000);
        Assert.Equal("1", _db.Do("HGET", "h", "a"));
        Assert.Equal("[0]", _db.Do("HPTTL", "h", "FIELDS", "1", "a"));
        Advance(1);
        Assert.Equal("nil", _db.Do("HGET", "h", "a"));
    }

    [Fact]
    public void An_expired_field_is_hidden_from_every_hash_command_on_lazy_access()
    {
        ThreeFields();
        _db.Do("HPEXPIRE", "h", "10", "FIELDS", "2", "a", "b");
        Advance(11);
        Assert.Equal("nil", _db.Do("HGET", "h", "a"));
        Assert.Equal("[nil,nil,3]", _db.Do("HMGET", "h", "a", "b", "c"));
        Assert.Equal("[c,3]", _db.Do("HGETALL", "h"));
        Assert.Equal("[c]", _db.Do("HKEYS", "h"));
        Assert.Equal("[3]", _db.Do("HVALS", "h"));
        Assert.Equal("1", _db.Do("HLEN", "h"));
        Assert.Equal("0", _db.Do("HEXISTS", "h", "a"));
        Assert.Equal("0", _db.Do("HSTRLEN", "h", "b"));
        Assert.Equal("[0,[c,3]]", _db.Do("HSCAN", "h", "0"));
        for (int i = 0; i < 20; i++) Assert.Equal("c", _db.Do("HRANDFIELD", "h"));
        Assert.Equal("[c,3,c,3,c,3]", _db.Do("HRANDFIELD", "h", "-3", "WITHVALUES"));
        Assert.Equal("[-2,-2]", _db.Do("HTTL", "h", "FIELDS", "2", "a", "b"));
        Assert.Equal("[-2]", _db.Do("HEXPIRE", "h", "10", "FIELDS", "1", "a"));
        Assert.Equal("1", _db.Do("HSETNX", "h", "a", "new"));
        Assert.Equal("5", _db.Do("HINCRBY", "h", "b", "5"));
        Assert.Equal("[-1,-1]", _db.Do("HTTL", "h", "FIELDS", "2", "a", "b"));
    }

    [Fact]
    public void The_last_field_expiring_deletes_the_key_on_access()
    {
        _db.Do("HSET", "h", "a", "1");
        _db.Do("HPEXPIRE", "h", "10", "FIELDS", "1", "a");
        Advance(11);
        Assert.Equal("0", _db.Do("HLEN", "h"));
        Assert.Equal("0", _db.Do("EXISTS", "h"));
        Assert.Equal("none", _db.Do("TYPE", "h"));
        Assert.Equal(1, _db.Keyspace.ExpiredFieldsTotal);
    }

    [Fact]
    public void Hset_and_hdel_clear_a_field_ttl_while_hincrby_and_hincrbyfloat_keep_it()
    {
        ThreeFields();
        _db.Do("HEXPIRE", "h", "100", "FIELDS", "3", "a", "b", "c");
        _db.Do("HSET", "h", "a", "10");
        _db.Do("HINCRBY", "h", "b", "1");
        _db.Do("HINCRBYFLOAT", "h", "c", "0.5");
        Assert.Equal("[-1,100,100]", _db.Do("HTTL", "h", "FIELDS", "3", "a", "b", "c"));
        _db.Do("HDEL", "h", "b");
        _db.Do("HSET", "h", "b", "again");
        Assert.Equal("[-1]", _db.Do("HTTL", "h", "FIELDS", "1", "b"));
        Advance(101_000);
        Assert.Equal("[a,10,b,again]", _db.Do("HGETALL", "h"));
    }

    [Fact]
    public void Rename_and_copy_carry_field_ttls_and_the_sweep_follows_the_new_key()
    {
        ThreeFields();
        _db.Do("HPEXPIRE", "h", "1000", "FIELDS", "1", "a");
        _db.Do("COPY", "h", "copy");
        _db.Do("RENAME", "h", "moved");
        Assert.Equal("[1000]", _db.Do("HPTTL", "moved", "FIELDS", "1", "a"));
        Assert.Equal("[1000]", _db.Do("HPTTL", "copy", "FIELDS", "1", "a"));
        Advance(1001);
        Assert.Equal(2, _db.Keyspace.ActiveExpire(100));
        Assert.Equal("[b,c]", _db.Do("HKEYS", "moved"));
        Assert.Equal("[b,c]", _db.Do("HKEYS", "copy"));
    }

    // ---- the active sweep ----

    [Fact]
    public void The_sweep_reclaims_expired_fields_without_any_access_and_deletes_an_emptied_key_with_its_events()
    {
        var events = new List<string>();
        _db.Keyspace.Events = new EventRecorder(events);
        _db.Do("HSET", "gone", "a", "1", "b", "2");
        _db.Do("HSET", "kept", "a", "1", "b", "2");
        _db.Do("HPEXPIRE", "gone", "100", "FIELDS", "2", "a", "b");
        _db.Do("HPEXPIRE", "kept", "200", "FIELDS", "1", "a");
        events.Clear();
        Advance(150);
        Assert.Equal(2, _db.Keyspace.ActiveExpire(100));
        Assert.Equal(["hexpired gone", "del gone"], events);
        Assert.Equal(1, _db.Keyspace.Count);
        Advance(100);
        Assert.Equal(1, _db.Keyspace.ActiveExpire(100));
        Assert.Equal(["hexpired gone", "del gone", "hexpired kept"], events);
        Assert.Equal("[b]", _db.Do("HKEYS", "kept"));
        Assert.Equal(0, _db.Keyspace.ActiveExpire(100));
    }

    [Fact]
    public void The_sweep_reclaims_10000_fields_a_bounded_number_per_cycle_and_leaves_live_ones()
    {
        for (int h = 0; h < 10; h++)
        {
            var argv = new List<string> { "HSET", "h" + h };
            for (int f = 0; f < 1001; f++) argv.AddRange(["f" + f, "v"]);
            _db.Do([.. argv]);
            var fields = Enumerable.Range(0, 1000).Select(f => "f" + f).ToArray();
            _db.Do(["HPEXPIRE", "h" + h, (100 + h).ToString(), "FIELDS", "1000", .. fields]);
        }
        Advance(1000);
        int total = 0, cycles = 0;
        for (int n; (n = _db.Keyspace.ActiveExpire(2000)) > 0; cycles++)
        {
            Assert.True(n <= 2000);
            total += n;
        }
        Assert.Equal(10_000, total);
        Assert.True(cycles >= 5);
        for (int h = 0; h < 10; h++) Assert.Equal("[f1000]", _db.Do("HKEYS", "h" + h));
    }

    [Fact]
    public void Persisted_or_rewritten_fields_are_not_reclaimed_by_the_sweep()
    {
        ThreeFields();
        _db.Do("HPEXPIRE", "h", "100", "FIELDS", "3", "a", "b", "c");
        _db.Do("HPERSIST", "h", "FIELDS", "1", "a");
        _db.Do("HSET", "h", "b", "new");
        _db.Do("HPEXPIRE", "h", "5000", "FIELDS", "1", "c");
        Advance(200);
        Assert.Equal(0, _db.Keyspace.ActiveExpire(100));
        Assert.Equal("3", _db.Do("HLEN", "h"));
        Advance(5000);
        Assert.Equal(1, _db.Keyspace.ActiveExpire(100));
        Assert.Equal("[a,b]", _db.Do("HKEYS", "h"));
    }

    // ---- snapshots ----

    [Fact]
    public void A_snapshot_round_trip_keeps_field_ttls_and_drops_fields_that_expired_meanwhile()
    {
        ThreeFields();
        _db.Do("HPEXPIRE", "h", "5000", "FIELDS", "1", "a");
        _db.Do("HPEXPIRE", "h", "100000", "FIELDS", "1", "b");
        _db.Do("HSET", "gone", "x", "1");
        _db.Do("HPEXPIRE", "gone", "10", "FIELDS", "1", "x");
        Advance(20); // "gone" has no live field left but nobody looked: it is not written
        var data = Snapshot.Write(_db.Keyspace, 0);
        Assert.Equal(1, Snapshot.ReadInfo(data).Keys);

        var target = new TypesDb();
        target.Clock.SetUtcNow(_db.Clock.GetUtcNow().AddSeconds(1));
        Snapshot.Load(data, target.Keyspace);
        Assert.Equal("[3980,98980,-1]", target.Do("HPTTL", "h", "FIELDS", "3", "a", "b", "c"));

        var later = new TypesDb();
        later.Clock.SetUtcNow(_db.Clock.GetUtcNow().AddSeconds(10));
        Snapshot.Load(data, later.Keyspace);
        Assert.Equal("[b,c]", later.Do("HKEYS", "h"));
        later.Clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(1, later.Keyspace.ActiveExpire(100)); // loaded deadlines are swept too
        Assert.Equal("[c]", later.Do("HKEYS", "h"));
    }

    [Fact]
    public void A_snapshot_of_format_version_1_still_loads()
    {
        // Written by the build before field TTLs: a string "s" and a hash "h" {f1: v1, f2: v2} expiring at T0 + 100 s.
        var data = Convert.FromHexString(
            "4F43534E4150010007000000000000000068E5CF8B0100000200000000000000010168A0DD9BFFBC31020266310276310266320276320001730005706C61696E0D22AA2F536DBFBC");
        var info = Snapshot.Load(data, _db.Keyspace);
        Assert.Equal(1, info.Version);
        Assert.Equal(7, info.Offset);
        Assert.Equal("plain", _db.Do("GET", "s"));
        Assert.Equal("[f1,v1,f2,v2]", _db.Do("HGETALL", "h"));
        Assert.Equal("100000", _db.Do("PTTL", "h"));
        Assert.Equal("[-1,-1]", _db.Do("HTTL", "h", "FIELDS", "2", "f1", "f2"));
    }

    // ---- effects ----

    [Fact]
    public void Field_ttls_become_absolute_hpexpireat_effects_and_field_expiry_becomes_hdel()
    {
        _db.Keyspace.Effects.Capacity = 64;
        ThreeFields();
        _db.Do("HEXPIRE", "h", "10", "FIELDS", "3", "a", "zz", "b");
        _db.Do("HEXPIRE", "h", "20", "NX", "FIELDS", "2", "a", "c");
        _db.Do("HEXPIRE", "h", "0", "FIELDS", "1", "c");
        _db.Do("HEXPIRE", "h", "10", "GT", "FIELDS", "1", "a"); // nothing changes: no effect
        _db.Do("HINCRBYFLOAT", "h", "a", "1.5");
        Advance(10_001);
        _db.Do("HGET", "h", "x"); // lazy: both a and b go
        var effects = Effects();
        Assert.Equal(
        [
            "HSET h a 1 b 2 c 3",
            $"HPEXPIREAT h {T0 + 10_000} FIELDS 2 a b",
            $"HPEXPIREAT h {T0 + 20_000} FIELDS 1 c",
            "HDEL h c",
            "HSETEX h KEEPTTL FIELDS 1 a 2.5",
        ], effects[..^2]);
        Assert.Equal(["HDEL h a", "HDEL h b"], effects[^2..].Order());
    }

    [Fact]
    public void The_sweep_and_the_8_0_commands_emit_deterministic_effects()
    {
        _db.Keyspace.Effects.Capacity = 64;
        ThreeFields();
        _db.Do("HSETEX", "h", "EX", "5", "FIELDS", "1", "d", "4");
        _db.Do("HGETEX", "h", "PX", "100", "FIELDS", "2", "a", "zz");
        _db.Do("HGETEX", "h", "PERSIST", "FIELDS", "2", "a", "b");
        _db.Do("HGETEX", "h", "EX", "0", "FIELDS", "1", "b");
        _db.Do("HGETDEL", "h", "FIELDS", "2", "c", "zz");
        _db.Do("HSETEX", "h", "FNX", "KEEPTTL", "FIELDS", "1", "e", "5");
        Advance(6000);
        Assert.Equal(1, _db.Keyspace.ActiveExpire(10));
        Assert.Equal(
        [
            "HSET h a 1 b 2 c 3",
            $"HSETEX h PXAT {T0 + 5000} FIELDS 1 d 4",
            $"HPEXPIREAT h {T0 + 100} FIELDS 1 a",
            "HPERSIST h FIELDS 1 a",
            "HDEL h b",
            "HDEL h c",
            "HSETEX h FNX KEEPTTL FIELDS 1 e 5",
            "HDEL h d",
        ], Effects());
    }

    private List<string> Effects()
    {
        var effects = new List<Effect>();
        Assert.True(_db.Keyspace.Effects.TryReadSince(0, effects));
        return effects.Select(e => string.Join(' ', e.Argv.Select(Encoding.UTF8.GetString))).ToList();
    }
}
