using System.Globalization;

namespace Orleans.Cache.Core;

/// <summary>The hash family (Redis's t_hash.c).</summary>
internal static class HashCommands
{
    /// <summary>HSET key field value [field value …]: how many fields were new.</summary>
    public static Reply HSet(Keyspace db, byte[][] a)
    {
        if (a.Length % 2 != 0) return Errors.WrongArity("hset");
        var hash = RedisHash.GetOrCreate(db, a[1]);
        int added = 0;
        for (int i = 2; i < a.Length; i += 2)
            if (hash.Set(a[i], a[i + 1], db.Encodings)) added++;
        db.Notify(KeyspaceEventFlags.Hash, "hset", a[1]);
        return Reply.Int(added);
    }

    public static Reply HMSet(Keyspace db, byte[][] a)
    {
        if (a.Length % 2 != 0) return Errors.WrongArity("hmset");
        var hash = RedisHash.GetOrCreate(db, a[1]);
        for (int i = 2; i < a.Length; i += 2) hash.Set(a[i], a[i + 1], db.Encodings);
        db.Notify(KeyspaceEventFlags.Hash, "hset", a[1]);
        return Reply.Ok;
    }

    public static Reply HSetNx(Keyspace db, byte[][] a)
    {
        var hash = RedisHash.Get(db, a[1]);
        if (hash is not null && hash.ContainsKey(a[2])) return Reply.Int(0);
        (hash ?? RedisHash.GetOrCreate(db, a[1])).Set(a[2], a[3], db.Encodings);
        db.Notify(KeyspaceEventFlags.Hash, "hset", a[1]);
        return Reply.Int(1);
    }

    public static Reply HGet(Keyspace db, byte[][] a) =>
        Reply.Bulk(RedisHash.Get(db, a[1]) is { } h && h.TryGetValue(a[2], out var v) ? v : null);

    public static Reply HMGet(Keyspace db, byte[][] a)
    {
        var hash = RedisHash.Get(db, a[1]);
        var items = new Reply[a.Length - 2];
        for (int i = 2; i < a.Length; i++)
            items[i - 2] = hash is not null && hash.TryGetValue(a[i], out var v) ? Reply.Bulk(v) : Reply.Nil;
        return Reply.Array(items);
    }

    public static Reply HGetAll(Keyspace db, byte[][] a)
    {
        var hash = RedisHash.Get(db, a[1]);
        if (hash is null) return Reply.Map([]);
        var items = new Reply[hash.Count * 2];
        int i = 0;
        foreach (var (field, value) in hash)
        {
            items[i++] = Reply.Bulk(field);
            items[i++] = Reply.Bulk(value);
        }
        return Reply.Map(items);
    }

    public static Reply HKeys(Keyspace db, byte[][] a) =>
        Reply.Array(RedisHash.Get(db, a[1])?.Select(f => Reply.Bulk(f.Key)).ToArray() ?? []);

    public static Reply HVals(Keyspace db, byte[][] a) =>
        Reply.Array(RedisHash.Get(db, a[1])?.Select(f => Reply.Bulk(f.Value)).ToArray() ?? []);

    public static Reply HDel(Keyspace db, byte[][] a)
    {
        var hash = RedisHash.Get(db, a[1]);
        if (hash is null) return Reply.Int(0);
        int removed = 0;
        for (int i = 2; i < a.Length; i++)
            if (hash.Remove(a[i])) removed++;
        if (removed > 0) db.Notify(KeyspaceEventFlags.Hash, "hdel", a[1]);
        RedisHash.DeleteIfEmpty(db, a[1], hash);
        return Reply.Int(removed);
    }

    public static Reply HExists(Keyspace db, byte[][] a) =>
        Reply.Int(RedisHash.Get(db, a[1])?.ContainsKey(a[2]) == true ? 1 : 0);

    public static Reply HLen(Keyspace db, byte[][] a) => Reply.Int(RedisHash.Get(db, a[1])?.Count ?? 0);

    public static Reply HStrLen(Keyspace db, byte[][] a) =>
        Reply.Int(RedisHash.Get(db, a[1])?.ValueLength(a[2]) ?? 0);

    public static Reply HIncrBy(Keyspace db, byte[][] a)
    {
        long by = Args.Long(a[3]);
        var hash = RedisHash.Get(db, a[1]);
        long current = 0;
        if (hash is not null && hash.TryGetValue(a[2], out var old) && !Args.TryLong(old, out current))
            return Reply.Error("ERR hash value is not an integer");
        if ((by > 0 && current > long.MaxValue - by) || (by < 0 && current < long.MinValue - by))
            return Errors.Overflow;
        long result = current + by;
        (hash ?? RedisHash.GetOrCreate(db, a[1])).SetKeepTtl(a[2], Args.FormatLong(result), db.Encodings);
        db.Notify(KeyspaceEventFlags.Hash, "hincrby", a[1]);
        return Reply.Int(result);
    }

    private static readonly byte[] One = "1"u8.ToArray();

    /// <summary>HINCRBYFLOAT key field increment: in long double arithmetic and formatting, as Redis does.</summary>
    public static Reply HIncrByFloat(Keyspace db, byte[][] a)
    {
        if (!LongDouble.TryParse(a[3], out var by)) return Errors.NotFloat;
        if (by.IsInfinity) return Reply.Error("ERR value is NaN or Infinity");
        var hash = RedisHash.Get(db, a[1]);
        LongDouble current = default;
        if (hash is not null && hash.TryGetValue(a[2], out var old) && !LongDouble.TryParse(old, out current))
            return Reply.Error("ERR hash value is not a float");
        var result = current + by;
        if (result.IsInfinity) return Errors.NanOrInfinity;
        var bytes = Args.Bytes(result.ToString());
        (hash ?? RedisHash.GetOrCreate(db, a[1])).SetKeepTtl(a[2], bytes, db.Encodings);
        db.Notify(KeyspaceEventFlags.Hash, "hincrbyfloat", a[1]);
        // The field keeps its TTL, so the replay must too: HSETEX … KEEPTTL, as Redis 8 propagates it.
        db.Propagate(EffectWords.HSetEx, a[1], EffectWords.KeepTtl, EffectWords.Fields, One, a[2], bytes);
        return Reply.Bulk(bytes);
    }

    /// <summary>HRANDFIELD key [count [WITHVALUES]].</summary>
    public static Reply HRandField(Keyspace db, byte[][] a)
    {
        if (a.Length > 4 || a.Length == 4 && !Args.Is(a[3], "WITHVALUES")) return Errors.Syntax;
        bool withValues = a.Length == 4;
        long count = a.Length >= 3 ? RandomReplies.Count(a[2], withValues) : 0;
        var hash = RedisHash.Get(db, a[1]);
        if (a.Length == 2) return hash is null ? Reply.Nil : Reply.Bulk(hash.Random(db.Random).Key);
        if (hash is null || count == 0) return Reply.EmptyArray;
        var picks = hash.Pick(count, db.Random);
        if (!withValues) return Reply.Array(picks.Select(p => Reply.Bulk(p.Key)).ToArray());
        var items = new Reply[picks.Count * 2];
        for (int i = 0; i < picks.Count; i++)
        {
            items[2 * i] = Reply.Bulk(picks[i].Key);
            items[2 * i + 1] = Reply.Bulk(picks[i].Value);
        }
        return Reply.Pairs(items);
    }

    /// <summary>HSCAN key cursor [MATCH pattern] [COUNT n] [NOVALUES]: [next-cursor, [field, value, …]] (fields only with NOVALUES).</summary>
    public static Reply HScan(Keyspace db, byte[][] a)
    {
        ulong cursor = ParseCursor(a[2]);
        bool noValues = a.Length > 3 && Args.Is(a[^1], "NOVALUES") && (a.Length - 3) % 2 == 1;
        if (noValues) a = a[..^1];
        var options = ScanOptions.Parse(a, 3);
        if (options.Type is not null) return Errors.Syntax;
        var hash = RedisHash.Get(db, a[1]);
        var found = new List<KeyValuePair<byte[], byte[]>>();
        ulong next = hash?.Scan(cursor, options.Count, found) ?? 0;
        var items = new List<Reply>(found.Count * 2);
        foreach (var (field, value) in found)
        {
            if (options.Pattern is not null && !Glob.IsMatch(options.Pattern, field)) continue;
            items.Add(Reply.Bulk(field));
            if (!noValues) items.Add(Reply.Bulk(value));
        }
        return ScanReply(next, [.. items]);
    }

    /// <summary>The cursor of HSCAN, SSCAN and ZSCAN: an unsigned decimal integer.</summary>
    public static ulong ParseCursor(byte[] arg) =>
        ulong.TryParse(Args.Text(arg), NumberStyles.None, CultureInfo.InvariantCulture, out ulong cursor)
            ? cursor : throw new CommandException(Errors.InvalidCursor);

    public static Reply ScanReply(ulong next, Reply[] items) =>
        Reply.Array([Reply.Bulk(next.ToString(CultureInfo.InvariantCulture)), Reply.Array(items)]);
}
