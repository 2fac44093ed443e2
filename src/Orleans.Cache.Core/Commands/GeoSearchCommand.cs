namespace Orleans.Cache.Core;

/// <summary>
/// GEOSEARCH, GEOSEARCHSTORE and the older GEORADIUS / GEORADIUSBYMEMBER (and _RO) forms: members within a
/// radius or a box, found by scanning the score ranges of the search cells (<see cref="GeoHash.SearchCells"/>).
/// </summary>
internal static class GeoSearchCommand
{
    private enum Form { Radius, RadiusByMember, Search, SearchStore }

    private sealed class Query
    {
        public bool HasCenter, ByRadius, ByBox, WithDist, WithHash, WithCoord, Any, StoreDist;
        public double Lon, Lat, Radius, Width, Height, Unit = 1;
        public byte[]? FromMember, Store;
        public bool? Ascending;
        public long Count;
    }

    private readonly record struct Match(byte[] Member, double Distance, double Score, double Lon, double Lat);

    public static Reply GeoRadius(Keyspace db, byte[][] a) => Run(db, a, Form.Radius, readOnly: false);
    public static Reply GeoRadiusRo(Keyspace db, byte[][] a) => Run(db, a, Form.Radius, readOnly: true);
    public static Reply GeoRadiusByMember(Keyspace db, byte[][] a) => Run(db, a, Form.RadiusByMember, readOnly: false);
    public static Reply GeoRadiusByMemberRo(Keyspace db, byte[][] a) => Run(db, a, Form.RadiusByMember, readOnly: true);
    public static Reply GeoSearch(Keyspace db, byte[][] a) => Run(db, a, Form.Search, readOnly: true);
    public static Reply GeoSearchStore(Keyspace db, byte[][] a) => Run(db, a, Form.SearchStore, readOnly: false);

    /// <summary>Where GEORADIUS's STORE / STOREDIST destinations sit, so the front door can route by them too.</summary>
    public static IEnumerable<int> StoreKeys(byte[][] a)
    {
        for (int i = 5; i + 1 < a.Length; i++) // options start after "key member radius unit" at the earliest
            if (Args.Is(a[i], "STORE") || Args.Is(a[i], "STOREDIST")) yield return ++i;
    }

    private static Reply Run(Keyspace db, byte[][] a, Form form, bool readOnly)
    {
        var q = new Query();
        int key = form == Form.SearchStore ? 2 : 1, at;
        switch (form)
        {
            case Form.Radius:
                Center(q, a[2], a[3]);
                Radius(q, a[4], a[5]);
                at = 6;
                break;
            case Form.RadiusByMember:
                q.FromMember = a[2];
                Radius(q, a[3], a[4]);
                at = 5;
                break;
            default:
                at = key + 1;
                break;
        }
        bool search = form is Form.Search or Form.SearchStore;
        for (int i = at; i < a.Length; i++)
        {
            var o = a[i];
            bool next = i + 1 < a.Length;
            if (Args.Is(o, "WITHDIST")) q.WithDist = true;
            else if (Args.Is(o, "WITHHASH")) q.WithHash = true;
            else if (Args.Is(o, "WITHCOORD")) q.WithCoord = true;
            else if (Args.Is(o, "ANY")) q.Any = true;
            else if (Args.Is(o, "ASC")) q.Ascending = true;
            else if (Args.Is(o, "DESC")) q.Ascending = false;
            else if (Args.Is(o, "COUNT") && next)
            {
                q.Count = Args.Long(a[++i]);
                if (q.Count <= 0) return Reply.Error("ERR COUNT must be > 0");
            }
            else if (!search && !readOnly && (Args.Is(o, "STORE") || Args.Is(o, "STOREDIST")) && next)
            {
                q.Store = a[++i];
                q.StoreDist = Args.Is(o, "STOREDIST");
            }
            else if (form == Form.SearchStore && Args.Is(o, "STOREDIST")) q.StoreDist = true;
            else if (search && Args.Is(o, "FROMMEMBER") && next && !q.HasCenter && q.FromMember is null) q.FromMember = a[++i];
            else if (search && Args.Is(o, "FROMLONLAT") && i + 2 < a.Length && !q.HasCenter && q.FromMember is null)
            {
                Center(q, a[i + 1], a[i + 2]);
                i += 2;
            }
            else if (search && Args.Is(o, "BYRADIUS") && i + 2 < a.Length && !q.ByRadius && !q.ByBox)
            {
                Radius(q, a[i + 1], a[i + 2]);
                i += 2;
            }
            else if (search && Args.Is(o, "BYBOX") && i + 3 < a.Length && !q.ByRadius && !q.ByBox)
            {
                if (!Args.TryDouble(a[i + 1], out q.Width)) return Reply.Error("ERR need numeric width");
                if (!Args.TryDouble(a[i + 2], out q.Height)) return Reply.Error("ERR need numeric height");
                if (q.Width < 0 || q.Height < 0) return Reply.Error("ERR height or width cannot be negative");
                q.Unit = GeoCommands.Unit(a[i + 3]);
                q.ByBox = true;
                i += 3;
            }
            else return Errors.Syntax;
        }
        if (search && !q.HasCenter && q.FromMember is null)
            return Reply.Error($"ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {Args.Text(a[0])}");
        if (search && !q.ByRadius && !q.ByBox)
            return Reply.Error($"ERR exactly one of BYRADIUS and BYBOX can be specified for {Args.Text(a[0])}");
        if (q.Any && q.Count == 0) return Reply.Error("ERR the ANY argument requires COUNT argument");
        if (form == Form.SearchStore) q.Store = a[1];
        if (q.Store is not null && (q.WithDist || q.WithHash || q.WithCoord))
            return Reply.Error(form == Form.SearchStore
                ? "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
                : "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options");

        var zset = RedisSortedSet.Get(db, a[key]);
        if (zset is null) return q.Store is null ? Reply.EmptyArray : Stored(db, q, [], form);
        if (q.FromMember is not null)
        {
            if (!zset.TryGetScore(q.FromMember, out double score)) return Reply.Error("ERR could not decode requested zset member");
            (q.Lon, q.Lat) = GeoHash.Position(score);
        }
        var matches = Find(zset, q);
        if (q.Ascending is null && q.Count > 0 && !q.Any) q.Ascending = true;
        if (q.Ascending is bool ascending)
            matches = ascending ? [.. matches.OrderBy(m => m.Distance)] : [.. matches.OrderByDescending(m => m.Distance)];
        if (q.Count > 0 && matches.Count > q.Count) matches = matches.GetRange(0, (int)q.Count);
        return q.Store is null ? Replies(q, matches) : Stored(db, q, matches, form);
    }

    private static void Center(Query q, byte[] lon, byte[] lat)
    {
        q.Lon = Args.Double(lon);
        q.Lat = Args.Double(lat);
        if (!GeoHash.IsValid(q.Lon, q.Lat)) throw new CommandException(GeoCommands.InvalidPair(q.Lon, q.Lat));
        q.HasCenter = true;
    }

    private static void Radius(Query q, byte[] radius, byte[] unit)
    {
        if (!Args.TryDouble(radius, out q.Radius)) throw new CommandException(Reply.Error("ERR need numeric radius"));
        if (q.Radius < 0) throw new CommandException(Reply.Error("ERR radius cannot be negative"));
        q.Unit = GeoCommands.Unit(unit);
        q.ByRadius = true;
    }

    private static List<Match> Find(RedisSortedSet zset, Query q)
    {
        double halfWidth = (q.ByBox ? q.Width / 2 : q.Radius) * q.Unit, halfHeight = (q.ByBox ? q.Height / 2 : q.Radius) * q.Unit;
        double reach = q.ByBox ? Math.Sqrt(halfWidth * halfWidth + halfHeight * halfHeight) : q.Radius * q.Unit;
        var cells = GeoHash.SearchCells(q.Lon, q.Lat, reach, GeoHash.BoundingBox(q.Lon, q.Lat, halfWidth, halfHeight));
        var matches = new List<Match>();
        GeoHash.Cell? last = null;
        foreach (var cell in cells)
        {
            if (cell is not { } c || c == last) continue;
            last = c;
            var (min, max) = c.Scores;
            var range = new ScoreRange(min, max, false, true);
            foreach (var n in zset.Walk(zset.FirstIn(range), false, n => range.BelowMax(n.Score)))
            {
                var (lon, lat) = GeoHash.Position(n.Score);
                double distance = GeoHash.Distance(q.Lon, q.Lat, lon, lat);
                bool inside = q.ByBox
                    ? GeoHash.LatDistance(lat, q.Lat) <= halfHeight && GeoHash.Distance(lon, lat, q.Lon, lat) <= halfWidth
                    : distance <= q.Radius * q.Unit;
                if (!inside) continue;
                matches.Add(new Match(n.Member, distance, n.Score, lon, lat));
                if (q.Any && matches.Count >= q.Count) return matches;
            }
        }
        return matches;
    }

    private static Reply Replies(Query q, List<Match> matches)
    {
        var items = new Reply[matches.Count];
        for (int i = 0; i < items.Length; i++)
        {
            var m = matches[i];
            if (!q.WithDist && !q.WithHash && !q.WithCoord) { items[i] = Reply.Bulk(m.Member); continue; }
            var parts = new List<Reply>(4) { Reply.Bulk(m.Member) };
            if (q.WithDist) parts.Add(GeoCommands.Distance(m.Distance, q.Unit));
            if (q.WithHash) parts.Add(Reply.Int((long)m.Score));
            if (q.WithCoord) parts.Add(Reply.Array([GeoCommands.Coordinate(m.Lon), GeoCommands.Coordinate(m.Lat)]));
            items[i] = Reply.Array([.. parts]);
        }
        return Reply.Array(items);
    }

    private static Reply Stored(Keyspace db, Query q, List<Match> matches, Form form)
    {
        if (matches.Count == 0)
        {
            if (db.Delete(q.Store!)) db.Notify(KeyspaceEventFlags.Generic, "del", q.Store!);
            return Reply.Int(0);
        }
        var result = new RedisSortedSet();
        foreach (var m in matches) result.Add(m.Member, q.StoreDist ? m.Distance / q.Unit : m.Score);
        db.Set(q.Store!, result);
        // Redis names the event after the command family: GEOSEARCHSTORE, or GEORADIUS[BYMEMBER] ... STORE|STOREDIST.
        db.Notify(KeyspaceEventFlags.SortedSet, form == Form.SearchStore ? "geosearchstore" : "georadiusstore", q.Store!);
        return Reply.Int(result.Count);
    }
}
