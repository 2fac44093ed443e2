namespace Orleans.Cache.Core;

/// <summary>The sorted set family (Redis's t_zset.c): adds, scores, ranks, pops, random members and ZSCAN.</summary>
internal static class SortedSetCommands
{
    public static readonly Reply NaNScore = Reply.Error("ERR resulting score is not a number (NaN)");

    /// <summary>ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member …].</summary>
    public static Reply ZAdd(Keyspace db, byte[][] a)
    {
        bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
        int i = 2;
        for (; i < a.Length; i++)
        {
            if (Args.Is(a[i], "NX")) nx = true;
            else if (Args.Is(a[i], "XX")) xx = true;
            else if (Args.Is(a[i], "GT")) gt = true;
            else if (Args.Is(a[i], "LT")) lt = true;
            else if (Args.Is(a[i], "CH")) ch = true;
            else if (Args.Is(a[i], "INCR")) incr = true;
            else break;
        }
        int pairs = (a.Length - i) / 2;
        if (pairs == 0 || (a.Length - i) % 2 != 0) return Errors.Syntax;
        if (nx && xx) return Reply.Error("ERR XX and NX options at the same time are not compatible");
        if (gt && lt || nx && (gt || lt)) return Reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
        if (incr && pairs > 1) return Reply.Error("ERR INCR option supports a single increment-element pair");
        var scores = new double[pairs];
        for (int p = 0; p < pairs; p++) scores[p] = Args.Double(a[i + 2 * p]);

        var zset = RedisSortedSet.Get(db, a[1]);
        if (zset is null)
        {
            if (xx) return incr ? Reply.Nil : Reply.Int(0);
            zset = RedisSortedSet.GetOrCreate(db, a[1]);
        }
        long added = 0, changed = 0;
        double result = 0;
        bool skipped = false;
        for (int p = 0; p < pairs; p++)
        {
            var member = a[i + 2 * p + 1];
            double score = scores[p];
            // The new position does not depend on the old score: start loading its leaf while the member is looked up.
            if (!incr) zset.Tree.Warm(score, member);
            if (zset.TryGetScore(member, out double current))
            {
                if (nx) { skipped = true; continue; }
                if (incr)
                {
                    score += current;
                    if (double.IsNaN(score)) return NaNScore;
                }
                if (gt && score <= current || lt && score >= current) { skipped = true; continue; }
                result = score;
                if (score != current) { zset.Add(member, score); changed++; }
            }
            else
            {
                if (xx) { skipped = true; continue; }
                zset.Add(member, score);
                result = score;
                added++;
            }
        }
        // One event for the whole command, only when a member was added or a score actually changed.
        if (added + changed > 0) db.Notify(KeyspaceEventFlags.SortedSet, incr ? "zincr" : "zadd", a[1]);
        if (incr) return skipped ? Reply.Nil : Reply.Dbl(result);
        return Reply.Int(ch ? added + changed : added);
    }

    public static Reply ZIncrBy(Keyspace db, byte[][] a)
    {
        double by = Args.Double(a[2]);
        var zset = RedisSortedSet.Get(db, a[1]);
        double score = by;
        bool changed = true;
        if (zset is not null && zset.TryGetScore(a[3], out double current))
        {
            score += current;
            if (double.IsNaN(score)) return NaNScore;
            changed = score != current;
        }
        if (!changed) return Reply.Dbl(score); // an unchanged score is no write and no event, as in Redis
        (zset ?? RedisSortedSet.GetOrCreate(db, a[1])).Add(a[3], score);
        db.Notify(KeyspaceEventFlags.SortedSet, "zincr", a[1]);
        return Reply.Dbl(score);
    }

    public static Reply ZRem(Keyspace db, byte[][] a)
    {
        var zset = RedisSortedSet.Get(db, a[1]);
        if (zset is null) return Reply.Int(0);
        int removed = 0;
        for (int i = 2; i < a.Length; i++)
            if (zset.Remove(a[i])) removed++;
        if (removed == 0) return Reply.Int(0);
        db.Notify(KeyspaceEventFlags.SortedSet, "zrem", a[1]);
        RedisSortedSet.DeleteIfEmpty(db, a[1], zset);
        return Reply.Int(removed);
    }

    public static Reply ZScore(Keyspace db, byte[][] a) =>
        RedisSortedSet.Get(db, a[1]) is { } z && z.TryGetScore(a[2], out double s) ? Reply.Dbl(s) : Reply.Nil;

    public static Reply ZMScore(Keyspace db, byte[][] a)
    {
        var zset = RedisSortedSet.Get(db, a[1]);
        var items = new Reply[a.Length - 2];
        for (int i = 2; i < a.Length; i++)
            items[i - 2] = zset is not null && zset.TryGetScore(a[i], out double s) ? Reply.Dbl(s) : Reply.Nil;
        return Reply.Array(items);
    }

    public static Reply ZCard(Keyspace db, byte[][] a) => Reply.Int(RedisSortedSet.Get(db, a[1])?.Count ?? 0);

    public static Reply ZCount(Keyspace db, byte[][] a)
    {
        var range = ScoreRange.Parse(a[2], a[3]);
        var zset = RedisSortedSet.Get(db, a[1]);
        return Reply.Int(zset is null ? 0 : RedisSortedSet.CountBetween(zset.FirstIn(range), zset.LastIn(range)));
    }

    public static Reply ZLexCount(Keyspace db, byte[][] a)
    {
        var range = LexRange.Parse(a[2], a[3]);
        var zset = RedisSortedSet.Get(db, a[1]);
        return Reply.Int(zset is null ? 0 : RedisSortedSet.CountBetween(zset.FirstIn(range), zset.LastIn(range)));
    }

    public static Reply ZRank(Keyspace db, byte[][] a) => Rank(db, a, reverse: false);
    public static Reply ZRevRank(Keyspace db, byte[][] a) => Rank(db, a, reverse: true);

    /// <summary>ZRANK / ZREVRANK key member [WITHSCORE].</summary>
    private static Reply Rank(Keyspace db, byte[][] a, bool reverse)
    {
        if (a.Length > 4 || a.Length == 4 && !Args.Is(a[3], "WITHSCORE")) return Errors.Syntax;
        bool withScore = a.Length == 4;
        var zset = RedisSortedSet.Get(db, a[1]);
        if (zset?.Rank(a[2], reverse) is not long rank) return withScore ? Reply.NilArray : Reply.Nil;
        if (!withScore) return Reply.Int(rank);
        zset.TryGetScore(a[2], out double score);
        return Reply.Array([Reply.Int(rank), Reply.Dbl(score)]);
    }

    public static Reply ZPopMin(Keyspace db, byte[][] a) => Pop(db, a, max: false);
    public static Reply ZPopMax(Keyspace db, byte[][] a) => Pop(db, a, max: true);

    /// <summary>ZPOPMIN / ZPOPMAX key [count]: a flat [member, score] without count, pairs with one.</summary>
    private static Reply Pop(Keyspace db, byte[][] a, bool max)
    {
        if (a.Length > 3) return Errors.Syntax;
        long count = 1;
        if (a.Length == 3)
        {
            count = Args.Long(a[2]);
            if (count < 0) return Reply.Error("ERR value is out of range, must be positive");
        }
        var zset = RedisSortedSet.Get(db, a[1]);
        if (zset is null || count == 0) return Reply.EmptyArray;
        var popped = PopNodes(db, a[1], zset, count, max);
        return a.Length == 3 ? Reply.Pairs(popped) : Reply.Array(popped);
    }

    /// <summary>Removes up to <paramref name="count"/> lowest (or highest) members; returns member, score, member, score…</summary>
    public static Reply[] PopNodes(Keyspace db, byte[] key, RedisSortedSet zset, long count, bool max)
    {
        var items = new List<Reply>();
        for (long i = 0; i < count && zset.Count > 0; i++)
        {
            var (member, score) = max ? zset.Tree.Last : zset.Tree.First;
            items.Add(Reply.Bulk(member));
            items.Add(Reply.Dbl(score));
            zset.Remove(member);
        }
        if (items.Count > 0) db.Notify(KeyspaceEventFlags.SortedSet, max ? "zpopmax" : "zpopmin", key);
        RedisSortedSet.DeleteIfEmpty(db, key, zset);
        return [.. items];
    }

    public static Reply BZPopMin(Keyspace db, byte[][] a) => BlockingPop(db, a, max: false);
    public static Reply BZPopMax(Keyspace db, byte[][] a) => BlockingPop(db, a, max: true);

    /// <summary>BZPOPMIN / BZPOPMAX key [key …] timeout: [key, member, score] from the first non-empty key, else nil.</summary>
    private static Reply BlockingPop(Keyspace db, byte[][] a, bool max)
    {
        BlockingArgs.Timeout(a[^1]);
        for (int i = 1; i < a.Length - 1; i++)
        {
            if (RedisSortedSet.Get(db, a[i]) is not { } zset) continue;
            return Reply.Array([Reply.Bulk(a[i]), .. PopNodes(db, a[i], zset, 1, max)]);
        }
        return Reply.NilArray;
    }

    public static Reply ZMPop(Keyspace db, byte[][] a) => MPop(db, a, 1);

    public static Reply BZMPop(Keyspace db, byte[][] a)
    {
        BlockingArgs.Timeout(a[1]);
        return MPop(db, a, 2);
    }

    /// <summary>[B]ZMPOP numkeys key [key …] MIN|MAX [COUNT count]: [key, [[member, score] …]] or nil.</summary>
    private static Reply MPop(Keyspace db, byte[][] a, int from)
    {
        var (keys, max, count) = MPopArgs.Parse(a, from, "MIN", "MAX");
        foreach (var key in keys)
        {
            if (RedisSortedSet.Get(db, key) is not { } zset) continue;
            var flat = PopNodes(db, key, zset, count, max);
            var pairs = new Reply[flat.Length / 2];
            for (int i = 0; i < pairs.Length; i++) pairs[i] = Reply.Array([flat[2 * i], flat[2 * i + 1]]);
            return Reply.Array([Reply.Bulk(key), Reply.Array(pairs)]);
        }
        return Reply.NilArray;
    }

    /// <summary>ZRANDMEMBER key [count [WITHSCORES]].</summary>
    public static Reply ZRandMember(Keyspace db, byte[][] a)
    {
        if (a.Length > 4 || a.Length == 4 && !Args.Is(a[3], "WITHSCORES")) return Errors.Syntax;
        bool withScores = a.Length == 4;
        long count = a.Length >= 3 ? RandomReplies.Count(a[2], withScores) : 0;
        var zset = RedisSortedSet.Get(db, a[1]);
        if (a.Length == 2) return zset is null ? Reply.Nil : Reply.Bulk(zset.Members.Random(db.Random).Key);
        if (zset is null || count == 0) return Reply.EmptyArray;
        var picks = RandomReplies.Pick(zset.Members, count, db.Random);
        if (!withScores) return Reply.Array(picks.Select(p => Reply.Bulk(p.Key)).ToArray());
        return Reply.Pairs(picks.SelectMany(p => new[] { Reply.Bulk(p.Key), Reply.Dbl(p.Value) }).ToArray());
    }

    /// <summary>ZSCAN key cursor [MATCH pattern] [COUNT n]: scores as strings, in both protocols.</summary>
    public static Reply ZScan(Keyspace db, byte[][] a)
    {
        ulong cursor = HashCommands.ParseCursor(a[2]);
        var options = ScanOptions.Parse(a, 3);
        if (options.Type is not null) return Errors.Syntax;
        var zset = RedisSortedSet.Get(db, a[1]);
        var found = new List<KeyValuePair<byte[], double>>();
        ulong next = 0;
        if (zset is not null && cursor == 0 && zset.Count <= RedisSortedSet.SmallSize)
        {
            // Small sorted sets answer whole and in score order, as Redis's listpack encoding does.
            foreach (var (member, score) in zset.Tree) found.Add(new(member, score));
        }
        else if (zset is not null) next = zset.Members.Scan(cursor, options.Count, RedisSortedSet.SmallSize, found);
        var items = new List<Reply>(found.Count * 2);
        foreach (var (member, score) in found)
        {
            if (options.Pattern is not null && !Glob.IsMatch(options.Pattern, member)) continue;
            items.Add(Reply.Bulk(member));
            items.Add(Reply.Bulk(Args.FormatScore(score)));
        }
        return HashCommands.ScanReply(next, [.. items]);
    }
}

/// <summary>The arguments of ZMPOP/LMPOP and their blocking forms: numkeys key [key …] WHERE [COUNT count].</summary>
internal static class MPopArgs
{
    /// <summary>Reads from a[from] (numkeys); max is true when the second of the two directions was given.</summary>
    public static (byte[][] Keys, bool Second, long Count) Parse(byte[][] a, int from, string first, string second)
    {
        if (!Args.TryLong(a[from], out long numKeys) || numKeys <= 0) throw new CommandException(Reply.Error("ERR numkeys should be greater than 0"));
        if (numKeys > a.Length - from - 2) throw new CommandException(Errors.Syntax);
        var keys = a.AsSpan(from + 1, (int)numKeys).ToArray();
        int i = from + 1 + (int)numKeys;
        bool isSecond;
        if (Args.Is(a[i], first)) isSecond = false;
        else if (Args.Is(a[i], second)) isSecond = true;
        else throw new CommandException(Errors.Syntax);
        long count = 1;
        bool hasCount = false;
        for (i++; i < a.Length; i++)
        {
            if (!hasCount && Args.Is(a[i], "COUNT") && i + 1 < a.Length)
            {
                if (!Args.TryLong(a[++i], out count) || count <= 0) throw new CommandException(Reply.Error("ERR count should be greater than 0"));
                hasCount = true;
            }
            else throw new CommandException(Errors.Syntax);
        }
        return (keys, isSecond, count);
    }
}
