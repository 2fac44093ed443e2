namespace Orleans.Cache.Core;

/// <summary>
/// A list (Redis's t_list.c) on a ring buffer: O(1) push and pop at both ends and O(1) access by index;
/// inserts and removals in the middle move the shorter side.
/// </summary>
internal sealed class RedisList : IRedisValue, IEnumerable<byte[]>
{
    private byte[][] _items;
    private int _head;

    public RedisList(int capacity = 4) => _items = new byte[Math.Max(capacity, 4)][];

    public string TypeName => "list";

    /// <inheritdoc/>
    public long Charged { get; set; }
    public int Count { get; private set; }

    public IRedisValue Clone()
    {
        var copy = new RedisList(Count);
        foreach (var item in this) copy.PushBack(item);
        return copy;
    }

    public static RedisList? Get(Keyspace db, byte[] key) => db.Get<RedisList>(key);

    public static RedisList GetOrCreate(Keyspace db, byte[] key)
    {
        var list = db.Get<RedisList>(key);
        if (list is null) db.Set(key, list = new RedisList());
        return list;
    }

    public static void DeleteIfEmpty(Keyspace db, byte[] key, RedisList list)
    {
        if (list.Count == 0 && db.Delete(key)) db.Notify(KeyspaceEventFlags.Generic, "del", key);
    }

    private int Slot(int index)
    {
        int slot = _head + index;
        return slot >= _items.Length ? slot - _items.Length : slot;
    }

    public byte[] this[int index]
    {
        get => (uint)index < (uint)Count ? _items[Slot(index)] : throw new ArgumentOutOfRangeException(nameof(index));
        set => _items[(uint)index < (uint)Count ? Slot(index) : throw new ArgumentOutOfRangeException(nameof(index))] = value;
    }

    private void Grow()
    {
        if (Count < _items.Length) return;
        var bigger = new byte[_items.Length * 2][];
        for (int i = 0; i < Count; i++) bigger[i] = _items[Slot(i)];
        _items = bigger;
        _head = 0;
    }

    public void PushFront(byte[] value)
    {
        Grow();
        _head = _head == 0 ? _items.Length - 1 : _head - 1;
        _items[_head] = value;
        Count++;
    }

    public void PushBack(byte[] value)
    {
        Grow();
        _items[Slot(Count)] = value;
        Count++;
    }

    public byte[] PopFront()
    {
        if (Count == 0) throw new InvalidOperationException("empty list");
        var value = _items[_head];
        _items[_head] = null!;
        _head = Slot(1);
        Count--;
        return value;
    }

    public byte[] PopBack()
    {
        if (Count == 0) throw new InvalidOperationException("empty list");
        int slot = Slot(Count - 1);
        var value = _items[slot];
        _items[slot] = null!;
        Count--;
        return value;
    }

    public byte[] Pop(bool front) => front ? PopFront() : PopBack();

    public void Push(byte[] value, bool front)
    {
        if (front) PushFront(value); else PushBack(value);
    }

    /// <summary>Inserts so that the value ends up at <paramref name="index"/> (0..Count).</summary>
    public void Insert(int index, byte[] value)
    {
        if (index < Count / 2)
        {
            PushFront(value);
            for (int i = 0; i < index; i++) this[i] = this[i + 1];
        }
        else
        {
            PushBack(value);
            for (int i = Count - 1; i > index; i--) this[i] = this[i - 1];
        }
        this[index] = value;
    }

    public void RemoveAt(int index)
    {
        if (index < Count / 2)
        {
            for (int i = index; i > 0; i--) this[i] = this[i - 1];
            PopFront();
        }
        else
        {
            for (int i = index; i < Count - 1; i++) this[i] = this[i + 1];
            PopBack();
        }
    }

    /// <summary>
    /// Removes up to <paramref name="limit"/> elements equal to <paramref name="value"/>, scanning from the head (or
    /// from the tail when <paramref name="fromTail"/>), in one compaction pass: O(N) however many match (LREM).
    /// </summary>
    public long RemoveAll(ReadOnlySpan<byte> value, long limit, bool fromTail)
    {
        long removed = 0;
        if (!fromTail)
        {
            int to = 0;
            for (int from = 0; from < Count; from++)
            {
                var item = _items[Slot(from)];
                if (removed < limit && item.AsSpan().SequenceEqual(value)) { removed++; continue; }
                if (to != from) _items[Slot(to)] = item;
                to++;
            }
            for (int i = to; i < Count; i++) _items[Slot(i)] = null!;
            Count = to;
        }
        else
        {
            int to = Count - 1;
            for (int from = Count - 1; from >= 0; from--)
            {
                var item = _items[Slot(from)];
                if (removed < limit && item.AsSpan().SequenceEqual(value)) { removed++; continue; }
                if (to != from) _items[Slot(to)] = item;
                to--;
            }
            // The kept elements are now at indexes to+1..Count-1: the head moves past the emptied front.
            for (int i = 0; i <= to; i++) _items[Slot(i)] = null!;
            _head = Slot(to + 1);
            Count -= to + 1;
        }
        return removed;
    }

    /// <summary>Keeps only indexes start..end (inclusive, within bounds); an empty range empties the list.</summary>
    public void Trim(int start, int end)
    {
        if (start > end) { while (Count > 0) PopBack(); return; }
        while (Count > end + 1) PopBack();
        for (int i = 0; i < start; i++) PopFront();
    }

    public IEnumerator<byte[]> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return _items[Slot(i)];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
