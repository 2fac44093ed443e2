using System.Text;

namespace Orleans.Cache.Core.Tests;

/// <summary>The client-side caching table: readers are told once per read, broadcast clients by prefix, prefixes must not overlap.</summary>
public sealed class TrackingTableTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static long[] Told(TrackingTable table, string key)
    {
        var into = new HashSet<long>();
        table.Invalidate(B(key), into);
        return [.. into.Order()];
    }

    [Fact]
    public void Readers_are_told_once_and_must_read_again_to_be_told_again()
    {
        var table = new TrackingTable();
        table.Remember(1, B("k"));
        table.Remember(2, B("k"));
        table.Remember(1, B("other"));
        Assert.Equal([1L, 2L], Told(table, "k"));
        Assert.Empty(Told(table, "k"));
        Assert.Equal(1, table.Keys);
        table.Forget(1);
        Assert.Empty(Told(table, "other"));
        Assert.Equal(0, table.Keys);
    }

    [Fact]
    public void Broadcast_clients_are_told_about_every_key_under_a_prefix_every_time()
    {
        var table = new TrackingTable();
        table.Broadcast(7, [B("user:"), B("cart:")]);
        table.Broadcast(8, []);
        table.Remember(9, B("user:1"));
        Assert.Equal([7L, 8L, 9L], Told(table, "user:1"));
        Assert.Equal([7L, 8L], Told(table, "user:1"));
        Assert.Equal([8L], Told(table, "session:1"));
        table.Forget(7);
        Assert.Equal([8L], Told(table, "cart:1"));
    }

    [Fact]
    public void Flush_tells_every_tracking_client()
    {
        var table = new TrackingTable();
        table.Remember(1, B("a"));
        table.Broadcast(2, [B("x")]);
        var into = new HashSet<long>();
        table.InvalidateAll(into);
        Assert.Equal([1L, 2L], into.Order());
        Assert.Equal(0, table.Keys);
    }

    [Fact]
    public void Overlapping_prefixes_answer_redis_errors()
    {
        Assert.Null(TrackingTable.PrefixCollision([B("a")], [B("b"), B("c")]));
        Assert.Equal("ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap.",
            TrackingTable.PrefixCollision([], [B("a"), B("ab")]));
        Assert.Equal("ERR Prefix 'a' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap.",
            TrackingTable.PrefixCollision([], [B("a"), B("a")]));
        Assert.Equal("ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must not overlap.",
            TrackingTable.PrefixCollision([B("a")], [B("ab")]));
    }

    [Fact]
    public void Only_modifying_events_invalidate()
    {
        Assert.True(KeyspaceEvents.Modifies(KeyspaceEventFlags.String));
        Assert.True(KeyspaceEvents.Modifies(KeyspaceEventFlags.Expired));
        Assert.False(KeyspaceEvents.Modifies(KeyspaceEventFlags.New));
        Assert.False(KeyspaceEvents.Modifies(KeyspaceEventFlags.KeyMiss));
        Assert.True(KeyspaceEvents.AnyPublished(KeyspaceEventFlags.Tracking));
        var channels = new List<(byte[], byte[])>();
        KeyspaceEvents.Channels(KeyspaceEventFlags.Tracking, KeyspaceEventFlags.String, "set", B("k"), channels);
        Assert.Empty(channels); // tracking alone publishes no keyspace notification
    }
}
