using System.Buffers.Binary;
using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

/// <summary>The partition snapshot format: round trips every type with its TTL, and refuses damaged or newer data clearly.</summary>
public sealed class SnapshotTests
{
    private static TypesDb Filled()
    {
        var db = new TypesDb();
        db.Do("SET", "s", "plain");
        db.Do("SET", "ttl", "short-lived", "PX", "5000");
        db.Do("SET", "long", "long-lived", "EX", "3600");
        db.Do("HSET", "h", "f1", "v1", "f2", "v2");
        db.Do("RPUSH", "l", "a", "b", "c");
        db.Do("SADD", "set", "x", "y");
        db.Do("ZADD", "z", "1.5", "one", "-2", "minus", "inf", "top");
        db.Do("PEXPIRE", "h", "100000");
        return db;
    }

    [Fact]
    public void Every_type_and_its_remaining_ttl_survive_a_round_trip()
    {
        var source = Filled();
        var data = Snapshot.Write(source.Keyspace, offset: 42);

        var target = new TypesDb();
        target.Clock.SetUtcNow(source.Clock.GetUtcNow().AddSeconds(1));
        var info = Snapshot.Load(data, target.Keyspace);

        Assert.Equal(Snapshot.FormatVersion, info.Version);
        Assert.Equal(42, info.Offset);
        Assert.Equal(7, info.Keys);
        Assert.Equal("plain", target.Do("GET", "s"));
        Assert.Equal("4000", target.Do("PTTL", "ttl"));
        Assert.Equal("3599", target.Do("TTL", "long"));
        Assert.Equal("[f1,v1,f2,v2]", target.Do("HGETALL", "h"));
        Assert.Equal("99000", target.Do("PTTL", "h"));
        Assert.Equal("[a,b,c]", target.Do("LRANGE", "l", "0", "-1"));
        Assert.Equal("2", target.Do("SCARD", "set"));
        Assert.Equal("1", target.Do("SISMEMBER", "set", "y"));
        Assert.Equal("[minus,-2,one,1.5,top,inf]", target.Do("ZRANGE", "z", "0", "-1", "WITHSCORES"));
        Assert.Equal("2", target.Do("ZRANK", "z", "top"));
    }

    [Fact]
    public void Keys_that_expired_before_loading_are_dropped_and_expired_keys_are_never_written()
    {
        var source = Filled();
        source.Clock.Advance(TimeSpan.FromSeconds(6)); // "ttl" is past its time but nobody read it
        var data = Snapshot.Write(source.Keyspace, 0);
        Assert.Equal(6, Snapshot.ReadInfo(data).Keys);

        var target = new TypesDb();
        target.Clock.SetUtcNow(source.Clock.GetUtcNow().AddHours(2));
        Snapshot.Load(data, target.Keyspace);
        Assert.Equal("nil", target.Do("GET", "long"));
        Assert.Equal("0", target.Do("EXISTS", "h"));
        Assert.Equal("plain", target.Do("GET", "s"));
        Assert.Equal("4", target.Do("DBSIZE"));
    }

    [Fact]
    public void A_flipped_byte_or_a_truncated_snapshot_is_reported_as_corrupt()
    {
        var data = Snapshot.Write(Filled().Keyspace, 0);
        var flipped = (byte[])data.Clone();
        flipped[data.Length / 2] ^= 0x40;
        Assert.Contains("checksum", Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(flipped, new TypesDb().Keyspace)).Message);
        Assert.Contains("checksum", Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(data.AsSpan(0, data.Length - 10), new TypesDb().Keyspace)).Message);
        Assert.Throws<SnapshotFormatException>(() => Snapshot.Load("not a snapshot at all, really"u8, new TypesDb().Keyspace));
    }

    [Fact]
    public void A_snapshot_from_a_newer_format_fails_with_its_version_named()
    {
        var data = Snapshot.Write(Filled().Keyspace, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), Snapshot.FormatVersion + 1);
        var error = Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(data, new TypesDb().Keyspace));
        Assert.Contains($"version {Snapshot.FormatVersion + 1} is newer", error.Message);
    }

    [Fact]
    public void A_million_keys_snapshot_and_load_back()
    {
        var db = new TypesDb();
        var value = new byte[16];
        for (int i = 0; i < 1_000_000; i++)
            db.Keyspace.Set(System.Text.Encoding.ASCII.GetBytes("key:" + i), value);
        var data = Snapshot.Write(db.Keyspace, 0);
        var copy = new TypesDb();
        Assert.Equal(1_000_000, Snapshot.Load(data, copy.Keyspace).Keys);
        Assert.Equal(1_000_000, copy.Keyspace.Count);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public void A_snapshot_cut_into_small_segments_is_byte_for_byte_the_same_and_loads_back_from_any_cut(int segmentBytes)
    {
        var source = Filled();
        source.Do("SET", "big", new string('x', 5000));
        source.Do("HSET", "hx", "f", "v");
        source.Do("HPEXPIRE", "hx", "100000", "FIELDS", "1", "f");
        var whole = Snapshot.Write(source.Keyspace, 0);
        var data = Snapshot.WriteSegments(source.Keyspace, 0, segmentBytes);

        Assert.True(data.Segments.Count > 1);
        Assert.All(data.Segments, s => Assert.InRange(s.Length, 1, segmentBytes));
        Assert.All(data.Segments.Take(data.Segments.Count - 1), s => Assert.Equal(segmentBytes, s.Length));
        Assert.Equal(whole, data.ToArray());

        var target = new TypesDb();
        target.Clock.SetUtcNow(source.Clock.GetUtcNow());
        Assert.Equal(9, Snapshot.Load(data, target.Keyspace).Keys);
        Assert.Equal(new string('x', 5000), target.Do("GET", "big"));
        Assert.Equal("[f1,v1,f2,v2]", target.Do("HGETALL", "h"));
        Assert.Equal("[100000]", target.Do("HPTTL", "hx", "FIELDS", "1", "f"));

        // Stored chunks come back in pieces of their own size: any cut loads the same.
        var recut = new SnapshotData([.. whole.Chunk(13).Select(c => (ReadOnlyMemory<byte>)c)]);
        Assert.Equal(9, Snapshot.ReadInfo(recut).Keys);
        var again = new TypesDb();
        again.Clock.SetUtcNow(source.Clock.GetUtcNow());
        Snapshot.Load(recut, again.Keyspace);
        Assert.Equal(new string('x', 5000), again.Do("GET", "big"));

        // A byte flipped in a late segment still fails the checksum.
        var damaged = data.Segments.Select(s => s.ToArray()).ToArray();
        damaged[^2][0] ^= 0x10;
        Assert.Contains("checksum", Assert.Throws<SnapshotFormatException>(() =>
            Snapshot.Load(new SnapshotData([.. damaged.Select(d => (ReadOnlyMemory<byte>)d)]), new TypesDb().Keyspace)).Message);
    }

    /// <summary>Really past 2 GB (about 4.5 GB of memory): run with ORLEANS_CACHE_BIG_TESTS=1.</summary>
    [BigTestFact]
    public void A_partition_past_2_GB_snapshots_in_segments_and_loads_back()
    {
        var db = new TypesDb();
        var value = new byte[1 << 20];
        value[^1] = 42;
        const int Keys = 2100; // 2100 MB of values: past int.MaxValue bytes
        for (int i = 0; i < Keys; i++) db.Keyspace.Set(System.Text.Encoding.ASCII.GetBytes("big:" + i), value);
        var data = Snapshot.WriteSegments(db.Keyspace, 0);
        Assert.True(data.Length > int.MaxValue);
        Assert.All(data.Segments, s => Assert.True(s.Length <= SnapshotData.DefaultSegmentBytes));
        var copy = new TypesDb();
        Assert.Equal(Keys, Snapshot.Load(data, copy.Keyspace).Keys);
        Assert.Equal(Keys, copy.Keyspace.Count);
        Assert.Equal(42, copy.Keyspace.Execute([.. new[] { "GETRANGE", "big:2099", "-1", "-1" }.Select(System.Text.Encoding.ASCII.GetBytes)]).Bytes![0]);
    }
}

/// <summary>A fact skipped unless ORLEANS_CACHE_BIG_TESTS=1: tests that need gigabytes of memory.</summary>
public sealed class BigTestFactAttribute : FactAttribute
{
    public BigTestFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ORLEANS_CACHE_BIG_TESTS") != "1") Skip = "needs gigabytes of memory: set ORLEANS_CACHE_BIG_TESTS=1";
    }
}
