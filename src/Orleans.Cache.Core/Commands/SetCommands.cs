namespace Orleans.Cache.Core;

/// <summary>The set family (Redis's t_set.c). Multi-key commands run on one partition: their keys share a slot.</summary>
internal static class SetCommands
{
    public static Reply SAdd(Keyspace db, byte[][] a)
    {
        var set = RedisSet.GetOrCreate(db, a[1]);
        int added = 0;
        for (int i = 2; i < a.Length; i++)
            if (set.Add(a[i])) added++;
        if (added > 0) db.Notify(KeyspaceEventFlags.Set, "sadd", a[1]);
        return Reply.Int(added);
    }

    public static Reply SRem(Keyspace db, byte[][] a)
    {
        var set = RedisSet.Get(db, a[1]);
        if (set is null) return Reply.Int(0);
        int removed = 0;
        for (int i = 2; i < a.Length; i++)
            if (set.Remove(a[i])) removed++;
        if (removed > 0) db.Notify(KeyspaceEventFlags.Set, "srem", a[1]);
        RedisSet.DeleteIfEmpty(db, a[1], set);
        return Reply.Int(removed);
    }

    public static Reply SMembers(Keyspace db, byte[][] a) => Members(RedisSet.Get(db, a[1])?.Members.Select(m => m.Key));

    private static Reply Members(IEnumerable<byte[]>? members) =>
        Reply.Set(members is null ? [] : RedisSet.InRedisOrder(members.ToList()).Select(m => Reply.Bulk(m)).ToArray());

    public static Reply SIsMember(Keyspace db, byte[][] a) =>
        Reply.Int(RedisSet.Get(db, a[1])?.Contains(a[2]) == true ? 1 : 0);

    public static Reply SMIsMember(Keyspace db, byte[][] a)
    {
        var set = RedisSet.Get(db, a[1]);
        var items = new Reply[a.Length - 2];
        for (int i = 2; i < a.Length; i++) items[i - 2] = Reply.Int(set?.Contains(a[i]) == true ? 1 : 0);
        return Reply.Array(items);
    }

    public static Reply SCard(Keyspace db, byte[][] a) => Reply.Int(RedisSet.Get(db, a[1])?.Count ?? 0);

    /// <summary>SPOP key [count]: a bulk without count, a set of up to count distinct members with one.</summary>
    public static Reply SPop(Keyspace db, byte[][] a)
    {
        if (a.Length > 3) return Errors.Syntax;
        long count = 1;
        if (a.Length == 3 && (!Args.TryLong(a[2], out count) || count < 0))
            return Reply.Error("ERR value is out of range, must be positive");
        var set = RedisSet.Get(db, a[1]);
        if (set is null) return a.Length == 3 ? Reply.Set([]) : Reply.Nil;
        var picks = set.Members.SampleDistinct(count, db.Random).Select(p => p.Key).ToList();
        foreach (var m in picks) set.Remove(m);
        if (picks.Count > 0)
        {
            db.Notify(KeyspaceEventFlags.Set, "spop", a[1]);
            db.Propagate([EffectWords.SRem, a[1], .. picks]); // the members chance picked, not the pick itself
        }
        RedisSet.DeleteIfEmpty(db, a[1], set);
        return a.Length == 3 ? Reply.Set(picks.Select(m => Reply.Bulk(m)).ToArray()) : Reply.Bulk(picks[0]);
    }

    /// <summary>SRANDMEMBER key [count]: distinct members for a positive count, repeats allowed for a negative one.</summary>
    public static Reply SRandMember(Keyspace db, byte[][] a)
    {
        if (a.Length > 3) return Errors.Syntax;
        long count = a.Length == 3 ? RandomReplies.Count(a[2], withValues: false) : 0;
        var set = RedisSet.Get(db, a[1]);
        if (a.Length == 2) return set is null ? Reply.Nil : Reply.Bulk(set.Members.Random(db.Random).Key);
        if (set is null || count == 0) return Reply.EmptyArray;
        if (count >= set.Count) return Reply.Array(RedisSet.InRedisOrder(set.Members.Select(m => m.Key).ToList()).Select(m => Reply.Bulk(m)).ToArray());
        return Reply.Array(RandomReplies.Pick(set.Members, count, db.Random).Select(p => Reply.Bulk(p.Key)).ToArray());
    }

    /// <summary>SMOVE source destination member: 1 when moved, 0 when the member is not in source.</summary>
    public static Reply SMove(Keyspace db, byte[][] a)
    {
        var from = RedisSet.Get(db, a[1]);
        if (from is null) return Reply.Int(0);
        var to = RedisSet.Get(db, a[2]);
        if (!from.Contains(a[3])) return Reply.Int(0);
        if (ReferenceEquals(from, to)) return Reply.Int(1);
        // Redis's order: srem (and del once empty) on the source, then the destination is created and gets sadd,
        // the latter only when the member was not there already.
        from.Remove(a[3]);
        db.Notify(KeyspaceEventFlags.Set, "srem", a[1]);
        RedisSet.DeleteIfEmpty(db, a[1], from);
        if ((to ?? RedisSet.GetOrCreate(db, a[2])).Add(a[3])) db.Notify(KeyspaceEventFlags.Set, "sadd", a[2]);
        return Reply.Int(1);
    }

    private enum Op { Inter, Union, Diff }

    public static Reply SInter(Keyspace db, byte[][] a) => Members(Combine(db, a.AsSpan(1).ToArray(), Op.Inter));
    public static Reply SUnion(Keyspace db, byte[][] a) => Members(Combine(db, a.AsSpan(1).ToArray(), Op.Union));
    public static Reply SDiff(Keyspace db, byte[][] a) => Members(Combine(db, a.AsSpan(1).ToArray(), Op.Diff));
    public static Reply SInterStore(Keyspace db, byte[][] a) => Store(db, a, Op.Inter, "sinterstore");
    public static Reply SUnionStore(Keyspace db, byte[][] a) => Store(db, a, Op.Union, "sunionstore");
    public static Reply SDiffStore(Keyspace db, byte[][] a) => Store(db, a, Op.Diff, "sdiffstore");

    private static Reply Store(Keyspace db, byte[][] a, Op op, string name)
    {
        var members = Combine(db, a.AsSpan(2).ToArray(), op);
        if (members.Count == 0)
        {
            if (db.Delete(a[1])) db.Notify(KeyspaceEventFlags.Generic, "del", a[1]);
            return Reply.Int(0);
        }
        var result = new RedisSet();
        foreach (var m in members) result.Add(m);
        db.Set(a[1], result);
        db.Notify(KeyspaceEventFlags.Set, name, a[1]);
        return Reply.Int(result.Count);
    }

    /// <summary>The members of an intersection, union or difference; every existing key must be a set.</summary>
    private static List<byte[]> Combine(Keyspace db, byte[][] keys, Op op)
    {
        var sets = keys.Select(k => RedisSet.Get(db, k)).ToArray();
        switch (op)
        {
            case Op.Inter:
                if (sets.Any(s => s is null)) return [];
                var ordered = sets.OrderBy(s => s!.Count).ToArray();
                return ordered[0]!.Members.Select(m => m.Key).Where(m => ordered.Skip(1).All(s => s!.Contains(m))).ToList();
            case Op.Union:
                var union = new Dict<bool>();
                foreach (var s in sets)
                    if (s is not null)
                        foreach (var (m, _) in s.Members) union.Set(m, true);
                return union.Select(m => m.Key).ToList();
            default:
                if (sets[0] is not { } first) return [];
                return first.Members.Select(m => m.Key).Where(m => !sets.Skip(1).Any(s => s is not null && s.Contains(m))).ToList();
        }
    }

    /// <summary>SINTERCARD numkeys key [key …] [LIMIT limit].</summary>
    public static Reply SInterCard(Keyspace db, byte[][] a)
    {
        if (!Args.TryLong(a[1], out long n) || n <= 0) return Reply.Error("ERR numkeys should be greater than 0");
        if (n > a.Length - 2) return Reply.Error("ERR Number of keys can't be greater than number of args");
        long limit = 0;
        for (int i = 2 + (int)n; i < a.Length; i++)
        {
            if (Args.Is(a[i], "LIMIT") && i + 1 < a.Length)
            {
                if (!Args.TryLong(a[++i], out limit) || limit < 0) return Reply.Error("ERR LIMIT can't be negative");
            }
            else return Errors.Syntax;
        }
        var sets = a.AsSpan(2, (int)n).ToArray().Select(k => RedisSet.Get(db, k)).ToArray();
        if (sets.Any(s => s is null)) return Reply.Int(0);
        var ordered = sets.OrderBy(s => s!.Count).ToArray();
        long count = 0;
        foreach (var (m, _) in ordered[0]!.Members)
        {
            if (!ordered.Skip(1).All(s => s!.Contains(m))) continue;
            if (++count == limit) break;
        }
        return Reply.Int(count);
    }

    /// <summary>SSCAN key cursor [MATCH pattern] [COUNT n].</summary>
    public static Reply SScan(Keyspace db, byte[][] a)
    {
        ulong cursor = HashCommands.ParseCursor(a[2]);
        var options = ScanOptions.Parse(a, 3);
        if (options.Type is not null) return Errors.Syntax;
        var set = RedisSet.Get(db, a[1]);
        var found = new List<KeyValuePair<byte[], bool>>();
        ulong next = set?.Members.Scan(cursor, options.Count, RedisSet.SmallSize, found) ?? 0;
        var members = found.Select(f => f.Key).ToList();
        if (cursor == 0 && next == 0) members = RedisSet.InRedisOrder(members);
        var items = members.Where(m => options.Pattern is null || Glob.IsMatch(options.Pattern, m)).Select(m => Reply.Bulk(m)).ToArray();
        return HashCommands.ScanReply(next, items);
    }
}
