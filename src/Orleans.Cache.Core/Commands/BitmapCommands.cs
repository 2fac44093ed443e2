namespace Orleans.Cache.Core;

/// <summary>SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP on string values; BITFIELD lives in <see cref="BitfieldCommand"/>.</summary>
internal static class BitmapCommands
{
    private static readonly Reply BadBit = Reply.Error("ERR bit is not an integer or out of range");

    public static Reply SetBit(Keyspace db, byte[][] a)
    {
        long offset = Bitmap.Offset(a[2]);
        if (a[3] is not [(byte)'0' or (byte)'1']) return BadBit;
        int bit = a[3][0] - '0';
        long length = (offset >> 3) + 1;
        var entry = db.Find(a[1]);
        var old = entry is null ? default : RedisString.Bytes(entry.Value).Span;
        int previous = Bitmap.GetBit(old, offset);
        // As in Redis, only a created or grown string or a flipped bit is a change (and raises setbit).
        bool change = entry is null || old.Length < length || previous != bit;
        if (!change && old.Length > RedisString.EmbstrLimit) return Reply.Int(previous);
        // Written in place: O(1) unless the string grows (amortized O(1) then) or is still a shared array (copied once).
        var value = RedisString.Writable(db, a[1], entry, length);
        if (!change) return Reply.Int(previous);
        Bitmap.SetBit(value.Writable, offset, bit);
        db.Notify(KeyspaceEventFlags.String, "setbit", a[1]);
        return Reply.Int(previous);
    }

    public static Reply GetBit(Keyspace db, byte[][] a)
    {
        long offset = Bitmap.Offset(a[2]);
        return Reply.Int(RedisString.Read(db, a[1]) is { } s ? Bitmap.GetBit(s.Span, offset) : 0);
    }

    /// <summary>BITCOUNT key [start end [BYTE|BIT]].</summary>
    public static Reply BitCount(Keyspace db, byte[][] a)
    {
        if (RedisString.Read(db, a[1]) is not { } value) return Reply.Int(0);
        var s = value.Span;
        if (a.Length == 3 || a.Length > 5) return Errors.Syntax;
        long first = 0, last = (long)s.Length * 8 - 1;
        if (a.Length >= 4 && !Range(s.Length, a, 2, out first, out last)) return Reply.Int(0);
        return Reply.Int(Bitmap.Count(s, first, last));
    }

    /// <summary>BITPOS key bit [start [end [BYTE|BIT]]].</summary>
    public static Reply BitPos(Keyspace db, byte[][] a)
    {
        long parsed = Args.Long(a[2]);
        if (parsed is not (0 or 1)) return Reply.Error("ERR The bit argument must be 1 or 0.");
        int bit = (int)parsed;
        if (a.Length > 6) return Errors.Syntax;
        if (RedisString.Read(db, a[1]) is not { } value) return Reply.Int(bit == 1 ? -1 : 0);
        var s = value.Span;
        long first = 0, last = (long)s.Length * 8 - 1;
        bool endGiven = a.Length >= 5;
        if (a.Length >= 4)
        {
            var args = a.Length == 4 ? [.. a, Args.Bytes("-1")] : a;
            if (!Range(s.Length, args, 3, out first, out last)) return Reply.Int(-1);
        }
        long found = Bitmap.Find(s, bit, first, last);
        // Looking for a clear bit with no end given: the string is as if padded with zeros on the right.
        if (found < 0 && bit == 0 && !endGiven) return Reply.Int(last + 1);
        return Reply.Int(found);
    }

    /// <summary>Reads start end [BYTE|BIT] at a[at] into inclusive bit positions; false when the range is empty.</summary>
    private static bool Range(int size, byte[][] a, int at, out long first, out long last)
    {
        long start = Args.Long(a[at]), end = Args.Long(a[at + 1]);
        bool bits = false;
        if (a.Length > at + 2)
        {
            if (Args.Is(a[at + 2], "BIT")) bits = true;
            else if (!Args.Is(a[at + 2], "BYTE")) throw new CommandException(Errors.Syntax);
        }
        long length = bits ? (long)size * 8 : size;
        if (start < 0) start += length;
        if (end < 0) end += length;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if (end >= length) end = length - 1;
        first = bits ? start : start * 8;
        last = bits ? end : end * 8 + 7;
        return start <= end;
    }

    /// <summary>BITOP AND|OR|XOR|NOT destkey key [key …]: the length of the stored result.</summary>
    public static Reply BitOp(Keyspace db, byte[][] a)
    {
        string op = Args.Is(a[1], "AND") ? "AND" : Args.Is(a[1], "OR") ? "OR" : Args.Is(a[1], "XOR") ? "XOR"
            : Args.Is(a[1], "NOT") ? "NOT" : "";
        if (op.Length == 0) return Errors.Syntax;
        if (op == "NOT" && a.Length != 4) return Reply.Error("ERR BITOP NOT must be called with a single source key.");
        var sources = new ReadOnlyMemory<byte>[a.Length - 3];
        for (int i = 3; i < a.Length; i++) sources[i - 3] = RedisString.Read(db, a[i]) ?? default;
        int length = sources.Max(s => s.Length);
        if (length == 0)
        {
            if (db.Delete(a[2])) db.Notify(KeyspaceEventFlags.Generic, "del", a[2]);
            return Reply.Int(0);
        }
        // Source by source into the result; a missing or shorter source counts as zero bytes.
        var result = new byte[length];
        sources[0].Span.CopyTo(result);
        if (op == "NOT")
            for (int b = 0; b < length; b++) result[b] = (byte)~result[b];
        for (int k = 1; k < sources.Length; k++)
        {
            var s = sources[k].Span;
            if (op == "AND")
            {
                for (int b = 0; b < s.Length; b++) result[b] &= s[b];
                result.AsSpan(s.Length).Clear();
            }
            else if (op == "OR") for (int b = 0; b < s.Length; b++) result[b] |= s[b];
            else for (int b = 0; b < s.Length; b++) result[b] ^= s[b];
        }
        db.Set(a[2], result);
        db.Notify(KeyspaceEventFlags.String, "set", a[2]);
        return Reply.Int(length);
    }
}
