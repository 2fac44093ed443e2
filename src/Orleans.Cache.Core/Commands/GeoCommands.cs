using System.Globalization;

namespace Orleans.Cache.Core;

/// <summary>GEOADD, GEODIST, GEOHASH and GEOPOS: positions kept as geohash scores of a sorted set (Redis's geo.c).</summary>
internal static class GeoCommands
{
    public static Reply InvalidPair(double lon, double lat) => Reply.Error(string.Format(CultureInfo.InvariantCulture,
        "ERR invalid longitude,latitude pair {0:F6},{1:F6}", lon, lat));

    /// <summary>Meters per unit of a M|KM|FT|MI argument.</summary>
    public static double Unit(byte[] arg) =>
        Args.Is(arg, "M") ? 1 : Args.Is(arg, "KM") ? 1000 : Args.Is(arg, "FT") ? 0.3048 : Args.Is(arg, "MI") ? 1609.34
        : throw new CommandException(Reply.Error("ERR unsupported unit provided. please use M, KM, FT, MI"));

    /// <summary>A coordinate as Redis prints one: the double's exact value to 17 decimals, trailing zeros cut.</summary>
    public static Reply Coordinate(double v)
    {
        string text = v.ToString("F17", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return Reply.Bulk(text == "-0" ? "0" : text);
    }

    public static Reply Distance(double meters, double unit) =>
        Reply.Bulk((meters / unit).ToString("F4", CultureInfo.InvariantCulture));

    /// <summary>GEOADD key [NX|XX] [CH] longitude latitude member [… ].</summary>
    public static Reply GeoAdd(Keyspace db, byte[][] a)
    {
        bool nx = false, xx = false, ch = false;
        int i = 2;
        for (; i < a.Length; i++)
        {
            if (Args.Is(a[i], "NX")) nx = true;
            else if (Args.Is(a[i], "XX")) xx = true;
            else if (Args.Is(a[i], "CH")) ch = true;
            else break;
        }
        if ((a.Length - i) % 3 != 0 || a.Length == i) return Errors.Syntax;
        if (nx && xx) return Errors.Syntax;
        var scores = new List<(byte[] Member, double Score)>();
        for (int k = i; k < a.Length; k += 3)
        {
            double lon = Args.Double(a[k]), lat = Args.Double(a[k + 1]);
            if (!GeoHash.IsValid(lon, lat)) return InvalidPair(lon, lat);
            scores.Add((a[k + 2], GeoHash.Encode(lon, lat).Bits));
        }
        var zset = RedisSortedSet.Get(db, a[1]);
        if (zset is null)
        {
            if (xx) return Reply.Int(0);
            zset = RedisSortedSet.GetOrCreate(db, a[1]);
        }
        long added = 0, changed = 0;
        foreach (var (member, score) in scores)
        {
            bool exists = zset.TryGetScore(member, out double old);
            if (exists ? nx : xx) continue;
            if (!exists) added++;
            else if (old != score) changed++;
            zset.Add(member, score);
        }
        // GEOADD is ZADD underneath in Redis, so it raises zadd, only when a member was added or moved.
        if (added + changed > 0) db.Notify(KeyspaceEventFlags.SortedSet, "zadd", a[1]);
        RedisSortedSet.DeleteIfEmpty(db, a[1], zset);
        return Reply.Int(ch ? added + changed : added);
    }

    /// <summary>GEODIST key member1 member2 [M|KM|FT|MI]: the distance as a string with 4 decimals, or nil.</summary>
    public static Reply GeoDist(Keyspace db, byte[][] a)
    {
        if (a.Length > 5) return Errors.Syntax;
        double unit = a.Length == 5 ? Unit(a[4]) : 1;
        var zset = RedisSortedSet.Get(db, a[1]);
        if (zset is null || !zset.TryGetScore(a[2], out double s1) || !zset.TryGetScore(a[3], out double s2)) return Reply.Nil;
        var (lon1, lat1) = GeoHash.Position(s1);
        var (lon2, lat2) = GeoHash.Position(s2);
        return Distance(GeoHash.Distance(lon1, lat1, lon2, lat2), unit);
    }

    public static Reply GeoHashCommand(Keyspace db, byte[][] a)
    {
        var zset = RedisSortedSet.Get(db, a[1]);
        var items = new Reply[a.Length - 2];
        for (int i = 2; i < a.Length; i++)
            items[i - 2] = zset is not null && zset.TryGetScore(a[i], out double s) ? Reply.Bulk(GeoHash.ToGeohashString(s)) : Reply.Nil;
        return Reply.Array(items);
    }

    public static Reply GeoPos(Keyspace db, byte[][] a)
    {
        var zset = RedisSortedSet.Get(db, a[1]);
        var items = new Reply[a.Length - 2];
        for (int i = 2; i < a.Length; i++)
        {
            if (zset is null || !zset.TryGetScore(a[i], out double s)) { items[i - 2] = Reply.NilArray; continue; }
            var (lon, lat) = GeoHash.Position(s);
            items[i - 2] = Reply.Array([Coordinate(lon), Coordinate(lat)]);
        }
        return Reply.Array(items);
    }
}
