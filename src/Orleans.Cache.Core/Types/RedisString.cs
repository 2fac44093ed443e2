namespace Orleans.Cache.Core;

/// <summary>
/// String values come in two forms. A plain <see cref="byte"/>[] (what SET and most writes store) is never changed in
/// place: a reply that is still being written out, a COPY, or the command argument it came from may share it. A
/// <see cref="StringBuffer"/> (what SETBIT, BITFIELD, SETRANGE and APPEND leave) is written in place and never shared.
/// Commands read either form through <see cref="Read"/> (no copy), hand values out through <see cref="Get"/> or
/// <see cref="Shareable"/> (the array itself; a buffer is copied or frozen back into an array), and write in place
/// through <see cref="Writable(Keyspace, byte[], long)"/>.
/// </summary>
internal static class RedisString
{
    /// <summary>Redis's proto-max-bulk-len default: the largest string a command may build.</summary>
    public const long MaxLength = 512L * 1024 * 1024;

    public static bool IsString(object value) => value is byte[] or StringBuffer;

    /// <summary>
    /// Redis's embstr limit, below which OBJECT ENCODING tells a buffer ("raw") from a plain array ("embstr"/"int").
    /// A buffer this short is copied for a reply rather than frozen, so it stays "raw"; a write that changes nothing
    /// still turns a plain array this short into a buffer (as Redis unshares it), but leaves a longer one alone
    /// (it reports "raw" either way, and copying it would buy nothing).
    /// </summary>
    public const int EmbstrLimit = 44;

    /// <summary>The value at <paramref name="key"/> as an array a reply may keep; null if missing; WRONGTYPE for other types.</summary>
    public static byte[]? Get(Keyspace db, ReadOnlySpan<byte> key)
    {
        var entry = db.Find(key);
        if (entry is null) return null;
        return entry.Value as byte[] ?? Shareable(db, entry);
    }

    /// <summary>
    /// The string at <paramref name="entry"/> as an array that may leave the keyspace (in a reply): a plain array as it
    /// is. A buffer longer than 44 bytes is frozen back into a plain array stored in its place, so that reading a string
    /// again and again costs nothing; the next in-place write copies it into a buffer again. Freezing a full buffer is
    /// free (the buffer becomes the array); one with spare room is first just copied, and frozen (one more copy) only
    /// when read again before any write, so reads alternating with growing writes (APPEND, GET, APPEND …) cost one
    /// copy each, as they did when every write copied. A buffer of at most 44 bytes is always just copied (a few
    /// nanoseconds), so it keeps Redis's "raw" encoding. WRONGTYPE for other types.
    /// </summary>
    public static byte[] Shareable(Keyspace db, Entry entry)
    {
        switch (entry.Value)
        {
            case byte[] s:
                return s;
            case StringBuffer b when b.Length <= EmbstrLimit:
                return b.ToArray();
            case StringBuffer b when b.Capacity > b.Length && !b.CopiedSinceWrite:
                b.CopiedSinceWrite = true;
                return b.ToArray();
            case StringBuffer b:
                var frozen = b.Freeze();
                db.SwapValue(entry, frozen);
                return frozen;
            default:
                throw new CommandException(Errors.WrongType);
        }
    }

    /// <summary>The bytes of a string value without copying (valid until the next write); WRONGTYPE for other types.</summary>
    public static ReadOnlyMemory<byte> Bytes(object value) => value switch
    {
        byte[] s => s,
        StringBuffer b => b.Memory,
        _ => throw new CommandException(Errors.WrongType),
    };

    /// <summary>The bytes at <paramref name="key"/> without copying (valid until the next write); null if missing; WRONGTYPE for other types.</summary>
    public static ReadOnlyMemory<byte>? Read(Keyspace db, ReadOnlySpan<byte> key)
    {
        // Not "? Bytes(…) : null": the null literal would convert to an empty ReadOnlyMemory (through byte[]), not to a missing value.
        var entry = db.Find(key);
        if (entry is null) return null;
        return Bytes(entry.Value);
    }

    /// <summary>
    /// The string at <paramref name="key"/> as a buffer to write in place, at least <paramref name="length"/> bytes long
    /// (new bytes zero), as Redis's dbUnshareStringValue + sdsgrowzero: a missing key is created at exactly that length,
    /// a plain array is copied into a buffer once (with room to spare only if it grows), a buffer grows geometrically.
    /// WRONGTYPE for other types. The TTL is kept; the caller raises the keyspace event.
    /// </summary>
    public static StringBuffer Writable(Keyspace db, byte[] key, long length) => Writable(db, key, db.Find(key), length);

    /// <summary><see cref="Writable(Keyspace, byte[], long)"/> for a key this command has just looked up (<paramref name="entry"/>, null when missing).</summary>
    public static StringBuffer Writable(Keyspace db, byte[] key, Entry? entry, long length)
    {
        switch (entry?.Value)
        {
            case null:
                var created = new StringBuffer([], checked((int)length));
                created.EnsureLength(length);
                db.Set(key, created);
                return created;
            case StringBuffer buffer:
                buffer.EnsureLength(length);
                return buffer;
            case byte[] s:
                var copy = new StringBuffer(s, length > s.Length ? StringBuffer.GrownCapacity(length) : s.Length);
                copy.EnsureLength(length);
                db.SwapValue(entry, copy);
                return copy;
            default:
                throw new CommandException(Errors.WrongType);
        }
    }

    public static long ToLong(ReadOnlySpan<byte> value) =>
        Args.TryLong(value, out long v) ? v : throw new CommandException(Errors.NotInteger);

    public static double ToDouble(ReadOnlySpan<byte> value) =>
        Args.TryDouble(value, out double v) ? v : throw new CommandException(Errors.NotFloat);

    public static void CheckLength(long length) => CheckLength(0, length);

    /// <summary>Fails with Redis's proto-max-bulk-len error when <paramref name="offset"/> + <paramref name="append"/> bytes would exceed the limit (or overflow).</summary>
    public static void CheckLength(long offset, long append)
    {
        if (offset > MaxLength || append > MaxLength - offset) throw new CommandException(Errors.StringTooLong);
    }
}
