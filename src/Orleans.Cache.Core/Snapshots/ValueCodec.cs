using Orleans.Cache.Core.Config;

namespace Orleans.Cache.Core;

/// <summary>Type tags of the snapshot format; never renumber (old snapshots must stay readable).</summary>
internal enum SnapshotType : byte
{
    String = 0,
    Hash = 1,
    List = 2,
    Set = 3,
    SortedSet = 4,
    /// <summary>A hash some of whose fields have deadlines: each field is followed by its deadline (0: none). Format version 2.</summary>
    HashWithFieldTtls = 5,
}

/// <summary>How each value type is written to and read from a snapshot: a count, then its elements.</summary>
internal static class ValueCodec
{
    public static SnapshotType TypeOf(object value) => value switch
    {
        byte[] or StringBuffer => SnapshotType.String,
        RedisHash h => h.HasFieldDeadlines ? SnapshotType.HashWithFieldTtls : SnapshotType.Hash,
        RedisList => SnapshotType.List,
        RedisSet => SnapshotType.Set,
        RedisSortedSet => SnapshotType.SortedSet,
        _ => throw new InvalidOperationException($"no snapshot codec for {value.GetType().Name}"),
    };

    /// <summary>Writes <paramref name="value"/>; hash fields whose deadline is before <paramref name="now"/> are left out.</summary>
    public static void Write(ref SnapshotWriter w, object value, long now = long.MinValue)
    {
        switch (value)
        {
            case byte[] s:
                w.Bytes(s);
                break;
            case StringBuffer b:
                w.Bytes(b.Span); // the value only, never the spare capacity; it loads as a plain array
                break;
            case RedisHash h when h.HasFieldDeadlines:
                w.VarInt((ulong)h.CountLive(now));
                foreach (var (field, v) in h)
                {
                    long at = h.DeadlineOf(field);
                    if (at != 0 && at < now) continue;
                    w.Bytes(field);
                    w.Bytes(v);
                    w.VarInt((ulong)at);
                }
                break;
            case RedisHash h:
                w.VarInt((ulong)h.Count);
                foreach (var (field, v) in h) { w.Bytes(field); w.Bytes(v); }
                break;
            case RedisList l:
                w.VarInt((ulong)l.Count);
                foreach (var item in l) w.Bytes(item);
                break;
            case RedisSet s:
                w.VarInt((ulong)s.Count);
                foreach (var (member, _) in s.Members) w.Bytes(member);
                break;
            case RedisSortedSet z:
                w.VarInt((ulong)z.Count);
                foreach (var (member, score) in z.Tree) { w.Bytes(member); w.Double(score); }
                break;
            default:
                throw new InvalidOperationException($"no snapshot codec for {value.GetType().Name}");
        }
    }

    /// <summary>
    /// Reads a value; hash fields whose deadline is before <paramref name="now"/> are dropped (a hash may come back empty).
    /// A hash takes the encoding <paramref name="limits"/> (the defaults when null) give its fields, as Redis's RDB load does.
    /// </summary>
    public static object Read(ref SnapshotReader r, SnapshotType type, long now = long.MinValue, EncodingThresholds? limits = null)
    {
        limits ??= EncodingThresholds.Default;
        switch (type)
        {
            case SnapshotType.String:
                return r.Bytes();
            case SnapshotType.Hash:
            {
                int n = r.Count();
                var h = new RedisHash(n, limits);
                for (int i = n; i > 0; i--) h.Set(r.Bytes(), r.Bytes(), limits);
                return h;
            }
            case SnapshotType.HashWithFieldTtls:
            {
                int n = r.Count();
                var h = new RedisHash(n, limits);
                for (int i = n; i > 0; i--)
                {
                    var field = r.Bytes();
                    var value = r.Bytes();
                    long at = (long)r.VarInt();
                    if (at != 0 && at < now) continue;
                    h.Set(field, value, limits);
                    if (at != 0) h.SetDeadline(field, at);
                }
                return h;
            }
            case SnapshotType.List:
            {
                int n = r.Count();
                var l = new RedisList(Math.Min(n, 1 << 16));
                for (int i = 0; i < n; i++) l.PushBack(r.Bytes());
                return l;
            }
            case SnapshotType.Set:
            {
                var s = new RedisSet();
                for (int i = r.Count(); i > 0; i--) s.Add(r.Bytes());
                return s;
            }
            case SnapshotType.SortedSet:
            {
                var z = new RedisSortedSet();
                for (int i = r.Count(); i > 0; i--)
                {
                    var member = r.Bytes();
                    double score = r.Double();
                    if (double.IsNaN(score)) throw new SnapshotFormatException("sorted set score is NaN");
                    z.Add(member, score);
                }
                return z;
            }
            default:
                throw new SnapshotFormatException($"unknown value type {(byte)type} in snapshot");
        }
    }
}
