using System.Runtime.CompilerServices;

namespace Orleans.Cache.Core;

/// <summary>
/// A byte-string-keyed table for the aggregate types (Redis's dict): O(1) lookup, insert and delete, O(1) random
/// picks (HRANDFIELD, SRANDMEMBER, SPOP) and a slot cursor for HSCAN/SSCAN/ZSCAN. Entries are numbered by slot in
/// insertion order; a delete leaves a hole, and holes are squeezed out (order kept) once they outnumber the
/// live entries, so random picks need two tries on average. A scan cursor is a slot number tagged with the
/// compaction count: a cursor from before a compaction restarts the walk, so a scan may repeat entries but never
/// misses one present throughout it (the SCAN guarantee).
/// </summary>
/// <remarks>
/// Lookups go to an open-addressing table (linear probing) whose entries hold the key, the value, the key's hash and
/// its slot inline, so finding a key in a large table costs one cache miss plus reading the key's bytes. The slot
/// array maps slot numbers to table positions; deletes shift later entries of a probe run back (no tombstones).
/// </remarks>
internal sealed class Dict<TValue> : IEnumerable<KeyValuePair<byte[], TValue>>
{
    private struct Entry
    {
        public byte[]? Key;
        public TValue Value;
        public int Hash;
        public int Slot;
    }

    // Never written: an empty dict probes it and finds nothing; the first insert allocates a real table.
    private static readonly Entry[] s_empty = new Entry[1];

    private Entry[] _table;
    // Slot → position in _table, -1 for a hole; slots [0, _used) are in use.
    private int[] _slots;
    private int _used;
    private int _compactions;
    private const int SlotBits = 40;
    private const ulong SlotMask = (1UL << SlotBits) - 1;
    private const int MinTable = 8;

    public Dict(int capacity = 0)
    {
        _table = capacity == 0 ? s_empty : new Entry[TableSizeFor(capacity)];
        _slots = capacity == 0 ? [] : new int[capacity];
    }

    public int Count { get; private set; }

    /// <summary>A power of two with room for <paramref name="count"/> entries at a load of at most 3/4.</summary>
    private static int TableSizeFor(int count)
    {
        int size = MinTable;
        while (size / 4 * 3 < count) size *= 2;
        return size;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HashOf(byte[] key) => BytesComparer.Hash(key);

    /// <summary>The table position of <paramref name="key"/>, or -1.</summary>
    private int Find(byte[] key, int hash)
    {
        var table = _table;
        int mask = table.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            ref var e = ref table[i];
            if (e.Key is null) return -1;
            if (e.Hash == hash && (ReferenceEquals(e.Key, key) || e.Key.AsSpan().SequenceEqual(key))) return i;
        }
    }

    public bool ContainsKey(byte[] key) => Find(key, HashOf(key)) >= 0;

    public bool TryGetValue(byte[] key, out TValue value)
    {
        int i = Find(key, HashOf(key));
        if (i >= 0) { value = _table[i].Value; return true; }
        value = default!;
        return false;
    }

    /// <summary>Like TryGetValue, also giving the key as stored (the array first added, which may differ from <paramref name="key"/>).</summary>
    public bool TryGetValue(byte[] key, out TValue value, out byte[] storedKey)
    {
        int i = Find(key, HashOf(key));
        if (i >= 0)
        {
            ref var e = ref _table[i];
            value = e.Value;
            storedKey = e.Key!;
            return true;
        }
        value = default!;
        storedKey = null!;
        return false;
    }

    /// <summary>Adds or replaces; true when <paramref name="key"/> was new.</summary>
    public bool Set(byte[] key, TValue value)
    {
        int hash = HashOf(key);
        int i = Find(key, hash);
        if (i >= 0) { _table[i].Value = value; return false; }
        if ((Count + 1) > _table.Length / 4 * 3) Rehash(TableSizeFor(Count + 1));
        if (_used == _slots.Length) Array.Resize(ref _slots, Math.Max(4, _slots.Length * 2));
        int mask = _table.Length - 1;
        i = hash & mask;
        while (_table[i].Key is not null) i = (i + 1) & mask;
        _table[i] = new Entry { Key = key, Value = value, Hash = hash, Slot = _used };
        _slots[_used++] = i;
        Count++;
        return true;
    }

    public bool Remove(byte[] key)
    {
        int i = Find(key, HashOf(key));
        if (i < 0) return false;
        int slot = _table[i].Slot;
        _slots[slot] = -1;
        // Backward-shift deletion: later entries of the probe run whose home is not between the hole and them move in.
        var table = _table;
        int mask = table.Length - 1;
        for (int j = (i + 1) & mask; table[j].Key is not null; j = (j + 1) & mask)
        {
            int home = table[j].Hash & mask;
            bool stays = i <= j ? home > i && home <= j : home > i || home <= j;
            if (stays) continue;
            table[i] = table[j];
            _slots[table[i].Slot] = i;
            i = j;
        }
        table[i] = default;
        Count--;
        if (slot == _used - 1) while (_used > 0 && _slots[_used - 1] < 0) _used--;
        if (_used > 16 && Count < _used / 2) Compact();
        if (_table.Length > MinTable && Count < _table.Length / 8) Rehash(TableSizeFor(Count * 2));
        return true;
    }

    /// <summary>Moves every entry to a table of <paramref name="size"/>; slots are unchanged.</summary>
    private void Rehash(int size)
    {
        var old = _table;
        var table = new Entry[size];
        int mask = size - 1;
        foreach (ref var e in old.AsSpan())
        {
            if (e.Key is null) continue;
            int i = e.Hash & mask;
            while (table[i].Key is not null) i = (i + 1) & mask;
            table[i] = e;
            _slots[e.Slot] = i;
        }
        _table = table;
    }

    private void Compact()
    {
        int to = 0;
        for (int from = 0; from < _used; from++)
        {
            int at = _slots[from];
            if (at < 0) continue;
            _slots[to] = at;
            _table[at].Slot = to++;
        }
        _used = to;
        _compactions++;
    }

    /// <summary>A uniformly random entry; the table must not be empty.</summary>
    public KeyValuePair<byte[], TValue> Random(Random random)
    {
        if (Count == 0) throw new InvalidOperationException("empty");
        while (true)
        {
            int slot = random.Next(_used);
            if (_slots[slot] is var at and >= 0) return new(_table[at].Key!, _table[at].Value);
        }
    }

    /// <summary>
    /// One step of a scan from <paramref name="cursor"/>: adds about <paramref name="count"/> entries and returns the
    /// next cursor (0 when done). Tables of at most <paramref name="smallSize"/> entries are returned whole in one
    /// step, as Redis does for its compact encodings.
    /// </summary>
    public ulong Scan(ulong cursor, int count, int smallSize, List<KeyValuePair<byte[], TValue>> into)
    {
        if (cursor == 0 && Count <= smallSize) count = int.MaxValue;
        ulong generation = (ulong)(_compactions & 0xFFFFFF);
        ulong slot = cursor >> SlotBits == generation ? cursor & SlotMask : 0; // entries moved since: start over
        for (int added = 0; slot < (ulong)_used && added < count; slot++)
        {
            if (_slots[slot] is not (var at and >= 0)) continue;
            into.Add(new(_table[at].Key!, _table[at].Value));
            added++;
        }
        return slot >= (ulong)_used ? 0 : generation << SlotBits | slot;
    }

    /// <summary>
    /// <paramref name="count"/> distinct random entries (all of them when count ≥ Count), as HRANDFIELD, SRANDMEMBER and
    /// ZRANDMEMBER with a positive count answer.
    /// </summary>
    public List<KeyValuePair<byte[], TValue>> SampleDistinct(long count, Random random)
    {
        if (count >= Count) return [.. this];
        var result = new List<KeyValuePair<byte[], TValue>>((int)count);
        if (count * 3 > Count)
        {
            // Most of the table is wanted: drop random entries from a copy, keeping the rest in order.
            var all = this.ToList();
            var dropped = new bool[all.Count];
            for (int left = all.Count; left > count; left--)
            {
                int i;
                do i = random.Next(all.Count); while (dropped[i]);
                dropped[i] = true;
            }
            for (int i = 0; i < all.Count; i++) if (!dropped[i]) result.Add(all[i]);
            return result;
        }
        var seen = new HashSet<byte[]>(BytesComparer.Instance);
        while (result.Count < count)
        {
            var pick = Random(random);
            if (seen.Add(pick.Key)) result.Add(pick);
        }
        return result;
    }

    public Dict<TValue> Clone()
    {
        var copy = new Dict<TValue>(Count);
        foreach (var (k, v) in this) copy.Set(k, v);
        return copy;
    }

    public IEnumerator<KeyValuePair<byte[], TValue>> GetEnumerator()
    {
        for (int slot = 0; slot < _used; slot++)
            if (_slots[slot] is var at and >= 0) yield return new(_table[at].Key!, _table[at].Value);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
