using System.Collections;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Orleans.Cache.Core;

/// <summary>A sorted set member and its score.</summary>
internal readonly record struct ZEntry(byte[] Member, double Score);

/// <summary>
/// The ordered half of a sorted set: a counted B+tree keyed by (score, member), in Redis's order (scores compared as
/// numbers, equal scores by member bytes, unsigned). Leaves hold their entries in two parallel arrays, so a search
/// scans contiguous doubles and reads member bytes only on score ties, and are linked both ways for range walks.
/// Inner nodes hold, per child, the size of its subtree and a separator (the lowest key the child may hold): the rank
/// of a key is the sum of the sizes left of its path plus its index in its leaf, and the entry at a rank is found by
/// descending on the sizes. Everything is O(log N), and a wide node costs a few cache lines rather than one miss per
/// element as a skip list does.
/// </summary>
/// <remarks>
/// Nodes other than the root hold at least a third of their capacity, except on the right edge, where appends
/// (ascending inserts, as a snapshot load or a copy makes) split a full node by starting a new one instead of halving
/// it, so that ordered loads fill their nodes. Right-edge leaves hold at least one entry and inner nodes two children.
/// </remarks>
internal sealed class ScoreTree : IEnumerable<ZEntry>
{
    /// <summary>Entries per leaf and children per inner node (chosen by measuring 1k and 1M member sets).</summary>
    public const int DefaultCapacity = 64;

    /// <summary>The widest nodes a tree can have (the size of an inner node's inline arrays).</summary>
    public const int MaxCapacity = 64;

    private const int FirstLeafSize = 4;

    private readonly int _capacity;
    private readonly int _min;
    private Node _root;
    // Inner levels above the leaves.
    private int _height;
    private Leaf _head, _tail;
    private int _warmed;

    public ScoreTree(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        _capacity = capacity;
        _min = Math.Max(2, capacity / 3);
        _root = _head = _tail = new SmallLeaf(Math.Min(FirstLeafSize, capacity));
    }

    public int Count { get; private set; }

    /// <summary>Inner levels above the leaves (for tests).</summary>
    internal int Height => _height;

    public ZEntry First => Count == 0 ? throw new InvalidOperationException("empty") : _head.Entry(0);
    public ZEntry Last => Count == 0 ? throw new InvalidOperationException("empty") : _tail.Entry(_tail.Count - 1);

    private abstract class Node
    {
        public int Count;
    }

    /// <summary>A leaf: entries sorted, linked to its neighbours.</summary>
    private abstract class Leaf : Node
    {
        public Leaf? Prev, Next;

        // Not virtual: one type test, and the JIT sees through it.
        public Span<double> Scores => this is BigLeaf big ? big.ScoreBuffer : ((SmallLeaf)this).ScoreArray;
        public Span<byte[]> Members => this is BigLeaf big ? big.MemberBuffer : ((SmallLeaf)this).MemberArray;

        public ZEntry Entry(int i) => new(Members[i], Scores[i]);
    }

    /// <summary>The single leaf of a small set: arrays that grow with it, so a set of a few members stays small.</summary>
    private sealed class SmallLeaf(int size) : Leaf
    {
        public double[] ScoreArray = new double[size];
        public byte[][] MemberArray = new byte[size][];
    }

    /// <summary>Every other leaf: one object with its entries inline, so a visit is one run of cache lines.</summary>
    private sealed class BigLeaf : Leaf
    {
        public DoubleBuffer ScoreBuffer;
        public MemberBuffer MemberBuffer;
    }

    /// <summary>
    /// An inner node is one object (its arrays are inline): a visit costs one run of cache lines and one page, not
    /// four. Only sets large enough to have inner nodes pay for their full width.
    /// </summary>
    private sealed class Inner : Node
    {
        // Child i holds keys ≥ (Scores[i], Members[i]) and below child i + 1's separator; slot 0 is not read.
        public DoubleBuffer Scores;
        public IntBuffer Sizes;
        public NodeBuffer Children;
        public MemberBuffer Members;
    }

    [InlineArray(MaxCapacity)] private struct DoubleBuffer { private double _e; }
    [InlineArray(MaxCapacity)] private struct IntBuffer { private int _e; }
    [InlineArray(MaxCapacity)] private struct NodeBuffer { private Node _e; }
    [InlineArray(MaxCapacity)] private struct MemberBuffer { private byte[] _e; }

    // Array.Copy and Array.Clear for leaf arrays and inner buffers alike (overlapping ranges are fine).
    private static void Copy(Span<double> source, int from, Span<double> target, int to, int n) => source.Slice(from, n).CopyTo(target.Slice(to, n));
    private static void Copy(Span<int> source, int from, Span<int> target, int to, int n) => source.Slice(from, n).CopyTo(target.Slice(to, n));
    private static void Copy(Span<Node> source, int from, Span<Node> target, int to, int n) => source.Slice(from, n).CopyTo(target.Slice(to, n));
    private static void Copy(Span<byte[]> source, int from, Span<byte[]> target, int to, int n) => source.Slice(from, n).CopyTo(target.Slice(to, n));
    private static void Clear(Span<Node> span, int from, int n) => span.Slice(from, n).Clear();
    private static void Clear(Span<byte[]> span, int from, int n) => span.Slice(from, n).Clear();

    // ---- searching ----

    /// <summary>How many of <paramref name="scores"/>[from..to) are below <paramref name="score"/>; they are sorted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CountBelow(ReadOnlySpan<double> scores, int from, int to, double score)
    {
        // A linear vector scan rather than a binary search: the loads do not depend on each other, so a node not in
        // cache costs about one miss instead of one per probe, and there are no mispredicted branches.
        Debug.Assert(from >= 0 && to <= scores.Length);
        ref double start = ref MemoryMarshal.GetReference(scores);
        int i = from, below = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var target = Vector256.Create(score);
            for (; i + Vector256<double>.Count <= to; i += Vector256<double>.Count)
            {
                var lt = Vector256.LessThan(Vector256.LoadUnsafe(ref start, (nuint)i), target);
                below += BitOperations.PopCount(lt.ExtractMostSignificantBits());
            }
        }
        for (; i < to; i++) if (Unsafe.Add(ref start, i) < score) below++;
        return below;
    }

    /// <summary>The end of the run of entries equal to <paramref name="score"/> that starts at <paramref name="from"/>.</summary>
    private static int EqualRunEnd(ReadOnlySpan<double> scores, int from, int to, double score)
    {
        while (from < to && scores[from] == score) from++;
        return from;
    }

    /// <summary>The index of the first entry of a leaf not below (score, member).</summary>
    private static int LowerBound(Leaf leaf, double score, byte[] member)
    {
        Span<double> scores = leaf.Scores;
        int lo = CountBelow(scores, 0, leaf.Count, score);
        int hi = EqualRunEnd(scores, lo, leaf.Count, score);
        Span<byte[]> members = leaf.Members;
        // Members are compared only among equal scores, by binary search: each comparison reads another member's
        // bytes (a cache miss in a large set), and sets of equal scores (ZRANGEBYLEX's) have long runs.
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (members[mid].AsSpan().SequenceCompareTo(member) < 0) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// The index of a key that is in a leaf. Among entries of equal score the member is first looked for by reference
    /// (the tree holds the arrays the member table holds, so this reads no member bytes), then by comparing bytes.
    /// </summary>
    private static int IndexOf(Leaf leaf, double score, byte[] member)
    {
        Span<double> scores = leaf.Scores;
        Span<byte[]> members = leaf.Members;
        int first = CountBelow(scores, 0, leaf.Count, score);
        for (int i = first; i < leaf.Count && scores[i] == score; i++)
            if (ReferenceEquals(members[i], member)) return i;
        int at = LowerBound(leaf, score, member);
        if (at == leaf.Count || leaf.Scores[at] != score || !leaf.Members[at].AsSpan().SequenceEqual(member))
            throw new InvalidOperationException("the key is not in the tree");
        return at;
    }

    /// <summary>The child of an inner node whose key range holds (score, member).</summary>
    private static int ChildFor(Inner node, double score, byte[] member)
    {
        int lo = 1 + CountBelow(node.Scores, 1, node.Count, score);
        int hi = EqualRunEnd(node.Scores, lo, node.Count, score);
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (node.Members[mid].AsSpan().SequenceCompareTo(member) <= 0) lo = mid + 1; else hi = mid;
        }
        return lo - 1;
    }

    /// <summary>The sum of sizes[from..to).</summary>
    private static int Sum(ReadOnlySpan<int> sizes, int from, int to)
    {
        Debug.Assert(from >= 0 && to <= sizes.Length);
        ref int start = ref MemoryMarshal.GetReference(sizes);
        int i = from, sum = 0;
        if (Vector256.IsHardwareAccelerated && to - from >= Vector256<int>.Count)
        {
            var acc = Vector256<int>.Zero;
            for (; i + Vector256<int>.Count <= to; i += Vector256<int>.Count) acc += Vector256.LoadUnsafe(ref start, (nuint)i);
            sum = Vector256.Sum(acc);
        }
        for (; i < to; i++) sum += Unsafe.Add(ref start, i);
        return sum;
    }

    /// <summary>The child of an inner node holding the entry <paramref name="rank"/> places below it; the rank becomes the one within that child.</summary>
    private static int ChildAt(Inner node, ref long rank)
    {
        ReadOnlySpan<int> sizes = node.Sizes;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Whole blocks first, then one by one.
            for (; i + Vector256<int>.Count <= node.Count; i += Vector256<int>.Count)
            {
                int block = Vector256.Sum(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(sizes), (nuint)i));
                if (rank < block) break;
                rank -= block;
            }
        }
        while (rank >= sizes[i]) rank -= sizes[i++];
        return i;
    }

    /// <summary>The 0-based rank of a key that is in the tree (fastest with the member array the tree holds).</summary>
    public long Rank(double score, byte[] member)
    {
        var node = _root;
        long rank = 0;
        for (int h = _height; h > 0; h--)
        {
            var inner = (Inner)node;
            int i = ChildFor(inner, score, member);
            rank += Sum(inner.Sizes, 0, i);
            node = inner.Children[i];
        }
        return rank + IndexOf((Leaf)node, score, member);
    }

    /// <summary>
    /// Starts loading the leaf where (score, member) belongs without waiting for it, so that a caller about to look the
    /// member up in the member table (another cache miss) has both misses in flight at once (ZADD: about one miss
    /// less at 1M members). Small trees are in cache anyway and skip it.
    /// </summary>
    public void Warm(double score, byte[] member)
    {
        if (_height < 2) return;
        var node = _root;
        for (int h = _height; h > 0; h--)
        {
            var inner = (Inner)node;
            node = inner.Children[ChildFor(inner, score, member)];
        }
        var leaf = (Leaf)node;
        // Nothing waits for this value; storing it keeps the JIT from dropping the loads.
        _warmed = leaf.Count;
    }

    /// <summary>The leaf holding the entry at a 0-based rank (which must be below Count) and its index there.</summary>
    private (Leaf Leaf, int Index) Find(long rank)
    {
        var node = _root;
        for (int h = _height; h > 0; h--)
        {
            var inner = (Inner)node;
            node = inner.Children[ChildAt(inner, ref rank)];
        }
        return ((Leaf)node, (int)rank);
    }

    /// <summary>The entry at a 0-based rank below Count.</summary>
    public ZEntry At(long rank)
    {
        var (leaf, i) = Find(rank);
        return leaf.Entry(i);
    }

    /// <summary>
    /// How many entries satisfy <paramref name="below"/>, a test true for a prefix of the order (such as "score below
    /// the minimum"): the rank of the first entry that does not.
    /// </summary>
    public long CountWhile<T>(T below) where T : struct, IKeyTest
    {
        var node = _root;
        long rank = 0;
        for (int h = _height; h > 0; h--)
        {
            var inner = (Inner)node;
            // Every key of the children left of a separator that passes the test passes it too. Binary searches:
            // a lex test reads member bytes.
            int lo = 1, hi = inner.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (below.Holds(inner.Scores[mid], inner.Members[mid])) lo = mid + 1; else hi = mid;
            }
            rank += Sum(inner.Sizes, 0, lo - 1);
            node = inner.Children[lo - 1];
        }
        var leaf = (Leaf)node;
        Span<double> scores = leaf.Scores;
        Span<byte[]> members = leaf.Members;
        int first = 0, last = leaf.Count;
        while (first < last)
        {
            int mid = (first + last) >>> 1;
            if (below.Holds(scores[mid], members[mid])) first = mid + 1; else last = mid;
        }
        return rank + first;
    }

    // ---- walking ----

    /// <summary>Entries from a 0-based rank on, upwards or (<paramref name="reverse"/>) downwards, while they last.</summary>
    public IEnumerable<ZEntry> From(long rank, bool reverse)
    {
        if (rank < 0 || rank >= Count) yield break;
        var (leaf, i) = Find(rank);
        for (Leaf? l = leaf; l is not null; l = reverse ? l.Prev : l.Next, i = reverse ? (l?.Count ?? 0) - 1 : 0)
        {
            if (reverse) for (; i >= 0; i--) yield return l.Entry(i);
            else for (; i < l.Count; i++) yield return l.Entry(i);
        }
    }

    /// <summary>Adds the entries at ranks start..end (inclusive, in range), lowest first or (<paramref name="reverse"/>) highest first.</summary>
    public void CopyRange(long start, long end, bool reverse, List<ZEntry> into)
    {
        long n = end - start + 1;
        if (n <= 0) return;
        var (leaf, i) = Find(reverse ? Count - 1 - start : start);
        while (true)
        {
            if (reverse)
                for (; i >= 0; i--) { into.Add(leaf.Entry(i)); if (--n == 0) return; }
            else
                for (; i < leaf.Count; i++) { into.Add(leaf.Entry(i)); if (--n == 0) return; }
            leaf = (reverse ? leaf.Prev : leaf.Next)!;
            i = reverse ? leaf.Count - 1 : 0;
        }
    }

    public Enumerator GetEnumerator() => new(_head);
    IEnumerator<ZEntry> IEnumerable<ZEntry>.GetEnumerator() => GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>All entries, lowest first.</summary>
    public struct Enumerator : IEnumerator<ZEntry>
    {
        private Leaf? _leaf;
        private int _i;

        internal Enumerator(object head)
        {
            _leaf = (Leaf)head;
            _i = -1;
        }

        public bool MoveNext()
        {
            while (_leaf is not null)
            {
                if (++_i < _leaf.Count) return true;
                _leaf = _leaf.Next;
                _i = -1;
            }
            return false;
        }

        public readonly ZEntry Current => _leaf!.Entry(_i);
        readonly object IEnumerator.Current => Current;
        public void Reset() => throw new NotSupportedException();
        public readonly void Dispose() { }
    }

    // ---- inserting ----

    /// <summary>Adds a key that is not in the tree.</summary>
    public void Insert(double score, byte[] member)
    {
        if (_root is SmallLeaf { Count: var n } small && n == _capacity)
        {
            // The small set's leaf is full: the tree is about to grow, into big leaves.
            var big = new BigLeaf();
            Copy(small.Scores, 0, big.Scores, 0, n);
            Copy(small.Members, 0, big.Members, 0, n);
            big.Count = n;
            _root = _head = _tail = big;
        }
        var split = Insert(_root, _height, true, score, member, out double sepScore, out var sepMember, out int splitSize);
        if (split is not null)
        {
            var root = new Inner();
            root.Children[0] = _root;
            root.Sizes[0] = Count + 1 - splitSize;
            root.Children[1] = split;
            root.Sizes[1] = splitSize;
            root.Scores[1] = sepScore;
            root.Members[1] = sepMember;
            root.Count = 2;
            _root = root;
            _height++;
        }
        Count++;
    }

    /// <summary>Inserts below <paramref name="node"/>; returns the new right sibling when the node split.</summary>
    private Node? Insert(Node node, int height, bool rightEdge, double score, byte[] member,
        out double sepScore, out byte[] sepMember, out int splitSize)
    {
        if (height == 0) return InsertIntoLeaf((Leaf)node, rightEdge, score, member, out sepScore, out sepMember, out splitSize);
        var inner = (Inner)node;
        int i = ChildFor(inner, score, member);
        inner.Sizes[i]++;
        var split = Insert(inner.Children[i], height - 1, rightEdge && i == inner.Count - 1, score, member,
            out sepScore, out sepMember, out splitSize);
        if (split is null) return null;
        inner.Sizes[i] -= splitSize;
        return InsertChild(inner, i + 1, split, splitSize, rightEdge, ref sepScore, ref sepMember, out splitSize);
    }

    private Leaf? InsertIntoLeaf(Leaf leaf, bool rightEdge, double score, byte[] member,
        out double sepScore, out byte[] sepMember, out int splitSize)
    {
        int at = LowerBound(leaf, score, member);
        if (leaf.Count < _capacity)
        {
            if (leaf is SmallLeaf small && small.Count == small.ScoreArray.Length)
            {
                int size = Math.Min(_capacity, small.Count * 2);
                Array.Resize(ref small.ScoreArray, size);
                Array.Resize(ref small.MemberArray, size);
            }
            InsertAt(leaf, at, score, member);
            sepScore = 0; sepMember = null!; splitSize = 0;
            return null;
        }
        var right = new BigLeaf();
        if (rightEdge && at == leaf.Count)
        {
            // Appending at the end: start a new leaf, leaving this one full.
            InsertAt(right, 0, score, member);
        }
        else
        {
            int half = leaf.Count / 2;
            Move(leaf, half, right, 0, leaf.Count - half);
            if (at <= half) InsertAt(leaf, at, score, member);
            else InsertAt(right, at - half, score, member);
        }
        right.Next = leaf.Next;
        right.Prev = leaf;
        if (leaf.Next is { } next) next.Prev = right; else _tail = right;
        leaf.Next = right;
        sepScore = right.Scores[0];
        sepMember = right.Members[0];
        splitSize = right.Count;
        return right;
    }

    private static void InsertAt(Leaf leaf, int at, double score, byte[] member)
    {
        int tail = leaf.Count - at;
        if (tail > 0)
        {
            Copy(leaf.Scores, at, leaf.Scores, at + 1, tail);
            Copy(leaf.Members, at, leaf.Members, at + 1, tail);
        }
        leaf.Scores[at] = score;
        leaf.Members[at] = member;
        leaf.Count++;
    }

    /// <summary>Moves n entries from one leaf (from index <paramref name="from"/>, which must be its tail) to another's index <paramref name="to"/> (its end).</summary>
    private static void Move(Leaf source, int from, Leaf target, int to, int n)
    {
        Copy(source.Scores, from, target.Scores, to, n);
        Copy(source.Members, from, target.Members, to, n);
        Clear(source.Members, from, n);
        source.Count -= n;
        target.Count += n;
    }

    /// <summary>Puts a new child (with its separator) at index <paramref name="at"/>; splits the node when it is full.</summary>
    private Inner? InsertChild(Inner node, int at, Node child, int childSize, bool rightEdge,
        ref double sepScore, ref byte[] sepMember, out int splitSize)
    {
        if (node.Count < _capacity)
        {
            InsertChildAt(node, at, child, childSize, sepScore, sepMember);
            splitSize = 0;
            return null;
        }
        var right = new Inner();
        if (rightEdge && at == node.Count)
        {
            // Appending: the new node takes the last child and the new one (inner nodes keep at least two).
            MoveChildren(node, node.Count - 1, right, 0, 1);
            InsertChildAt(right, 1, child, childSize, sepScore, sepMember);
        }
        else
        {
            int half = node.Count / 2;
            MoveChildren(node, half, right, 0, node.Count - half);
            if (at <= half) InsertChildAt(node, at, child, childSize, sepScore, sepMember);
            else InsertChildAt(right, at - half, child, childSize, sepScore, sepMember);
        }
        sepScore = right.Scores[0];
        sepMember = right.Members[0];
        right.Members[0] = null!;
        splitSize = Sum(right.Sizes, 0, right.Count);
        return right;
    }

    private static void InsertChildAt(Inner node, int at, Node child, int size, double sepScore, byte[] sepMember)
    {
        int tail = node.Count - at;
        if (tail > 0)
        {
            Copy(node.Children, at, node.Children, at + 1, tail);
            Copy(node.Sizes, at, node.Sizes, at + 1, tail);
            Copy(node.Scores, at, node.Scores, at + 1, tail);
            Copy(node.Members, at, node.Members, at + 1, tail);
        }
        node.Children[at] = child;
        node.Sizes[at] = size;
        node.Scores[at] = sepScore;
        node.Members[at] = sepMember;
        node.Count++;
    }

    /// <summary>Moves n children with their separators from the tail of one inner node to the end of another.</summary>
    private static void MoveChildren(Inner source, int from, Inner target, int to, int n)
    {
        Copy(source.Children, from, target.Children, to, n);
        Copy(source.Sizes, from, target.Sizes, to, n);
        Copy(source.Scores, from, target.Scores, to, n);
        Copy(source.Members, from, target.Members, to, n);
        Clear(source.Children, from, n);
        Clear(source.Members, from, n);
        source.Count -= n;
        target.Count += n;
    }

    // ---- deleting ----

    /// <summary>Removes a key that is in the tree.</summary>
    public void Delete(double score, byte[] member)
    {
        Delete(_root, _height, score, member);
        Count--;
        if (_height > 0 && _root.Count == 1)
        {
            _root = ((Inner)_root).Children[0];
            _height--;
        }
    }

    private void Delete(Node node, int height, double score, byte[] member)
    {
        if (height == 0)
        {
            var leaf = (Leaf)node;
            RemoveAt(leaf, IndexOf(leaf, score, member));
            return;
        }
        var inner = (Inner)node;
        int i = ChildFor(inner, score, member);
        var child = inner.Children[i];
        Delete(child, height - 1, score, member);
        inner.Sizes[i]--;
        if (child.Count < _min) Rebalance(inner, i, height - 1);
    }

    private static void RemoveAt(Leaf leaf, int at)
    {
        int tail = leaf.Count - at - 1;
        if (tail > 0)
        {
            Copy(leaf.Scores, at + 1, leaf.Scores, at, tail);
            Copy(leaf.Members, at + 1, leaf.Members, at, tail);
        }
        leaf.Members[--leaf.Count] = null!;
    }

    /// <summary>
    /// Child i of <paramref name="parent"/> has fallen below the minimum: it is merged with a neighbour when both fit in
    /// one node, else the two share their entries evenly.
    /// </summary>
    private void Rebalance(Inner parent, int i, int childHeight)
    {
        int l = i > 0 ? i - 1 : i, r = l + 1;
        if (r >= parent.Count) return; // a lone child: the parent itself is about to be merged or collapsed
        var left = parent.Children[l];
        var right = parent.Children[r];
        int total = left.Count + right.Count;
        if (childHeight == 0)
        {
            Leaf a = (Leaf)left, b = (Leaf)right;
            if (total <= _capacity)
            {
                Append(b, a, b.Count);
                a.Next = b.Next;
                if (b.Next is { } next) next.Prev = a; else _tail = a;
                RemoveChild(parent, r);
                return;
            }
            int keep = total / 2;
            if (a.Count < keep) Append(b, a, keep - a.Count);
            else Prepend(a, b, a.Count - keep);
            parent.Scores[r] = b.Scores[0];
            parent.Members[r] = b.Members[0];
            parent.Sizes[l] = a.Count;
            parent.Sizes[r] = b.Count;
        }
        else
        {
            Inner a = (Inner)left, b = (Inner)right;
            // b's first child takes the parent's separator, which bounds it from below.
            b.Scores[0] = parent.Scores[r];
            b.Members[0] = parent.Members[r];
            if (total <= _capacity)
            {
                AppendChildren(b, a, b.Count);
                RemoveChild(parent, r);
                return;
            }
            int keep = total / 2;
            if (a.Count < keep) AppendChildren(b, a, keep - a.Count);
            else PrependChildren(a, b, a.Count - keep);
            parent.Scores[r] = b.Scores[0];
            parent.Members[r] = b.Members[0];
            b.Members[0] = null!;
            parent.Sizes[l] = Sum(a.Sizes, 0, a.Count);
            parent.Sizes[r] = Sum(b.Sizes, 0, b.Count);
        }
    }

    /// <summary>Moves the first n entries of <paramref name="source"/> to the end of <paramref name="target"/>.</summary>
    private static void Append(Leaf source, Leaf target, int n)
    {
        Copy(source.Scores, 0, target.Scores, target.Count, n);
        Copy(source.Members, 0, target.Members, target.Count, n);
        target.Count += n;
        int rest = source.Count - n;
        Copy(source.Scores, n, source.Scores, 0, rest);
        Copy(source.Members, n, source.Members, 0, rest);
        Clear(source.Members, rest, n);
        source.Count = rest;
    }

    /// <summary>Moves the last n entries of <paramref name="source"/> to the front of <paramref name="target"/>.</summary>
    private static void Prepend(Leaf source, Leaf target, int n)
    {
        Copy(target.Scores, 0, target.Scores, n, target.Count);
        Copy(target.Members, 0, target.Members, n, target.Count);
        Copy(source.Scores, source.Count - n, target.Scores, 0, n);
        Copy(source.Members, source.Count - n, target.Members, 0, n);
        target.Count += n;
        source.Count -= n;
        Clear(source.Members, source.Count, n);
    }

    private static void AppendChildren(Inner source, Inner target, int n)
    {
        Copy(source.Children, 0, target.Children, target.Count, n);
        Copy(source.Sizes, 0, target.Sizes, target.Count, n);
        Copy(source.Scores, 0, target.Scores, target.Count, n);
        Copy(source.Members, 0, target.Members, target.Count, n);
        target.Count += n;
        int rest = source.Count - n;
        Copy(source.Children, n, source.Children, 0, rest);
        Copy(source.Sizes, n, source.Sizes, 0, rest);
        Copy(source.Scores, n, source.Scores, 0, rest);
        Copy(source.Members, n, source.Members, 0, rest);
        Clear(source.Children, rest, n);
        Clear(source.Members, rest, n);
        source.Count = rest;
    }

    private static void PrependChildren(Inner source, Inner target, int n)
    {
        Copy(target.Children, 0, target.Children, n, target.Count);
        Copy(target.Sizes, 0, target.Sizes, n, target.Count);
        Copy(target.Scores, 0, target.Scores, n, target.Count);
        Copy(target.Members, 0, target.Members, n, target.Count);
        int from = source.Count - n;
        Copy(source.Children, from, target.Children, 0, n);
        Copy(source.Sizes, from, target.Sizes, 0, n);
        Copy(source.Scores, from, target.Scores, 0, n);
        Copy(source.Members, from, target.Members, 0, n);
        target.Count += n;
        Clear(source.Children, from, n);
        Clear(source.Members, from, n);
        source.Count = from;
    }

    /// <summary>Removes child r (merged into its left neighbour, whose size takes r's).</summary>
    private static void RemoveChild(Inner parent, int r)
    {
        parent.Sizes[r - 1] += parent.Sizes[r];
        int tail = parent.Count - r - 1;
        Copy(parent.Children, r + 1, parent.Children, r, tail);
        Copy(parent.Sizes, r + 1, parent.Sizes, r, tail);
        Copy(parent.Scores, r + 1, parent.Scores, r, tail);
        Copy(parent.Members, r + 1, parent.Members, r, tail);
        parent.Count--;
        parent.Children[parent.Count] = null!;
        parent.Members[parent.Count] = null!;
    }

    // ---- moving ----

    /// <summary>
    /// Gives a key a new score. When the key keeps its place among its leaf's neighbours (a small ZINCRBY) the leaf is
    /// updated in place, else the key is deleted and inserted again.
    /// </summary>
    public void UpdateScore(double score, byte[] member, double newScore)
    {
        var node = _root;
        for (int h = _height; h > 0; h--)
        {
            var inner = (Inner)node;
            node = inner.Children[ChildFor(inner, score, member)];
        }
        var leaf = (Leaf)node;
        int at = IndexOf(leaf, score, member);
        member = leaf.Members[at];
        // The new key must stay inside this leaf's bounds: strictly between two of its other entries, or moving the
        // first entry up or the last one down (the leaf's separators bound its old key, so they bound the new one).
        int to = LowerBound(leaf, newScore, member); // where it would go, counting itself
        if (to > at) to--; // the entries between move down a slot
        bool hasBelow = to > 0 || at == 0 && newScore >= score;
        bool hasAbove = to < leaf.Count - 1 || at == leaf.Count - 1 && newScore <= score;
        if (leaf.Count > 1 && hasBelow && hasAbove)
        {
            if (to > at)
            {
                Copy(leaf.Scores, at + 1, leaf.Scores, at, to - at);
                Copy(leaf.Members, at + 1, leaf.Members, at, to - at);
            }
            else if (to < at)
            {
                Copy(leaf.Scores, to, leaf.Scores, to + 1, at - to);
                Copy(leaf.Members, to, leaf.Members, to + 1, at - to);
            }
            leaf.Scores[to] = newScore;
            leaf.Members[to] = member;
            return;
        }
        Delete(score, member);
        Insert(newScore, member);
    }

    // ---- checking ----

    /// <summary>Checks the invariants (for tests): order, sizes, separators, fill, links.</summary>
    public void Validate()
    {
        var leaves = new List<Leaf>();
        int total = Check(_root, _height, true, true, null, null, leaves);
        if (total != Count) throw new InvalidOperationException($"count {Count}, tree holds {total}");
        if (leaves[0] != _head || leaves[^1] != _tail || _head.Prev is not null || _tail.Next is not null)
            throw new InvalidOperationException("ends");
        for (int i = 1; i < leaves.Count; i++)
            if (leaves[i - 1].Next != leaves[i] || leaves[i].Prev != leaves[i - 1]) throw new InvalidOperationException("links");
        ZEntry? previous = null;
        foreach (var e in this)
        {
            if (previous is { } p && !Less(p.Score, p.Member, e.Score, e.Member)) throw new InvalidOperationException("order");
            previous = e;
        }
    }

    private static bool Less(double s1, byte[] m1, double s2, byte[] m2) =>
        s1 < s2 || s1 == s2 && m1.AsSpan().SequenceCompareTo(m2) < 0;

    /// <summary>Checks a subtree whose keys lie in [low, high); returns its size.</summary>
    private int Check(Node node, int height, bool root, bool rightEdge, ZEntry? low, ZEntry? high, List<Leaf> leaves)
    {
        int min = root ? (height == 0 ? 0 : 2) : rightEdge ? (height == 0 ? 1 : 2) : _min;
        if (node.Count < min || node.Count > _capacity) throw new InvalidOperationException($"fill {node.Count} at height {height}");
        if (height == 0)
        {
            var leaf = (Leaf)node;
            for (int i = 0; i < leaf.Count; i++)
            {
                if (low is { } lo && Less(leaf.Scores[i], leaf.Members[i], lo.Score, lo.Member) ||
                    high is { } hi && !Less(leaf.Scores[i], leaf.Members[i], hi.Score, hi.Member))
                    throw new InvalidOperationException("separator");
            }
            for (int i = leaf.Count; i < leaf.Members.Length; i++)
                if (leaf.Members[i] is not null) throw new InvalidOperationException("stale member");
            leaves.Add(leaf);
            return leaf.Count;
        }
        var inner = (Inner)node;
        int sum = 0;
        for (int i = 0; i < inner.Count; i++)
        {
            var from = i == 0 ? low : new ZEntry(inner.Members[i], inner.Scores[i]);
            var to = i == inner.Count - 1 ? high : new ZEntry(inner.Members[i + 1], inner.Scores[i + 1]);
            int size = Check(inner.Children[i], height - 1, false, rightEdge && i == inner.Count - 1, from, to, leaves);
            if (size != inner.Sizes[i]) throw new InvalidOperationException("size");
            sum += size;
        }
        for (int i = inner.Count; i < MaxCapacity; i++)
            if (inner.Children[i] is not null) throw new InvalidOperationException("stale child");
        return sum;
    }
}

/// <summary>A test on keys that holds for a prefix of the sorted order (see <see cref="ScoreTree.CountWhile{T}"/>).</summary>
internal interface IKeyTest
{
    bool Holds(double score, byte[] member);
}
