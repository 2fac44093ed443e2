namespace Orleans.Cache.Core;

/// <summary>
/// A sorted set (Redis's t_zset.c): a member → skip list node table for O(1) ZSCORE plus the skip list with spans for
/// order, O(log N) rank and O(log N + M) ranges.
/// </summary>
public sealed class RedisSortedSet : IRedisValue
{
    /// <summary>Below this size ZSCAN answers in one step, as Redis does for its listpack encoding.</summary>
    public const int SmallSize = 128;

    /// <summary>Member → its node in <see cref="List"/> (which holds the score).</summary>
    public Dict<SkipListNode> Members { get; } = new();
    public SkipList List { get; } = new();

    public string TypeName => "zset";
    public int Count => Members.Count;

    public IRedisValue Clone()
    {
        var copy = new RedisSortedSet();
        for (var n = List.First; n is not null; n = n.Next) copy.Add(n.Member, n.Score);
        return copy;
    }

    public static RedisSortedSet? Get(Keyspace db, byte[] key) => db.Get<RedisSortedSet>(key);

    public static RedisSortedSet GetOrCreate(Keyspace db, byte[] key)
    {
        var set = db.Get<RedisSortedSet>(key);
        if (set is null) db.Set(key, set = new RedisSortedSet());
        return set;
    }

    public static void DeleteIfEmpty(Keyspace db, byte[] key, RedisSortedSet set)
    {
        if (set.Count == 0 && db.Delete(key)) db.Notify(KeyspaceEventFlags.Generic, "del", key);
    }

    public bool TryGetScore(byte[] member, out double score)
    {
        bool found = Members.TryGetValue(member, out var node);
        score = found ? node.Score : 0;
        return found;
    }

    /// <summary>Adds or re-scores a member; true when it was new.</summary>
    public bool Add(byte[] member, double score)
    {
        if (Members.TryGetValue(member, out var node))
        {
            if (node.Score != score) Members.Set(member, List.UpdateScore(node, score));
            return false;
        }
        Members.Set(member, List.Insert(score, member));
        return true;
    }

    public bool Remove(byte[] member)
    {
        if (!Members.TryGetValue(member, out var node)) return false;
        Members.Remove(member);
        List.Delete(node.Score, member);
        return true;
    }

    /// <summary>The 0-based rank, counted from the lowest score (or the highest when <paramref name="reverse"/>); null if absent.</summary>
    public long? Rank(byte[] member, bool reverse)
    {
        if (!Members.TryGetValue(member, out var node)) return null;
        long rank = List.Rank(node.Score, member) - 1;
        return reverse ? Count - 1 - rank : rank;
    }

    /// <summary>Members at 0-based ranks start..end (inclusive, already clamped), lowest first or highest first.</summary>
    public IEnumerable<SkipListNode> RankRange(long start, long end, bool reverse)
    {
        var node = List.ByRank(reverse ? Count - start : start + 1);
        for (long i = start; i <= end && node is not null; i++, node = reverse ? node.Previous : node.Next)
            yield return node;
    }

    public SkipListNode? FirstIn(ScoreRange r)
    {
        if (r.IsEmpty) return null;
        var n = List.FirstWhere(x => !r.AboveMin(x.Score));
        return n is not null && r.BelowMax(n.Score) ? n : null;
    }

    public SkipListNode? LastIn(ScoreRange r)
    {
        if (r.IsEmpty) return null;
        var n = List.LastWhere(x => r.BelowMax(x.Score));
        return n is not null && r.AboveMin(n.Score) ? n : null;
    }

    public SkipListNode? FirstIn(LexRange r)
    {
        if (r.IsEmpty) return null;
        var n = List.FirstWhere(x => !r.AboveMin(x.Member));
        return n is not null && r.BelowMax(n.Member) ? n : null;
    }

    public SkipListNode? LastIn(LexRange r)
    {
        if (r.IsEmpty) return null;
        var n = List.LastWhere(x => r.BelowMax(x.Member));
        return n is not null && r.AboveMin(n.Member) ? n : null;
    }

    /// <summary>How many members lie between two nodes found by FirstIn/LastIn (0 when either is missing).</summary>
    public long CountBetween(SkipListNode? first, SkipListNode? last) =>
        first is null || last is null ? 0 : List.Rank(last.Score, last.Member) - List.Rank(first.Score, first.Member) + 1;

    /// <summary>Nodes of a score or lex interval: walking from its low end up, or from its high end down when reversed.</summary>
    public IEnumerable<SkipListNode> Walk(SkipListNode? from, bool reverse, Func<SkipListNode, bool> inside)
    {
        for (var n = from; n is not null && inside(n); n = reverse ? n.Previous : n.Next) yield return n;
    }
}
