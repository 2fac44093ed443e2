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
}
