using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Orleans.Cache.Core;

/// <summary>
/// A chained hash table of entries with a power-of-two bucket array. It exists (instead of
/// <see cref="Dictionary{TKey,TValue}"/>) for what Redis's dict gives SCAN: a cursor over buckets in
/// reverse-binary order that returns every key present for the whole scan even when the table grows or
/// shrinks between calls, and cheap random sampling for RANDOMKEY and eviction.
/// </summary>
internal sealed class KeyTable
{
    private const int MinBuckets = 16;
    private Entry?[] _buckets = new Entry?[MinBuckets];

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HashOf(ReadOnlySpan<byte> key) => BytesComparer.Hash(key);

    public Entry? Find(ReadOnlySpan<byte> key, int hash)
    {
        for (var e = _buckets[hash & (_buckets.Length - 1)]; e is not null; e = e.Next)
            if (e.Hash == hash && key.SequenceEqual(e.Key)) return e;
        return null;
    }

    /// <summary>Adds an entry whose key is known to be absent.</summary>
    public void Add(Entry entry)
    {
        if (Count >= _buckets.Length) Resize(_buckets.Length * 2);
        ref var head = ref _buckets[entry.Hash & (_buckets.Length - 1)];
        entry.Next = head;
        head = entry;
        entry.Removed = false;
        Count++;
    }

    public void Remove(Entry entry)
    {
        ref var link = ref _buckets[entry.Hash & (_buckets.Length - 1)];
        while (link is not null)
        {
            if (ReferenceEquals(link, entry))
            {
                link = entry.Next;
                entry.Next = null;
                entry.Removed = true;
                Count--;
                if (_buckets.Length > MinBuckets && Count < _buckets.Length / 8) Resize(_buckets.Length / 2);
                return;
            }
            link = ref link.Next;
        }
    }

    public void Clear()
    {
        foreach (var e in Entries()) e.Removed = true;
        _buckets = new Entry?[MinBuckets];
        Count = 0;
    }

    private void Resize(int size)
    {
        var old = _buckets;
        var buckets = new Entry?[size];
        foreach (var head in old)
        {
            for (var e = head; e is not null;)
            {
                var next = e.Next;
                ref var slot = ref buckets[e.Hash & (size - 1)];
                e.Next = slot;
                slot = e;
                e = next;
            }
        }
        _buckets = buckets;
    }

    public IEnumerable<Entry> Entries()
    {
        var buckets = _buckets;
        foreach (var head in buckets)
            for (var e = head; e is not null; e = e.Next)
                yield return e;
    }

    /// <summary>
    /// Visits the bucket at <paramref name="cursor"/> and returns the next cursor (0 when the scan is done),
    /// incrementing the cursor's reversed bits as Redis's dictScan does.
    /// </summary>
    public ulong ScanBucket(ulong cursor, List<Entry> into)
    {
        ulong mask = (ulong)_buckets.Length - 1;
        for (var e = _buckets[(int)(cursor & mask)]; e is not null; e = e.Next) into.Add(e);
        cursor |= ~mask;
        cursor = ReverseBits(cursor);
        cursor++;
        return ReverseBits(cursor);
    }

    private static ulong ReverseBits(ulong v)
    {
        v = ((v >> 1) & 0x5555555555555555UL) | ((v & 0x5555555555555555UL) << 1);
        v = ((v >> 2) & 0x3333333333333333UL) | ((v & 0x3333333333333333UL) << 2);
        v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FUL) | ((v & 0x0F0F0F0F0F0F0F0FUL) << 4);
        return BinaryPrimitives.ReverseEndianness(v);
    }

    /// <summary>A random entry: a random non-empty bucket, then a random element of its chain.</summary>
    public Entry? Random(Random rng)
    {
        if (Count == 0) return null;
        var buckets = _buckets;
        Entry? head;
        do head = buckets[rng.Next(buckets.Length)]; while (head is null);
        int len = 0;
        for (var e = head; e is not null; e = e.Next) len++;
        int pick = rng.Next(len);
        var chosen = head;
        while (pick-- > 0) chosen = chosen!.Next;
        return chosen;
    }

}
