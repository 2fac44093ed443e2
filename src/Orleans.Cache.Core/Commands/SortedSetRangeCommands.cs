namespace Orleans.Cache.Core;

/// <summary>ZRANGE in all its forms (by rank, score or member; reversed; limited; stored) and the ZREMRANGEBY* family.</summary>
internal static class SortedSetRangeCommands
{
    private enum By { Rank, Score, Lex }

    /// <summary>A parsed range request; the bounds are read before the key is looked at, as Redis does.</summary>
    private sealed record Request(By By, bool Reverse, long Start, long Stop, ScoreRange Scores, LexRange Lex,
        long Offset, long Limit, bool WithScores);

    public static Reply ZRange(Keyspace db, byte[][] a) => Range(db, a, null, null);
    public static Reply ZRevRange(Keyspace db, byte[][] a) => Range(db, a, By.Rank, true);
    public static Reply ZRangeByScore(Keyspace db, byte[][] a) => Range(db, a, By.Score, false);
    public static Reply ZRevRangeByScore(Keyspace db, byte[][] a) => Range(db, a, By.Score, true);
    public static Reply ZRangeByLex(Keyspace db, byte[][] a) => Range(db, a, By.Lex, false);
    public static Reply ZRevRangeByLex(Keyspace db, byte[][] a) => Range(db, a, By.Lex, true);

    private static Reply Range(Keyspace db, byte[][] a, By? by, bool? reverse)
    {
        var request = Parse(a, 1, by, reverse, store: false);
        var zset = RedisSortedSet.Get(db, a[1]);
        if (zset is null) return Reply.EmptyArray;
        var nodes = Select(zset, request);
        if (!request.WithScores) return Reply.Array(nodes.Select(n => Reply.Bulk(n.Member)).ToArray());
        var items = new Reply[nodes.Count * 2];
        for (int i = 0; i < nodes.Count; i++)
        {
            items[2 * i] = Reply.Bulk(nodes[i].Member);
            items[2 * i + 1] = Reply.Dbl(nodes[i].Score);
        }
        return Reply.Pairs(items);
    }

    /// <summary>ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]: how many were stored.</summary>
    public static Reply ZRangeStore(Keyspace db, byte[][] a)
    {
        var request = Parse(a, 2, null, null, store: true);
        var source = RedisSortedSet.Get(db, a[2]);
        var nodes = source is null ? [] : Select(source, request);
        if (nodes.Count == 0)
        {
            if (db.Delete(a[1])) db.Notify(KeyspaceEventFlags.Generic, "del", a[1]);
            return Reply.Int(0);
        }
        var result = new RedisSortedSet();
        foreach (var n in nodes) result.Add(n.Member, n.Score);
        db.Set(a[1], result);
        db.Notify(KeyspaceEventFlags.SortedSet, "zrangestore", a[1]);
        return Reply.Int(nodes.Count);
    }

    public static Reply ZRemRangeByRank(Keyspace db, byte[][] a) => RemoveRange(db, a, By.Rank);
    public static Reply ZRemRangeByScore(Keyspace db, byte[][] a) => RemoveRange(db, a, By.Score);
    public static Reply ZRemRangeByLex(Keyspace db, byte[][] a) => RemoveRange(db, a, By.Lex);

    private static Reply RemoveRange(Keyspace db, byte[][] a, By by)
    {
        var request = Bounds(by, false, a[2], a[3], 0, -1, false);
        var zset = RedisSortedSet.Get(db, a[1]);
        if (zset is null) return Reply.Int(0);
        var nodes = Select(zset, request);
        foreach (var n in nodes) zset.Remove(n.Member);
        if (nodes.Count == 0) return Reply.Int(0);
        db.Notify(KeyspaceEventFlags.SortedSet, by switch
        {
            By.Rank => "zremrangebyrank",
            By.Score => "zremrangebyscore",
            _ => "zremrangebylex",
        }, a[1]);
        RedisSortedSet.DeleteIfEmpty(db, a[1], zset);
        return Reply.Int(nodes.Count);
    }

    /// <summary>Reads "key start stop [options]" with the key at <paramref name="keyIndex"/>.</summary>
    private static Request Parse(byte[][] a, int keyIndex, By? fixedBy, bool? fixedReverse, bool store)
    {
        By? by = fixedBy;
        bool reverse = fixedReverse ?? false, withScores = false, hasLimit = false;
        long offset = 0, limit = -1;
        for (int i = keyIndex + 3; i < a.Length; i++)
        {
            if (!store && Args.Is(a[i], "WITHSCORES")) withScores = true;
            else if (Args.Is(a[i], "LIMIT") && i + 2 < a.Length)
            {
                offset = Args.Long(a[i + 1]);
                limit = Args.Long(a[i + 2]);
                hasLimit = true;
                i += 2;
            }
            else if (fixedBy is null && by is null && Args.Is(a[i], "BYSCORE")) by = By.Score;
            else if (fixedBy is null && by is null && Args.Is(a[i], "BYLEX")) by = By.Lex;
            else if (fixedReverse is null && !reverse && Args.Is(a[i], "REV")) reverse = true;
            else throw new CommandException(Errors.Syntax);
        }
        if (withScores && by == By.Lex)
            throw new CommandException(Reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
        if (hasLimit && (by ?? By.Rank) == By.Rank)
            throw new CommandException(Reply.Error(
                "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"));
        return Bounds(by ?? By.Rank, reverse, a[keyIndex + 1], a[keyIndex + 2], offset, limit, withScores);
    }

    /// <summary>Reads the two bounds; reversed score and member ranges name the high end first.</summary>
    private static Request Bounds(By by, bool reverse, byte[] start, byte[] stop, long offset, long limit, bool withScores)
    {
        var (lo, hi) = reverse ? (stop, start) : (start, stop);
        return by switch
        {
            By.Rank => new Request(by, reverse, Args.Long(start), Args.Long(stop), default, default, offset, limit, withScores),
            By.Score => new Request(by, reverse, 0, 0, ScoreRange.Parse(lo, hi), default, offset, limit, withScores),
            _ => new Request(by, reverse, 0, 0, default, LexRange.Parse(lo, hi), offset, limit, withScores),
        };
    }

    private static List<ZEntry> Select(RedisSortedSet zset, Request r)
    {
        if (r.By == By.Rank)
        {
            long length = zset.Count, start = r.Start, stop = r.Stop;
            if (start < 0) start += length;
            if (stop < 0) stop += length;
            if (start < 0) start = 0;
            if (start > stop || start >= length) return [];
            if (stop >= length) stop = length - 1;
            return zset.RankRange(start, stop, r.Reverse);
        }
        if (r.Offset < 0) return [];
        IEnumerable<ZEntry> walk;
        if (r.By == By.Score)
        {
            var range = r.Scores;
            walk = r.Reverse
                ? zset.Walk(zset.LastIn(range), true, n => range.AboveMin(n.Score))
                : zset.Walk(zset.FirstIn(range), false, n => range.BelowMax(n.Score));
        }
        else
        {
            var range = r.Lex;
            walk = r.Reverse
                ? zset.Walk(zset.LastIn(range), true, n => range.AboveMin(n.Member))
                : zset.Walk(zset.FirstIn(range), false, n => range.BelowMax(n.Member));
        }
        walk = walk.Skip((int)Math.Min(r.Offset, int.MaxValue));
        if (r.Limit >= 0) walk = walk.Take((int)Math.Min(r.Limit, int.MaxValue));
        return walk.ToList();
    }
}
