namespace Orleans.Cache.Core;

/// <summary>
/// A byte-string-keyed table for the aggregate types (Redis's dict): O(1) lookup, insert and delete, O(1) random
/// picks (HRANDFIELD, SRANDMEMBER, SPOP) and a slot cursor for HSCAN/SSCAN/ZSCAN. Entries live in slots in
/// insertion order; a delete leaves a hole, and holes are squeezed out (order kept) once they outnumber the
/// live entries, so random picks need two tries on average. A scan cursor is a slot number tagged with the
/// compaction count: a cursor from before a compaction restarts the walk, so a scan may repeat entries but never
/// misses one present throughout it (the SCAN guarantee).
/// </summary>
public sealed class Dict<TValue> : IEnumerable<KeyValuePair<byte[], TValue>>
{
    private readonly Dictionary<byte[], int> _slots;
    private byte[]?[] _keys;
    private TValue[] _values;
    private int _used;
    private int _compactions;
    private const int SlotBits = 40;
    private const ulong SlotMask = (1UL << SlotBits) - 1;

    public Dict(int capacity = 0)
    {
        _slots = new Dictionary<byte[], int>(capacity, BytesComparer.Instance);
        _keys = capacity == 0 ? [] : new byte[]?[capacity];
        _values = capacity == 0 ? [] : new TValue[capacity];
    }

    public int Count => _slots.Count;

    public bool ContainsKey(byte[] key) => _slots.ContainsKey(key);

    public bool TryGetValue(byte[] key, out TValue value)
    {
        if (_slots.TryGetValue(key, out int slot)) { value = _values[slot]; return true; }
        value = default!;
        return false;
    }

    /// <summary>Adds or replaces; true when <paramref name="key"/> was new.</summary>
    public bool Set(byte[] key, TValue value)
    {
        if (_slots.TryGetValue(key, out int slot)) { _values[slot] = value; return false; }
        if (_used == _keys.Length)
        {
            int size = Math.Max(4, _keys.Length * 2);
            Array.Resize(ref _keys, size);
            Array.Resize(ref _values, size);
        }
        _keys[_used] = key;
        _values[_used] = value;
        _slots.Add(key, _used++);
        return true;
    }

    public bool Remove(byte[] key)
    {
        if (!_slots.Remove(key, out int slot)) return false;
        _keys[slot] = null;
        _values[slot] = default!;
        if (slot == _used - 1) while (_used > 0 && _keys[_used - 1] is null) _used--;
        if (_used > 16 && Count < _used / 2) Compact();
        return true;
    }

    private void Compact()
    {
        int to = 0;
        for (int from = 0; from < _used; from++)
        {
            if (_keys[from] is not { } key) continue;
            _keys[to] = key;
            _values[to] = _values[from];
            _slots[key] = to++;
        }
        Array.Clear(_keys, to, _used - to);
        Array.Clear(_values, to, _used - to);
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
            if (_keys[slot] is { } key) return new(key, _values[slot]);
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
            if (_keys[slot] is not { } key) continue;
            into.Add(new(key, _values[slot]));
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
            if (_keys[slot] is { } key) yield return new(key, _values[slot]);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
