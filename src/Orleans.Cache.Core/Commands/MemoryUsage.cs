namespace Orleans.Cache.Core;

/// <summary>
/// MEMORY USAGE key [SAMPLES count], run in the key's partition: an estimate of the bytes the key holds in this process.
/// The estimate counts what the keyspace allocates for the key on a 64-bit runtime — its entry (56 bytes) and a table slot,
/// the key's byte array, and the value: a string's array (or its growable buffer's capacity); for a hash in its listpack
/// encoding, its object and its one array, exactly; for a hash table, set or sorted set, each element's arrays plus its
/// share of the element table (a hash field or set member 36 bytes, a sorted-set member 52 bytes with its score-tree
/// slot), and a hash table's fixed parts; for a list, each element's array plus its ring-buffer slot. Like Redis,
/// aggregates are sampled: the first <c>count</c> elements (5 by default, 0 for all) are measured and the average is
/// scaled to the element count. Arrays are counted with their 24-byte header and 8-byte padding; the GC's own overhead
/// (fragmentation, free space) is not a key's and is left out (MEMORY STATS shows the process's).
/// </summary>
internal static class MemoryUsage
{
    private const int DefaultSamples = 5;
    /// <summary>An entry object and its table slot.</summary>
    public const long EntryBytes = 56 + 8;
    private const long ObjectHeader = 24;
    private const long TableElementBytes = 36;
    private const long SortedSetElementBytes = 52;
    private const long ListSlotBytes = 8;
    /// <summary>A <see cref="RedisHash"/> object: header, store and deadlines references, charge, listpack length and count.</summary>
    private const long HashObjectBytes = 48;
    /// <summary>A hash table's fixed parts: the <see cref="Dict{TValue}"/> object and its two arrays' headers.</summary>
    private const long HashTableBytes = 48 + 24 + 24;

    public static Reply Usage(Keyspace db, byte[][] a)
    {
        long samples = DefaultSamples;
        for (int j = 3; j < a.Length; j++)
        {
            if (!Args.Is(a[j], "SAMPLES") || j + 1 >= a.Length) return Errors.Syntax;
            if (!Args.TryLong(a[++j], out samples)) return Errors.NotInteger;
            if (samples < 0) return Errors.Syntax;
            if (samples == 0) samples = long.MaxValue;
        }
        var entry = db.Peek(a[2]); // as Redis's dbFind: measuring is not an access
        return entry is null ? Reply.Nil : Reply.Int(Of(entry, samples));
    }

    /// <summary>The estimate for one key (see the class summary), sampling at most <paramref name="samples"/> elements.</summary>
    public static long Of(Entry entry, long samples = DefaultSamples) => KeyBytes(entry.Key) + ValueBytes(entry.Value, samples);

    /// <summary>What a key costs besides its value: the entry, its table slot and the key's array.</summary>
    public static long KeyBytes(byte[] key) => EntryBytes + ArrayBytes(key.Length);

    /// <summary>A byte array of <paramref name="length"/> bytes: header and length (24 bytes), data padded to 8.</summary>
    public static long ArrayBytes(long length) => ObjectHeader + (length + 7) / 8 * 8;

    /// <summary>The estimate for a value alone, sampling at most <paramref name="samples"/> elements of an aggregate.</summary>
    public static long ValueBytes(object value, long samples = DefaultSamples) => value switch
    {
        byte[] s => ArrayBytes(s.Length),
        StringBuffer b => ObjectHeader + ArrayBytes(b.Capacity),
        RedisHash { Table: { } table } h => HashObjectBytes + HashTableBytes
            + Sampled(table, h.Count, samples, f => TableElementBytes + ArrayBytes(f.Key.Length) + ArrayBytes(f.Value.Length)),
        RedisHash h => HashObjectBytes + ArrayBytes(h.ListpackCapacity),
        RedisSet s => ObjectHeader + Sampled(s.Members, s.Count, samples, m => TableElementBytes + ArrayBytes(m.Key.Length)),
        RedisSortedSet z => ObjectHeader + Sampled(z.Members, z.Count, samples, m => SortedSetElementBytes + ArrayBytes(m.Key.Length)),
        RedisList l => ObjectHeader + Sampled(l, l.Count, samples, e => ListSlotBytes + ArrayBytes(e.Length)),
        _ => ObjectHeader,
    };

    private static long Sampled<T>(IEnumerable<T> elements, int count, long samples, Func<T, long> size)
    {
        if (count == 0) return 0;
        long measured = 0, seen = 0;
        foreach (var element in elements)
        {
            if (seen == samples) break;
            measured += size(element);
            seen++;
        }
        return seen == count ? measured : measured * count / seen;
    }
}
