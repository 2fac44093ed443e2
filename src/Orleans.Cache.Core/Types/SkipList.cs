namespace Orleans.Cache.Core;

/// <summary>One member of a sorted set's skip list: its score, its neighbours and, per level, how far the link jumps.</summary>
public sealed class SkipListNode
{
    internal readonly Link[] Links;
    internal SkipListNode? Backward;

    internal SkipListNode(int level, double score, byte[] member)
    {
        Links = new Link[level];
        Score = score;
        Member = member;
    }

    public byte[] Member { get; }
    public double Score { get; internal set; }

    /// <summary>The next node in (score, member) order, or null at the tail.</summary>
    public SkipListNode? Next => Links[0].Forward;

    /// <summary>The previous node, or null at the head.</summary>
    public SkipListNode? Previous => Backward;

    internal struct Link
    {
        public SkipListNode? Forward;
        /// <summary>How many level-0 steps this link skips: summing spans along a search path gives the rank.</summary>
        public long Span;
    }
}

/// <summary>
/// The ordered half of a sorted set (Redis's zskiplist): members ordered by score, then by bytes, with spans on every
/// link so that rank lookups and "the node at rank r" are O(log N) like searches.
/// </summary>
public sealed class SkipList
{
    private const int MaxLevel = 32;
    // Each level holds a quarter of the nodes of the one below, as in Redis.
    private const int LevelOdds = 4;

    private readonly SkipListNode _header = new(MaxLevel, 0, []);
    // The search path of an insert or delete; one per thread, since every keyspace runs on one thread at a time.
    [ThreadStatic] private static SkipListNode[]? t_update;
    private readonly Random _random;
    private int _level = 1;

    public SkipList(Random? random = null) => _random = random ?? Random.Shared;

    public long Length { get; private set; }
    public SkipListNode? First => _header.Links[0].Forward;
    public SkipListNode? Last { get; private set; }

    private static bool Before(SkipListNode node, double score, byte[] member) =>
        node.Score < score || node.Score == score && node.Member.AsSpan().SequenceCompareTo(member) < 0;

    private int RandomLevel()
    {
        int level = 1;
        while (level < MaxLevel && _random.Next(LevelOdds) == 0) level++;
        return level;
    }

    /// <summary>Inserts a member that is not in the list yet.</summary>
    public SkipListNode Insert(double score, byte[] member)
    {
        Span<long> rank = stackalloc long[MaxLevel];
        var update = t_update ??= new SkipListNode[MaxLevel];
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            rank[i] = i == _level - 1 ? 0 : rank[i + 1];
            while (x.Links[i].Forward is { } next && Before(next, score, member))
            {
                rank[i] += x.Links[i].Span;
                x = next;
            }
            update[i] = x;
        }
        int level = RandomLevel();
        if (level > _level)
        {
            for (int i = _level; i < level; i++)
            {
                rank[i] = 0;
                update[i] = _header;
                update[i].Links[i].Span = Length;
            }
            _level = level;
        }
        var node = new SkipListNode(level, score, member);
        for (int i = 0; i < level; i++)
        {
            node.Links[i].Forward = update[i].Links[i].Forward;
            update[i].Links[i].Forward = node;
            // The new node splits update[i]'s jump: it sits (rank[0] - rank[i]) steps past update[i].
            node.Links[i].Span = update[i].Links[i].Span - (rank[0] - rank[i]);
            update[i].Links[i].Span = rank[0] - rank[i] + 1;
        }
        for (int i = level; i < _level; i++) update[i].Links[i].Span++;
        node.Backward = update[0] == _header ? null : update[0];
        if (node.Links[0].Forward is { } after) after.Backward = node; else Last = node;
        Length++;
        return node;
    }

    /// <summary>Removes the member with this exact score; false when it is not there.</summary>
    public bool Delete(double score, byte[] member)
    {
        var update = t_update ??= new SkipListNode[MaxLevel];
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Links[i].Forward is { } next && Before(next, score, member)) x = next;
            update[i] = x;
        }
        var target = x.Links[0].Forward;
        if (target is null || target.Score != score || !target.Member.AsSpan().SequenceEqual(member)) return false;
        Unlink(target, update);
        return true;
    }

    /// <summary>
    /// Gives a node a new score: in place when it keeps its position (the common small ZINCRBY), else by moving it.
    /// Returns the node now holding the member.
    /// </summary>
    public SkipListNode UpdateScore(SkipListNode node, double score)
    {
        var member = node.Member;
        bool afterPrevious = node.Backward is not { } prev || Before(prev, score, member);
        bool beforeNext = node.Next is not { } next || next.Score > score || next.Score == score && next.Member.AsSpan().SequenceCompareTo(member) > 0;
        if (afterPrevious && beforeNext)
        {
            node.Score = score;
            return node;
        }
        Delete(node.Score, member);
        return Insert(score, member);
    }

    private void Unlink(SkipListNode node, SkipListNode[] update)
    {
        for (int i = 0; i < _level; i++)
        {
            if (update[i].Links[i].Forward == node)
            {
                update[i].Links[i].Span += node.Links[i].Span - 1;
                update[i].Links[i].Forward = node.Links[i].Forward;
            }
            else update[i].Links[i].Span--;
        }
        if (node.Links[0].Forward is { } after) after.Backward = node.Backward; else Last = node.Backward;
        while (_level > 1 && _header.Links[_level - 1].Forward is null) _level--;
        Length--;
    }

    /// <summary>The 1-based rank of a member with this score, or 0 when it is not there.</summary>
    public long Rank(double score, byte[] member)
    {
        long rank = 0;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Links[i].Forward is { } next && (Before(next, score, member) ||
                   next.Score == score && next.Member.AsSpan().SequenceEqual(member)))
            {
                rank += x.Links[i].Span;
                x = next;
            }
            if (x != _header && x.Score == score && x.Member.AsSpan().SequenceEqual(member)) return rank;
        }
        return 0;
    }

    /// <summary>The node at 1-based <paramref name="rank"/>, or null when out of range.</summary>
    public SkipListNode? ByRank(long rank)
    {
        if (rank < 1 || rank > Length) return null;
        long traversed = 0;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Links[i].Forward is { } next && traversed + x.Links[i].Span <= rank)
            {
                traversed += x.Links[i].Span;
                x = next;
            }
            if (traversed == rank) return x;
        }
        return null;
    }

    /// <summary>The first node not before the bound, searching with <paramref name="isBelowMin"/>.</summary>
    public SkipListNode? FirstWhere(Func<SkipListNode, bool> isBelowMin)
    {
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
            while (x.Links[i].Forward is { } next && isBelowMin(next)) x = next;
        return x.Links[0].Forward;
    }

    /// <summary>The last node within the bound, searching with <paramref name="isWithinMax"/>.</summary>
    public SkipListNode? LastWhere(Func<SkipListNode, bool> isWithinMax)
    {
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
            while (x.Links[i].Forward is { } next && isWithinMax(next)) x = next;
        return x == _header ? null : x;
    }

    /// <summary>Checks the spans and links (for tests): every span equals the level-0 steps it skips.</summary>
    public void Validate()
    {
        var ranks = new Dictionary<SkipListNode, long> { [_header] = 0 };
        long r = 0;
        for (var n = First; n is not null; n = n.Next) ranks[n] = ++r;
        if (r != Length) throw new InvalidOperationException("length");
        foreach (var (node, rank) in ranks)
            for (int i = 0; i < (node == _header ? _level : node.Links.Length); i++)
                if (node.Links[i].Forward is { } f && ranks[f] - rank != node.Links[i].Span)
                    throw new InvalidOperationException("span");
    }
}
