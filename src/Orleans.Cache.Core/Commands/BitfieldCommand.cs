namespace Orleans.Cache.Core;

/// <summary>BITFIELD and BITFIELD_RO: typed integers of 1–64 bits at any bit offset of a string, with WRAP/SAT/FAIL overflow.</summary>
internal static class BitfieldCommand
{
    private enum Kind { Get, Set, IncrBy }
    private enum Overflow { Wrap, Sat, Fail }
    private readonly record struct Op(Kind Kind, bool Signed, int Bits, long Offset, long Value, Overflow Overflow);

    private static readonly Reply BadType =
        Reply.Error("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");

    public static Reply Bitfield(Keyspace db, byte[][] a) => Run(db, a, readOnly: false);
    public static Reply BitfieldRo(Keyspace db, byte[][] a) => Run(db, a, readOnly: true);

    private static Reply Run(Keyspace db, byte[][] a, bool readOnly)
    {
        var ops = new List<Op>();
        var overflow = Overflow.Wrap;
        for (int i = 2; i < a.Length; i++)
        {
            bool get = Args.Is(a[i], "GET"), set = Args.Is(a[i], "SET"), incr = Args.Is(a[i], "INCRBY");
            if (get && i + 2 < a.Length || (set || incr) && i + 3 < a.Length)
            {
                if (readOnly && !get) return Reply.Error("ERR BITFIELD_RO only supports the GET subcommand");
                var (signed, bits) = Type(a[i + 1]);
                long offset = Offset(a[i + 2], bits);
                long value = get ? 0 : Args.Long(a[i + 3]);
                ops.Add(new Op(get ? Kind.Get : set ? Kind.Set : Kind.IncrBy, signed, bits, offset, value, overflow));
                i += get ? 2 : 3;
            }
            else if (Args.Is(a[i], "OVERFLOW") && i + 1 < a.Length)
            {
                i++;
                if (Args.Is(a[i], "WRAP")) overflow = Overflow.Wrap;
                else if (Args.Is(a[i], "SAT")) overflow = Overflow.Sat;
                else if (Args.Is(a[i], "FAIL")) overflow = Overflow.Fail;
                else return Reply.Error("ERR Invalid OVERFLOW type specified");
            }
            else return Errors.Syntax;
        }

        var entry = db.Find(a[1]);
        ReadOnlyMemory<byte>? read = null;
        if (entry is not null) read = RedisString.Bytes(entry.Value);
        bool writes = ops.Any(o => o.Kind != Kind.Get);
        // Created or grown: then every write that is not refused by OVERFLOW FAIL counts as a change, as in Redis.
        bool grown = false;
        long bytes = 0;
        StringBuffer? buffer = null;
        if (writes)
        {
            // Like Redis, the string grows to cover every write before any runs, even one that then fails. Then the
            // fields are written in place (see RedisString.Writable); a long string that no field changes is not
            // even copied out of a shared array.
            bytes = ops.Where(o => o.Kind != Kind.Get).Max(o => (o.Offset + o.Bits - 1) / 8 + 1);
            grown = read is null || read.Value.Length < bytes;
            if (grown || read!.Value.Length <= RedisString.EmbstrLimit) buffer = RedisString.Writable(db, a[1], entry, bytes);
        }
        bool changed = false;
        var replies = new Reply[ops.Count];
        for (int k = 0; k < ops.Count; k++)
        {
            var op = ops[k];
            var s = buffer is not null ? buffer.Span : read is { } r ? r.Span : default;
            long current = Value(Bitmap.Read(s, op.Offset, op.Bits), op);
            if (op.Kind == Kind.Get) { replies[k] = Reply.Int(current); continue; }
            Int128 wanted = op.Kind == Kind.Set ? op.Value : (Int128)current + op.Value;
            if (Fit(wanted, op) is not long result) { replies[k] = Reply.Nil; continue; }
            if (buffer is null && result == current) { replies[k] = Reply.Int(op.Kind == Kind.Set ? current : result); continue; }
            buffer ??= RedisString.Writable(db, a[1], entry, bytes);
            Bitmap.Write(buffer.Writable, op.Offset, op.Bits, (ulong)result);
            changed |= grown || result != current;
            replies[k] = Reply.Int(op.Kind == Kind.Set ? current : result);
        }
        if (changed) db.Notify(KeyspaceEventFlags.String, "setbit", a[1]);
        return Reply.Array(replies);
    }

    private static (bool Signed, int Bits) Type(byte[] arg)
    {
        if (arg.Length < 2 || arg[0] is not ((byte)'i' or (byte)'u') || !Args.TryLong(arg.AsSpan(1), out long bits))
            throw new CommandException(BadType);
        bool signed = arg[0] == 'i';
        if (bits < 1 || bits > (signed ? 64 : 63)) throw new CommandException(BadType);
        return (signed, (int)bits);
    }

    /// <summary>A bit offset, or "#n" for the n-th field of this width.</summary>
    private static long Offset(byte[] arg, int bits)
    {
        bool multiply = arg.Length > 0 && arg[0] == '#';
        if (!Args.TryLong(multiply ? arg.AsSpan(1) : arg, out long offset)) throw new CommandException(Bitmap.BadOffset);
        if (multiply) offset = offset > Bitmap.MaxBits ? -1 : offset * bits;
        if (offset < 0 || offset >= Bitmap.MaxBits) throw new CommandException(Bitmap.BadOffset);
        return offset;
    }

    private static long Value(ulong raw, Op op)
    {
        if (!op.Signed || op.Bits == 64) return (long)raw;
        ulong sign = 1UL << (op.Bits - 1);
        return (raw & sign) != 0 ? (long)raw - (long)(sign << 1) : (long)raw;
    }

    /// <summary>The value to store after the overflow policy, or null when FAIL refuses it.</summary>
    private static long? Fit(Int128 v, Op op)
    {
        Int128 min = op.Signed ? -((Int128)1 << (op.Bits - 1)) : 0;
        Int128 max = op.Signed ? ((Int128)1 << (op.Bits - 1)) - 1 : ((Int128)1 << op.Bits) - 1;
        if (v >= min && v <= max) return (long)v;
        switch (op.Overflow)
        {
            case Overflow.Sat:
                return (long)(v < min ? min : max);
            case Overflow.Fail:
                return null;
            default:
                ulong low = (ulong)(v & (((Int128)1 << op.Bits) - 1));
                return Value(low, op);
        }
    }
}
