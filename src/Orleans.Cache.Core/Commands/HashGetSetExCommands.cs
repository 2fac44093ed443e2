using static Orleans.Cache.Core.HashFieldExpiryCommands;

namespace Orleans.Cache.Core;

/// <summary>Redis 8.0's hash commands that read or write fields together with their TTLs: HGETDEL, HGETEX, HSETEX.</summary>
internal static class HashGetSetExCommands
{
    /// <summary>HGETDEL key FIELDS numfields field …: the values (nil for missing fields), and the fields are deleted.</summary>
    public static Reply HGetDel(Keyspace db, byte[][] a)
    {
        var key = a[1];
        var hash = RedisHash.Get(db, key);
        int count = ParseFields(a, 3, BadFieldCount);
        if (hash is null) return Repeat(Reply.Nil, count);
        var replies = new Reply[count];
        var deleted = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            var field = a[4 + i];
            if (hash.TryGetValue(field, out var value))
            {
                hash.Remove(field);
                deleted.Add(field);
            }
            replies[i] = Reply.Bulk(value);
        }
        if (deleted.Count > 0)
        {
            db.Notify(KeyspaceEventFlags.Hash, "hdel", key);
            db.Propagate([EffectWords.HDel, key, .. deleted]);
            RedisHash.DeleteIfEmpty(db, key, hash);
        }
        return Reply.Array(replies);
    }

    /// <summary>
    /// HGETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST] FIELDS numfields field …: the values (nil for missing
    /// fields), and the fields found get the new TTL (a time not in the future deletes them) or lose theirs.
    /// </summary>
    public static Reply HGetEx(Keyspace db, byte[][] a)
    {
        var key = a[1];
        var hash = RedisHash.Get(db, key, out var entry);
        var option = a[2];
        bool persist = Args.Is(option, "PERSIST");
        var ttl = ExpireOption(option);
        long at = ttl is null ? 0 : ParseDeadline(db, a[3], ttl.Value.Unit, ttl.Value.Relative, "hgetex");
        int countAt = ttl is not null ? 5 : persist ? 4 : 3;
        int count = ParseFields(a, countAt, BadFieldCount);
        if (hash is null) return Repeat(Reply.Nil, count);

        var replies = new Reply[count];
        var updated = new List<byte[]>();
        int deleted = 0;
        for (int i = 0; i < count; i++)
        {
            var field = a[countAt + 1 + i];
            bool found = hash.TryGetValue(field, out var value);
            replies[i] = Reply.Bulk(value);
            if (!found) continue;
            if (persist)
            {
                if (hash.ClearDeadline(field)) updated.Add(field);
            }
            else if (ttl is not null)
            {
                int result = SetFieldDeadline(db, key, hash, field, at, Condition.None);
                if (result == Updated) updated.Add(field);
                if (result == Deleted) deleted++;
            }
        }
        if (updated.Count > 0 && persist)
        {
            db.Notify(KeyspaceEventFlags.Hash, "hpersist", key);
            db.Propagate([EffectWords.HPersist, key, EffectWords.Fields, Args.FormatLong(updated.Count), .. updated]);
        }
        else if (updated.Count > 0)
        {
            db.Notify(KeyspaceEventFlags.Hash, "hexpire", key);
            db.Propagate(DeadlineEffect(key, at, updated));
            db.WatchFieldDeadlines(entry!, hash);
        }
        else if (deleted > 0) db.Notify(KeyspaceEventFlags.Hash, "hdel", key);
        RedisHash.DeleteIfEmpty(db, key, hash);
        return Reply.Array(replies);
    }

    private static (Expiry.Unit Unit, bool Relative)? ExpireOption(byte[] arg) =>
        Args.Is(arg, "EX") ? (Expiry.Unit.Seconds, true)
        : Args.Is(arg, "PX") ? (Expiry.Unit.Milliseconds, true)
        : Args.Is(arg, "EXAT") ? (Expiry.Unit.Seconds, false)
        : Args.Is(arg, "PXAT") ? (Expiry.Unit.Milliseconds, false)
        : null;

    [Flags]
    private enum SetExOptions { None = 0, Fnx = 1, Fxx = 2, KeepTtl = 4, Expire = 8 }

    private static readonly Reply BadSetExFieldCount = Reply.Error("ERR invalid number of fields");
    private static readonly Reply MissingExpire = Reply.Error("ERR missing expire time");
    private static readonly Reply FnxFxxConflict = Reply.Error("ERR Only one of FXX or FNX arguments can be specified");
    private static readonly Reply ExpireConflict = Reply.Error("ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified");

    /// <summary>
    /// HSETEX key [FNX | FXX] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL] FIELDS numfields field value …: 1 when the
    /// fields were set, 0 when FNX (none may exist) or FXX (all must exist) refused. Without an expiry option the fields
    /// lose their TTL, as HSET; KEEPTTL keeps it.
    /// </summary>
    public static Reply HSetEx(Keyspace db, byte[][] a)
    {
        var (options, at, expireAt, first, count) = ParseSetEx(db, a);
        var key = a[1];
        var hash = RedisHash.Get(db, key, out var entry);
        if (hash is null && options.HasFlag(SetExOptions.Fxx)) return Reply.Int(0);
        if (options.HasFlag(SetExOptions.Fxx) || options.HasFlag(SetExOptions.Fnx))
        {
            int found = 0;
            for (int i = 0; i < count; i++)
            {
                bool exists = hash is not null && hash.ContainsKey(a[first + 2 * i]);
                if (exists) found++;
                if (options.HasFlag(SetExOptions.Fxx) != exists) break;
            }
            if (options.HasFlag(SetExOptions.Fxx) ? found != count : found != 0) return Reply.Int(0);
        }
        hash ??= RedisHash.GetOrCreate(db, key, out entry);

        bool keepTtl = (options & (SetExOptions.KeepTtl | SetExOptions.Expire)) != 0;
        int updated = 0, deleted = 0;
        for (int i = 0; i < count; i++)
        {
            byte[] field = a[first + 2 * i], value = a[first + 2 * i + 1];
            if (keepTtl) hash.SetKeepTtl(field, value, db.Encodings);
            else hash.Set(field, value, db.Encodings);
            if (!options.HasFlag(SetExOptions.Expire)) continue;
            int result = SetFieldDeadline(db, key, hash, field, at, Condition.None);
            if (result == Updated) updated++;
            if (result == Deleted) deleted++;
        }
        db.Notify(KeyspaceEventFlags.Hash, "hset", key);
        if (deleted + updated > 0) db.Notify(KeyspaceEventFlags.Hash, deleted > 0 ? "hdel" : "hexpire", key);
        RedisHash.DeleteIfEmpty(db, key, hash);
        if (updated > 0)
        {
            // The deadline is replayed as an absolute PXAT (the fields deleted by a past time were replayed as HDELs).
            var effect = (byte[][])a.Clone();
            effect[expireAt - 1] = EffectWords.PxAt;
            effect[expireAt] = Args.FormatLong(at);
            db.Propagate(effect);
            db.WatchFieldDeadlines(entry!, hash);
        }
        return Reply.Int(1);
    }

    /// <summary>
    /// Reads HSETEX's options as Redis's hsetexParseArgs does, all before the key is looked at: conditions and expiry
    /// options until FIELDS, whose count must match the field-value pairs that end the command.
    /// </summary>
    private static (SetExOptions Options, long At, int ExpireAt, int First, int Count) ParseSetEx(Keyspace db, byte[][] a)
    {
        var options = SetExOptions.None;
        long at = 0;
        int expireAt = 0;
        for (int i = 2; i < a.Length; i++)
        {
            var arg = a[i];
            if (Args.Is(arg, "FIELDS"))
            {
                if (i >= a.Length - 3) throw new CommandException(Errors.WrongArity("hsetex"));
                if (!Args.TryLong(a[i + 1], out long count) || count < 1 || count > int.MaxValue)
                    throw new CommandException(BadSetExFieldCount);
                int remaining = a.Length - i - 2;
                if (remaining % 2 != 0 || count != remaining / 2) throw new CommandException(Errors.WrongArity("hsetex"));
                return (options, at, expireAt, i + 2, (int)count);
            }
            if (ExpireOption(arg) is { } ttl)
            {
                if ((options & (SetExOptions.Expire | SetExOptions.KeepTtl)) != 0) throw new CommandException(ExpireConflict);
                if (i >= a.Length - 1) throw new CommandException(MissingExpire);
                options |= SetExOptions.Expire;
                expireAt = ++i;
                at = ParseDeadline(db, a[i], ttl.Unit, ttl.Relative, "hsetex");
            }
            else if (Args.Is(arg, "KEEPTTL"))
            {
                if ((options & (SetExOptions.Expire | SetExOptions.KeepTtl)) != 0) throw new CommandException(ExpireConflict);
                options |= SetExOptions.KeepTtl;
            }
            else if (Args.Is(arg, "FXX") || Args.Is(arg, "FNX"))
            {
                if ((options & (SetExOptions.Fxx | SetExOptions.Fnx)) != 0) throw new CommandException(FnxFxxConflict);
                options |= Args.Is(arg, "FXX") ? SetExOptions.Fxx : SetExOptions.Fnx;
            }
            else throw new CommandException(Reply.Error("ERR unknown argument: " + Args.Text(arg)));
        }
        throw new CommandException(Errors.Syntax); // unreachable with at least 6 arguments: some option conflicts first
    }
}
