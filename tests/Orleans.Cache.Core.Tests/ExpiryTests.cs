using System.Text;

namespace Orleans.Cache.Core.Tests;

/// <summary>Expiry on a fake clock: lazy (an expired key is never visible) and active (the deadline-index sweep).</summary>
public class ExpiryTests
{
    private readonly Session s = new();

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Sets "gone" (expires after 1 s) and "kept" (no TTL), then moves the clock 1 ms past the deadline.</summary>
    private void OneExpiredOneLive()
    {
        s.Run("SET", "gone", "1", "PX", "1000");
        s.Run("SET", "kept", "2");
        s.Advance(1001);
    }

    // ---- lazy expiry: every read path hides an expired key ----

    [Fact]
    public void A_key_is_visible_up_to_and_including_its_deadline_millisecond()
    {
        s.Run("SET", "k", "v", "PX", "1000");
        s.Advance(1000);
        Assert.Equal("\"v\"", s.Run("GET", "k"));
        s.Advance(1);
        Assert.Equal("(nil)", s.Run("GET", "k"));
    }

    [Fact]
    public void Expired_key_is_hidden_from_point_reads()
    {
        OneExpiredOneLive();
        Assert.Equal("(nil)", s.Run("GET", "gone"));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "gone"));
        Assert.Equal("(integer) -2", s.Run("TTL", "gone"));
        Assert.Equal("(integer) -2", s.Run("PTTL", "gone"));
        Assert.Equal("(integer) -2", s.Run("EXPIRETIME", "gone"));
        Assert.Equal("none", s.Run("TYPE", "gone"));
        Assert.Equal("(integer) 0", s.Run("STRLEN", "gone"));
        Assert.Equal("[(nil), \"2\"]", s.Run("MGET", "gone", "kept"));
        Assert.Equal("(nil)", s.Run("GETEX", "gone", "PERSIST"));
        Assert.Equal("\"\"", s.Run("GETRANGE", "gone", "0", "-1"));
    }

    [Fact]
    public void Expired_key_is_hidden_from_KEYS_SCAN_and_RANDOMKEY()
    {
        OneExpiredOneLive();
        Assert.Equal("[\"kept\"]", s.Run("KEYS", "*"));
        Assert.Equal("[\"0\", [\"kept\"]]", s.Run("SCAN", "0", "COUNT", "100"));
        for (int i = 0; i < 50; i++) Assert.Equal("\"kept\"", s.Run("RANDOMKEY"));
    }

    [Fact]
    public void Expired_key_is_treated_as_missing_by_writes()
    {
        OneExpiredOneLive();
        Assert.Equal("OK", s.Run("SET", "gone", "new", "NX"));
        Assert.Equal("(integer) -1", s.Run("TTL", "gone"));

        s.Run("SET", "n", "41", "PX", "10");
        s.Advance(11);
        Assert.Equal("(integer) 1", s.Run("INCR", "n"));
        Assert.Equal("(integer) -1", s.Run("TTL", "n"));

        s.Run("SET", "a", "old", "PX", "10");
        s.Advance(11);
        Assert.Equal("(integer) 3", s.Run("APPEND", "a", "new"));
        Assert.Equal("(integer) 0", s.Run("EXPIRE", "a2", "10"));
        Assert.Equal("(integer) 1", s.Run("SETNX", "a2", "x"));
    }

    [Fact]
    public void Set_KEEPTTL_on_an_expired_key_does_not_revive_its_old_ttl()
    {
        s.Run("SET", "k", "v", "PX", "10");
        s.Advance(11);
        Assert.Equal("OK", s.Run("SET", "k", "w", "KEEPTTL"));
        Assert.Equal("(integer) -1", s.Run("TTL", "k"));
        Assert.Equal("\"w\"", s.Run("GET", "k"));
    }

    [Fact]
    public void Expired_key_cannot_be_renamed_copied_or_have_its_ttl_changed()
    {
        OneExpiredOneLive();
        Assert.Equal("(error) ERR no such key", s.Run("RENAME", "gone", "x"));
        Assert.Equal("(integer) 0", s.Run("COPY", "gone", "x"));
        Assert.Equal("(integer) 0", s.Run("PERSIST", "gone"));
        Assert.Equal("(integer) 0", s.Run("EXPIRE", "gone", "100"));
        Assert.Equal("(integer) 0", s.Run("DEL", "gone"));
        Assert.Equal("(integer) 1", s.Run("RENAMENX", "kept", "gone"));
    }

    [Fact]
    public void Lazy_expiry_reclaims_the_key_and_counts_it()
    {
        OneExpiredOneLive();
        Assert.Equal("(integer) 2", s.Run("DBSIZE")); // like Redis, DBSIZE counts keys not reclaimed yet
        s.Run("GET", "gone");
        Assert.Equal("(integer) 1", s.Run("DBSIZE"));
        Assert.Equal(1, s.Db.ExpiredTotal);
        Assert.Equal(0, s.Db.ExpiringCount);
    }

    [Fact]
    public void RandomKey_finds_the_one_live_key_among_many_expired_ones()
    {
        for (int i = 0; i < 2000; i++) s.Run("SET", $"t{i}", "v", "PX", "5");
        s.Run("SET", "live", "v");
        s.Advance(10);
        for (int i = 0; i < 20; i++) Assert.Equal("\"live\"", s.Run("RANDOMKEY"));
    }

    [Fact]
    public void RandomKey_is_nil_when_every_key_has_expired()
    {
        for (int i = 0; i < 300; i++) s.Run("SET", $"t{i}", "v", "PX", "5");
        s.Advance(10);
        Assert.Equal("(nil)", s.Run("RANDOMKEY"));
        Assert.Equal("(integer) 0", s.Run("DBSIZE"));
    }

    [Fact]
    public void DbSize_after_a_sweep_counts_only_live_keys()
    {
        for (int i = 0; i < 100; i++) s.Run("SET", $"t{i}", "v", "EX", "1");
        s.Run("SET", "live", "v");
        s.Advance(1001);
        while (s.Db.ActiveExpire(16) > 0) { }
        Assert.Equal("(integer) 1", s.Run("DBSIZE"));
    }

    // ---- the active sweep ----

    [Fact]
    public void Ten_thousand_keys_with_ttls_are_all_reclaimed_by_the_sweep_without_reads()
    {
        const int Keys = 10_000, Bound = 100;
        var rng = new Random(7);
        for (int i = 0; i < Keys; i++)
            s.Db.SetExpiry(s.Db.Set(B($"key:{i}"), B("v")), Session.StartMs + 1 + rng.Next(60_000));
        Assert.Equal(Keys, s.Db.ExpiringCount);

        Assert.Equal(0, s.Db.ActiveExpire(Bound)); // nothing is due yet
        s.Advance(60_001);

        int calls = 0, total = 0;
        while (true)
        {
            int reclaimed = s.Db.ActiveExpire(Bound);
            Assert.InRange(reclaimed, 0, Bound);
            if (reclaimed == 0) break;
            total += reclaimed;
            calls++;
        }
        Assert.Equal(Keys, total);
        Assert.Equal(Keys / Bound, calls);
        Assert.Equal(0, s.Db.Count);
        Assert.Equal(0, s.Db.ExpiringCount);
        Assert.Equal(Keys, s.Db.ExpiredTotal);
        Assert.Equal(0, s.Db.DeadlineIndexSize);
    }

    [Fact]
    public void The_sweep_reclaims_only_keys_whose_deadline_has_passed()
    {
        for (int i = 1; i <= 1000; i++) s.Run("SET", $"k{i}", "v", "PX", i.ToString());
        s.Advance(500);
        int total = 0;
        for (int r; (r = s.Db.ActiveExpire(64)) > 0;) total += r;
        Assert.Equal(499, total); // k1..k499; k500 is due exactly now and still alive
        Assert.Equal(501, s.Db.Count);
        Assert.Equal("(integer) 0", s.Run("PTTL", "k500"));
        s.Advance(1);
        Assert.Equal(1, s.Db.ActiveExpire(64));
    }

    [Fact]
    public void Keys_whose_ttl_was_extended_persisted_or_overwritten_are_not_reclaimed_early()
    {
        foreach (var k in new[] { "plain", "extended", "persisted", "overwritten", "reset", "getex", "renamed", "recreated", "incremented" })
            s.Run("SET", k, "v", "EX", "10");
        s.Run("EXPIRE", "extended", "100");
        s.Run("PERSIST", "persisted");
        s.Run("SET", "overwritten", "w");
        s.Run("SET", "reset", "w", "EX", "100");
        s.Run("GETEX", "getex", "PX", "100000");
        s.Run("RENAME", "renamed", "moved");   // the TTL moves with it: reclaimed on time under its new name
        s.Run("DEL", "recreated");
        s.Run("SET", "recreated", "again");
        s.Run("INCRBY", "incremented", "0");   // keeps the TTL: reclaimed on time

        s.Advance(10_001);
        int total = 0;
        for (int r; (r = s.Db.ActiveExpire(2)) > 0;) total += r;
        Assert.Equal(3, total); // plain, moved, incremented
        Assert.Equal(6, s.Db.Count);

        foreach (var k in new[] { "extended", "persisted", "overwritten", "reset", "getex", "recreated" })
            Assert.Equal("(integer) 1", s.Run("EXISTS", k));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "plain", "moved", "renamed", "incremented"));

        s.Advance(90_000);
        for (int r; (r = s.Db.ActiveExpire(2)) > 0;) total += r;
        Assert.Equal(6, total); // extended, reset, getex
        Assert.Equal(["overwritten", "persisted", "recreated"], Session.SortedTexts(s.Raw("KEYS", "*")));
    }

    [Fact]
    public void A_call_never_reclaims_more_than_its_bound_even_behind_stale_index_entries()
    {
        // 1,000 keys whose TTL changed many times leave stale index entries in front of the live ones.
        for (int i = 0; i < 1000; i++)
        {
            s.Run("SET", $"k{i}", "v", "PX", "100");
            for (int j = 0; j < 5; j++) s.Run("PEXPIRE", $"k{i}", (200 + j).ToString());
        }
        s.Advance(1000);
        int total = 0;
        for (int calls = 0; s.Db.Count > 0 && calls < 10_000; calls++)
        {
            int reclaimed = s.Db.ActiveExpire(7);
            Assert.InRange(reclaimed, 0, 7);
            total += reclaimed;
        }
        Assert.Equal(1000, total);
        Assert.Equal(0, s.Db.Count);
    }

    [Fact]
    public void Expire_deadline_index_does_not_grow_when_one_keys_ttl_changes_many_times()
    {
        s.Run("SET", "session", "v");
        for (int i = 0; i < 100_000; i++) s.Run("PEXPIRE", "session", (10_000 + i % 7).ToString());
        Assert.InRange(s.Db.DeadlineIndexSize, 1, 1025);
        Assert.Equal(1, s.Db.ExpiringCount);
        s.Advance(10_007);
        // Stale entries count towards a call's work, so it may take a few calls to reach the live one.
        int total = 0;
        for (int calls = 0; calls < 200 && total == 0; calls++) total += s.Db.ActiveExpire(10);
        Assert.Equal(1, total);
        Assert.Equal(0, s.Db.Count);
    }

    [Fact]
    public void Deadline_index_stays_within_twice_the_expiring_keys_under_set_with_ttl_churn()
    {
        for (int i = 0; i < 2000; i++) s.Run("SET", $"k{i}", "v", "EX", "100");
        for (int round = 0; round < 20; round++)
            for (int i = 0; i < 2000; i++) s.Run("SET", $"k{i}", "v", "EX", (100 + round).ToString());
        Assert.Equal(2000, s.Db.ExpiringCount);
        Assert.InRange(s.Db.DeadlineIndexSize, 2000, 4001);
    }

    [Fact]
    public void Deleting_or_persisting_keys_with_ttls_shrinks_the_deadline_index()
    {
        for (int i = 0; i < 10_000; i++) s.Run("SET", $"k{i}", "v", "EX", "100");
        for (int i = 0; i < 9_000; i++) s.Run("DEL", $"k{i}");
        Assert.InRange(s.Db.DeadlineIndexSize, 1000, 2001);
        for (int i = 9_000; i < 10_000; i++) s.Run("PERSIST", $"k{i}");
        Assert.Equal(0, s.Db.ExpiringCount);
        Assert.InRange(s.Db.DeadlineIndexSize, 0, 1025);
    }

    [Fact]
    public void Flush_empties_the_deadline_index()
    {
        for (int i = 0; i < 100; i++) s.Run("SET", $"k{i}", "v", "EX", "100");
        s.Run("FLUSHALL");
        Assert.Equal(0, s.Db.DeadlineIndexSize);
        s.Advance(200_000);
        Assert.Equal(0, s.Db.ActiveExpire(100));
    }
}
