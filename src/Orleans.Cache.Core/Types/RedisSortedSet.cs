namespace Orleans.Cache.Core;

/// <summary>
/// A sorted set (Redis's t_zset.c): a member → score table for O(1) ZSCORE plus a counted B+tree ordered by
/// (score, member) for O(log N) rank, "the member at rank r" and ranges.
/// </summary>
internal sealed class RedisSortedSet : IRedisValue
{
    /// <summary>Below this size ZSCAN answers in one step, as Redis does for its listpack encoding.</summary>
    public const int SmallSize = 128;

    public RedisSortedSet() : this(ScoreTree.DefaultCapacity) { }

    /// <summary>A set whose tree nodes hold <paramref name="nodeCapacity"/> entries (small ones make tests split often).</summary>
    internal RedisSortedSet(int nodeCapacity) => Tree = new ScoreTree(nodeCapacity);

    /// <summary>Member → score.</summary>
    public Dict<double> Members { get; } = new();

    /// <summary>The members in (score, member) order.</summary>
    public ScoreTree Tree { get; }

    public string TypeName => "zset";

    /// <inheritdoc/>
    public long Charged { get; set; }
    public int Count => Members.Count;

    public IRedisValue Clone()
    {
        var copy = new RedisSortedSet();
        foreach (var (member, score) in Tree) copy.Add(member, score);
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

    public bool TryGetScore(byte[] member, out double score) => Members.TryGetValue(member, out score);

    /// <summary>Adds or re-scores a member; true when it was new.</summary>
    public bool Add(byte[] member, double score)
    {
        if (Members.TryGetValue(member, out double current, out var stored))
        {
            if (current != score)
            {
                Tree.UpdateScore(current, stored, score);
                Members.Set(member, score);
            }
            return false;
        }
        Members.Set(member, score);
        Tree.Insert(score, member);
        return true;
    }

    public bool Remove(byte[] member)
    {
        if (!Members.TryGetValue(member, out double score, out var stored)) return false;
        Members.Remove(member);
        Tree.Delete(score, stored);
        return true;
    }

    /// <summary>The 0-based rank, counted from the lowest score (or the highest when <paramref name="reverse"/>); null if absent.</summary>
    public long? Rank(byte[] member, bool reverse)
    {
        if (!Members.TryGetValue(member, out double score, out var stored)) return null;
        long rank = Tree.Rank(score, stored);
        return reverse ? Count - 1 - rank : rank;
    }

    /// <summary>Members at 0-based ranks start..end (inclusive, already clamped), lowest first or highest first.</summary>
    public List<ZEntry> RankRange(long start, long end, bool reverse)
    {
        var into = new List<ZEntry>((int)Math.Min(end - start + 1, 1024));
        Tree.CopyRange(start, end, reverse, into);
        return into;
    }

    /// <summary>The rank of the lowest member in the range, or -1 when none is.</summary>
    public long FirstIn(ScoreRange r)
    {
        if (r.IsEmpty) return -1;
        long rank = Tree.CountWhile(new BelowMin(r));
        return rank < Count && r.BelowMax(Tree.At(rank).Score) ? rank : -1;
    }

    /// <summary>The rank of the highest member in the range, or -1 when none is.</summary>
    public long LastIn(ScoreRange r)
    {
        if (r.IsEmpty) return -1;
        long rank = Tree.CountWhile(new WithinMax(r)) - 1;
        return rank >= 0 && r.AboveMin(Tree.At(rank).Score) ? rank : -1;
    }

    public long FirstIn(LexRange r)
    {
        if (r.IsEmpty) return -1;
        long rank = Tree.CountWhile(new BelowLexMin(r));
        return rank < Count && r.BelowMax(Tree.At(rank).Member) ? rank : -1;
    }

    public long LastIn(LexRange r)
    {
        if (r.IsEmpty) return -1;
        long rank = Tree.CountWhile(new WithinLexMax(r)) - 1;
        return rank >= 0 && r.AboveMin(Tree.At(rank).Member) ? rank : -1;
    }

    /// <summary>How many members lie between two ranks found by FirstIn/LastIn (0 when either is missing).</summary>
    public static long CountBetween(long first, long last) => first < 0 || last < 0 ? 0 : last - first + 1;

    /// <summary>Members of a score or lex interval: from its low end up, or from its high end down when reversed.</summary>
    public IEnumerable<ZEntry> Walk(long from, bool reverse, Func<ZEntry, bool> inside) =>
        Tree.From(from, reverse).TakeWhile(inside);

    private readonly struct BelowMin(ScoreRange r) : IKeyTest
    {
        public bool Holds(double score, byte[] member) => !r.AboveMin(score);
    }

    private readonly struct WithinMax(ScoreRange r) : IKeyTest
    {
        public bool Holds(double score, byte[] member) => r.BelowMax(score);
    }

    private readonly struct BelowLexMin(LexRange r) : IKeyTest
    {
        public bool Holds(double score, byte[] member) => !r.AboveMin(member);
    }

    private readonly struct WithinLexMax(LexRange r) : IKeyTest
    {
        public bool Holds(double score, byte[] member) => r.BelowMax(member);
    }
}
