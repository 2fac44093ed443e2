namespace Orleans.Cache.Core;

/// <summary>The string family (Redis's t_string.c): each handler reads its arguments, runs on the keyspace, returns the reply.</summary>
internal static class StringCommands
{
    public static Reply Get(Keyspace db, byte[][] a) => Reply.Bulk(RedisString.Get(db, a[1]));

    /// <summary>SET key value [NX|XX|IFEQ v|IFNE v|IFDEQ d|IFDNE d] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL].</summary>
    public static Reply Set(Keyspace db, byte[][] a)
    {
        var options = ParseOptions(a, 3, forSet: true, out var expire, out var condition);
        long expireAt = expire is null ? 0 : ExpireAt(db, options, expire, "set");

        var key = a[1];
        var entry = db.Find(key);
        if (condition is not null && entry is not null && !RedisString.IsString(entry.Value)) return Errors.WrongType;
        bool get = options.HasFlag(SetOptions.Get);
        byte[]? old = null;
        if (get && entry is not null)
            old = RedisString.Shareable(db, entry);

        if ((options.HasFlag(SetOptions.Nx) && entry is not null) || (options.HasFlag(SetOptions.Xx) && entry is null)
            || condition is { } c && !c.HoldsFor(entry))
            return get ? Reply.Bulk(old) : Reply.Nil;

        entry = db.Set(key, entry, a[2], options.HasFlag(SetOptions.KeepTtl));
        db.Notify(KeyspaceEventFlags.String, "set", key);
        if (expire is not null) Expiry.Apply(db, entry, expireAt);
        return get ? Reply.Bulk(old) : Reply.Ok;
    }

    [Flags]
    private enum SetOptions
    {
        None = 0, Nx = 1, Xx = 2, Get = 4, KeepTtl = 8, Persist = 16,
        Ex = 32, Px = 64, ExAt = 128, PxAt = 256, AnyExpire = Ex | Px | ExAt | PxAt,
        Condition = 512, AnyCondition = Nx | Xx | Condition,
    }

    /// <summary>
    /// The options of SET (from argument 3) and GETEX (from argument 2), checked as Redis checks them: all syntax
    /// first, the expire value later. An option may repeat (the last value wins) but never conflict with another; a value
    /// condition (IFEQ, IFNE, IFDEQ, IFDNE) excludes NX, XX and any second condition.
    /// </summary>
    private static SetOptions ParseOptions(byte[][] a, int from, bool forSet, out byte[]? expire, out ValueCondition? condition)
    {
        var flags = SetOptions.None;
        expire = null;
        condition = null;
        for (int i = from; i < a.Length; i++)
        {
            var opt = a[i];
            var ttl = ExpireOption(opt);
            if (forSet && Args.Is(opt, "NX") && (flags & (SetOptions.Xx | SetOptions.Condition)) == 0) flags |= SetOptions.Nx;
            else if (forSet && Args.Is(opt, "XX") && (flags & (SetOptions.Nx | SetOptions.Condition)) == 0) flags |= SetOptions.Xx;
            else if (forSet && i + 1 < a.Length && (flags & SetOptions.AnyCondition) == 0
                     && ValueCondition.TryParse(opt, a[i + 1], out var parsed))
            {
                flags |= SetOptions.Condition;
                condition = parsed;
                i++;
            }
            else if (forSet && Args.Is(opt, "GET")) flags |= SetOptions.Get;
            else if (forSet && Args.Is(opt, "KEEPTTL") && (flags & SetOptions.AnyExpire) == 0) flags |= SetOptions.KeepTtl;
            else if (!forSet && Args.Is(opt, "PERSIST") && (flags & SetOptions.AnyExpire) == 0) flags |= SetOptions.Persist;
            else if (ttl != 0 && i + 1 < a.Length && (flags & (SetOptions.KeepTtl | SetOptions.Persist | SetOptions.AnyExpire & ~ttl)) == 0)
            {
                flags |= ttl;
                expire = a[++i];
            }
            else throw new CommandException(Errors.Syntax);
        }
        return flags;
    }

    private static SetOptions ExpireOption(byte[] opt) =>
        Args.Is(opt, "EX") ? SetOptions.Ex
        : Args.Is(opt, "PX") ? SetOptions.Px
        : Args.Is(opt, "EXAT") ? SetOptions.ExAt
        : Args.Is(opt, "PXAT") ? SetOptions.PxAt
        : SetOptions.None;

    private static long ExpireAt(Keyspace db, SetOptions options, byte[] value, string command) =>
        Expiry.At(db, value,
            (options & (SetOptions.Ex | SetOptions.ExAt)) != 0 ? Expiry.Unit.Seconds : Expiry.Unit.Milliseconds,
            relative: (options & (SetOptions.Ex | SetOptions.Px)) != 0, command, positive: true);

    public static Reply SetNx(Keyspace db, byte[][] a)
    {
        if (db.Find(a[1]) is not null) return Reply.Int(0);
        db.Set(a[1], a[2]);
        db.Notify(KeyspaceEventFlags.String, "set", a[1]);
        return Reply.Int(1);
    }

    public static Reply SetEx(Keyspace db, byte[][] a) => SetWithTtl(db, a, Expiry.Unit.Seconds, "setex");
    public static Reply PSetEx(Keyspace db, byte[][] a) => SetWithTtl(db, a, Expiry.Unit.Milliseconds, "psetex");

    private static Reply SetWithTtl(Keyspace db, byte[][] a, Expiry.Unit unit, string name)
    {
        long at = Expiry.At(db, a[2], unit, relative: true, name, positive: true);
        var entry = db.Set(a[1], a[3]);
        db.Notify(KeyspaceEventFlags.String, "set", a[1]);
        Expiry.Apply(db, entry, at);
        return Reply.Ok;
    }

    public static Reply GetSet(Keyspace db, byte[][] a)
    {
        var old = RedisString.Get(db, a[1]);
        db.Set(a[1], a[2]);
        db.Notify(KeyspaceEventFlags.String, "set", a[1]);
        return Reply.Bulk(old);
    }

    public static Reply GetDel(Keyspace db, byte[][] a)
    {
        var old = RedisString.Get(db, a[1]);
        if (old is not null && db.Delete(a[1])) db.Notify(KeyspaceEventFlags.Generic, "del", a[1]);
        return Reply.Bulk(old);
    }

    /// <summary>GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]: a missing key answers nil before the expire value is checked.</summary>
    public static Reply GetEx(Keyspace db, byte[][] a)
    {
        var options = ParseOptions(a, 2, forSet: false, out var expire, out _);
        var entry = db.Find(a[1]);
        if (entry is null) return Reply.Nil;
        var value = RedisString.Shareable(db, entry);
        if (expire is not null) Expiry.Apply(db, entry, ExpireAt(db, options, expire, "getex"));
        else if (options.HasFlag(SetOptions.Persist) && entry.ExpireAt != 0)
        {
            db.ClearExpiry(entry);
            db.Notify(KeyspaceEventFlags.Generic, "persist", a[1]);
        }
        return Reply.Bulk(value);
    }

    /// <summary>MGET: a missing key or one of another type gives nil, never an error.</summary>
    public static Reply MGet(Keyspace db, byte[][] a)
    {
        var items = new Reply[a.Length - 1];
        for (int i = 1; i < a.Length; i++)
            items[i - 1] = db.Find(a[i]) is { } e && RedisString.IsString(e.Value) ? Reply.Bulk(RedisString.Shareable(db, e)) : Reply.Nil;
        return Reply.Array(items);
    }

    public static Reply MSet(Keyspace db, byte[][] a)
    {
        if (a.Length % 2 == 0) return Errors.WrongArity("mset");
        for (int i = 1; i < a.Length; i += 2)
        {
            db.Set(a[i], a[i + 1]);
            db.Notify(KeyspaceEventFlags.String, "set", a[i]);
        }
        return Reply.Ok;
    }

    public static Reply MSetNx(Keyspace db, byte[][] a)
    {
        if (a.Length % 2 == 0) return Errors.WrongArity("msetnx");
        for (int i = 1; i < a.Length; i += 2)
            if (db.Find(a[i]) is not null) return Reply.Int(0);
        for (int i = 1; i < a.Length; i += 2)
        {
            db.Set(a[i], a[i + 1]);
            db.Notify(KeyspaceEventFlags.String, "set", a[i]);
        }
        return Reply.Int(1);
    }

    public static Reply Incr(Keyspace db, byte[][] a) => IncrementBy(db, a[1], 1);
    public static Reply Decr(Keyspace db, byte[][] a) => IncrementBy(db, a[1], -1);
    public static Reply IncrBy(Keyspace db, byte[][] a) => IncrementBy(db, a[1], Args.Long(a[2]));

    public static Reply DecrBy(Keyspace db, byte[][] a)
    {
        long by = Args.Long(a[2]);
        if (by == long.MinValue) return Errors.DecrementOverflow;
        return IncrementBy(db, a[1], -by);
    }

    private static Reply IncrementBy(Keyspace db, byte[] key, long by)
    {
        var entry = db.Find(key);
        long current = 0;
        if (entry is not null)
            current = RedisString.ToLong(RedisString.Bytes(entry.Value).Span);
        if ((by > 0 && current > long.MaxValue - by) || (by < 0 && current < long.MinValue - by))
            return Errors.Overflow;
        long result = current + by;
        db.Set(key, Args.FormatLong(result), keepTtl: true);
        db.Notify(KeyspaceEventFlags.String, "incrby", key);
        return Reply.Int(result);
    }

    /// <summary>INCRBYFLOAT computes in Redis's long double and stores the printed result, so the next call re-reads that text.</summary>
    public static Reply IncrByFloat(Keyspace db, byte[][] a)
    {
        var entry = db.Find(a[1]);
        LongDouble current = default;
        if (entry is not null && !LongDouble.TryParse(RedisString.Bytes(entry.Value).Span, out current))
            return Errors.NotFloat;
        if (!LongDouble.TryParse(a[2], out var by)) return Errors.NotFloat;
        var result = current + by;
        if (result.IsInfinity) return Errors.NanOrInfinity;
        var bytes = Args.Bytes(result.ToString());
        db.Set(a[1], bytes, keepTtl: true);
        db.Notify(KeyspaceEventFlags.String, "incrbyfloat", a[1]);
        // Replayed as the value it produced: float formatting must not be redone elsewhere.
        db.Propagate(EffectWords.Set, a[1], bytes, EffectWords.KeepTtl);
        return Reply.Bulk(bytes);
    }

    /// <summary>APPEND: a new key stores the argument as is; later appends go in place into a buffer that grows geometrically.</summary>
    public static Reply Append(Keyspace db, byte[][] a)
    {
        var entry = db.Find(a[1]);
        if (entry is null)
        {
            db.Set(a[1], a[2]);
            db.Notify(KeyspaceEventFlags.String, "append", a[1]);
            return Reply.Int(a[2].Length);
        }
        int at = RedisString.Bytes(entry.Value).Length;
        RedisString.CheckLength(at, a[2].Length);
        var value = RedisString.Writable(db, a[1], entry, (long)at + a[2].Length);
        a[2].CopyTo(value.Writable[at..]);
        db.Notify(KeyspaceEventFlags.String, "append", a[1]);
        return Reply.Int(value.Length);
    }

    public static Reply StrLen(Keyspace db, byte[][] a) => Reply.Int(RedisString.Read(db, a[1])?.Length ?? 0);

    public static Reply GetRange(Keyspace db, byte[][] a)
    {
        long start = Args.Long(a[2]), end = Args.Long(a[3]);
        if (RedisString.Read(db, a[1]) is not { } value) return Reply.EmptyBulk;
        long len = value.Length;
        if (start < 0 && end < 0 && start > end) return Reply.EmptyBulk;
        if (start < 0) start = len + start;
        if (end < 0) end = len + end;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if (end >= len) end = len - 1;
        if (start > end || len == 0) return Reply.EmptyBulk;
        return Reply.Bulk(value.Span.Slice((int)start, (int)(end - start + 1)).ToArray());
    }

    public static Reply SetRange(Keyspace db, byte[][] a)
    {
        long offset = Args.Long(a[2]);
        if (offset < 0) return Errors.OffsetOutOfRange;
        var patch = a[3];
        var entry = db.Find(a[1]);
        int length = entry is null ? 0 : RedisString.Bytes(entry.Value).Length;
        if (patch.Length == 0) return Reply.Int(length);
        RedisString.CheckLength(offset, patch.Length);
        // In place: the cost is the patch, plus the growth (amortized) or one copy of a still-shared array.
        var value = RedisString.Writable(db, a[1], entry, offset + patch.Length);
        patch.CopyTo(value.Writable[(int)offset..]);
        db.Notify(KeyspaceEventFlags.String, "setrange", a[1]);
        return Reply.Int(value.Length);
    }
}
