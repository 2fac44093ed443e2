using System.Globalization;

namespace Orleans.Cache.Core;

/// <summary>The generic family (Redis's db.c and expire.c): commands that work on keys of any type.</summary>
internal static class KeyCommands
{
    public static Reply Del(Keyspace db, byte[][] a)
    {
        long deleted = 0;
        for (int i = 1; i < a.Length; i++)
        {
            if (!db.Delete(a[i])) continue;
            deleted++;
            db.Notify(KeyspaceEventFlags.Generic, "del", a[i]);
        }
        return Reply.Int(deleted);
    }

    /// <summary>EXISTS: a key named twice counts twice. Does not count as an access (OBJECT IDLETIME), as in Redis.</summary>
    public static Reply Exists(Keyspace db, byte[][] a)
    {
        long found = 0;
        for (int i = 1; i < a.Length; i++) if (db.Peek(a[i]) is not null) found++;
        return Reply.Int(found);
    }

    /// <summary>TOUCH: counts like EXISTS, and records the access (resets OBJECT IDLETIME).</summary>
    public static Reply Touch(Keyspace db, byte[][] a)
    {
        long found = 0;
        for (int i = 1; i < a.Length; i++) if (db.Find(a[i]) is not null) found++;
        return Reply.Int(found);
    }

    public static Reply Type(Keyspace db, byte[][] a) =>
        Reply.Simple(db.Peek(a[1]) is { } e ? ValueTypes.NameOf(e.Value) : "none");

    public static Reply Expire(Keyspace db, byte[][] a) => SetExpire(db, a, Expiry.Unit.Seconds, relative: true, "expire");
    public static Reply PExpire(Keyspace db, byte[][] a) => SetExpire(db, a, Expiry.Unit.Milliseconds, relative: true, "pexpire");
    public static Reply ExpireAt(Keyspace db, byte[][] a) => SetExpire(db, a, Expiry.Unit.Seconds, relative: false, "expireat");
    public static Reply PExpireAt(Keyspace db, byte[][] a) => SetExpire(db, a, Expiry.Unit.Milliseconds, relative: false, "pexpireat");

    /// <summary>EXPIRE key time [NX|XX|GT|LT]; a key without TTL counts as an infinite TTL for GT and LT.</summary>
    private static Reply SetExpire(Keyspace db, byte[][] a, Expiry.Unit unit, bool relative, string name)
    {
        bool nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < a.Length; i++)
        {
            if (Args.Is(a[i], "NX")) nx = true;
            else if (Args.Is(a[i], "XX")) xx = true;
            else if (Args.Is(a[i], "GT")) gt = true;
            else if (Args.Is(a[i], "LT")) lt = true;
            else return Errors.UnsupportedOption(Args.Text(a[i]));
        }
        if (nx && (xx || gt || lt)) return Errors.ExpireNxConflict;
        if (gt && lt) return Errors.ExpireGtLtConflict;

        long at = Expiry.At(db, a[2], unit, relative, name, positive: false);
        var entry = db.Find(a[1]);
        if (entry is null) return Reply.Int(0);
        long current = entry.ExpireAt;
        if (nx && current != 0) return Reply.Int(0);
        if (xx && current == 0) return Reply.Int(0);
        if (gt && (current == 0 || at <= current)) return Reply.Int(0);
        if (lt && current != 0 && at >= current) return Reply.Int(0);
        Expiry.Apply(db, entry, at);
        return Reply.Int(1);
    }

    public static Reply Ttl(Keyspace db, byte[][] a) => TimeToLive(db, a[1], absolute: false, seconds: true);
    public static Reply PTtl(Keyspace db, byte[][] a) => TimeToLive(db, a[1], absolute: false, seconds: false);
    public static Reply ExpireTime(Keyspace db, byte[][] a) => TimeToLive(db, a[1], absolute: true, seconds: true);
    public static Reply PExpireTime(Keyspace db, byte[][] a) => TimeToLive(db, a[1], absolute: true, seconds: false);

    /// <summary>
    /// -2 for a missing key, -1 for a key without TTL, else the remaining (or absolute) time, never negative;
    /// seconds are rounded to the nearest, as Redis does for TTL and EXPIRETIME alike. Not an access (IDLETIME).
    /// </summary>
    private static Reply TimeToLive(Keyspace db, byte[] key, bool absolute, bool seconds)
    {
        var entry = db.Peek(key);
        if (entry is null) return Reply.Int(-2);
        if (entry.ExpireAt == 0) return Reply.Int(-1);
        long ms = Math.Max(0, absolute ? entry.ExpireAt : entry.ExpireAt - db.Now);
        return Reply.Int(seconds ? ms / 1000 + (ms % 1000 >= 500 ? 1 : 0) : ms);
    }

    public static Reply Persist(Keyspace db, byte[][] a)
    {
        var entry = db.Find(a[1]);
        if (entry is null || entry.ExpireAt == 0) return Reply.Int(0);
        db.ClearExpiry(entry);
        db.Notify(KeyspaceEventFlags.Generic, "persist", a[1]);
        return Reply.Int(1);
    }

    public static Reply Rename(Keyspace db, byte[][] a) => RenameKey(db, a, onlyIfAbsent: false);
    public static Reply RenameNx(Keyspace db, byte[][] a) => RenameKey(db, a, onlyIfAbsent: true);

    private static Reply RenameKey(Keyspace db, byte[][] a, bool onlyIfAbsent)
    {
        var source = db.Find(a[1]);
        if (source is null) return Errors.NoSuchKey;
        if (a[1].AsSpan().SequenceEqual(a[2])) return onlyIfAbsent ? Reply.Int(0) : Reply.Ok;
        if (onlyIfAbsent && db.Find(a[2]) is not null) return Reply.Int(0);
        long expireAt = source.ExpireAt;
        db.Remove(source);
        db.Delete(a[2]); // Redis deletes a destination and adds the key anew, so "new" fires even when it existed
        var target = db.Set(a[2], source.Value);
        if (expireAt != 0) db.SetExpiry(target, expireAt);
        db.Notify(KeyspaceEventFlags.Generic, "rename_from", a[1]);
        db.Notify(KeyspaceEventFlags.Generic, "rename_to", a[2]);
        return onlyIfAbsent ? Reply.Int(1) : Reply.Ok;
    }

    /// <summary>COPY source destination [DB 0] [REPLACE].</summary>
    public static Reply Copy(Keyspace db, byte[][] a)
    {
        bool replace = false;
        for (int i = 3; i < a.Length; i++)
        {
            if (Args.Is(a[i], "REPLACE")) replace = true;
            else if (Args.Is(a[i], "DB") && i + 1 < a.Length)
            {
                long index = Args.Long(a[++i]);
                if (index is < int.MinValue or > int.MaxValue) return Errors.NotInt32;
                if (index != 0) return Errors.DbIndexOutOfRange; // one database, as Redis Cluster has
            }
            else return Errors.Syntax;
        }
        if (a[1].AsSpan().SequenceEqual(a[2])) return Errors.SameObject;
        var source = db.Find(a[1]);
        if (source is null) return Reply.Int(0);
        if (db.Find(a[2]) is { } existing)
        {
            if (!replace) return Reply.Int(0);
            db.Remove(existing); // as in Redis: the old destination goes, the copy is a new key ("new" fires)
        }
        var target = db.Set(a[2], ValueTypes.Clone(source.Value));
        if (source.ExpireAt != 0) db.SetExpiry(target, source.ExpireAt);
        db.Notify(KeyspaceEventFlags.Generic, "copy_to", a[2]);
        return Reply.Int(1);
    }

    /// <summary>KEYS pattern, for this partition; the front door concatenates partitions.</summary>
    public static Reply Keys(Keyspace db, byte[][] a)
    {
        var pattern = a[1];
        bool all = pattern is [(byte)'*'];
        var keys = new List<Reply>();
        foreach (var e in db.Entries())
            if (all || Glob.IsMatch(pattern, e.Key)) keys.Add(Reply.Bulk(e.Key));
        return Reply.Array([.. keys]);
    }

    /// <summary>
    /// SCAN cursor [MATCH pattern] [COUNT n] [TYPE type] over this partition: the cursor here is the partition's
    /// own bucket cursor (the front door folds the partition number into the cursor clients see).
    /// Replies [next-cursor, [keys…]] like Redis.
    /// </summary>
    public static Reply Scan(Keyspace db, byte[][] a)
    {
        if (!TryCursor(a[1], out ulong cursor)) return Errors.InvalidCursor;
        var options = ScanOptions.Parse(a, 2);
        var found = new List<Entry>();
        ulong next = db.Scan(cursor, options.Count, found);
        var keys = new List<Reply>(found.Count);
        foreach (var e in found)
            if (options.Accepts(e)) keys.Add(Reply.Bulk(e.Key));
        return Reply.Array([Reply.Bulk(next.ToString(CultureInfo.InvariantCulture)), Reply.Array([.. keys])]);
    }

    /// <summary>
    /// A SCAN cursor read as Redis reads it (C's strtoul, base 10): an optional sign, where "-n" wraps around, digits
    /// that fit in 64 bits, no spaces; an empty string is cursor 0.
    /// </summary>
    public static bool TryCursor(ReadOnlySpan<byte> s, out ulong cursor)
    {
        cursor = 0;
        if (s.Length == 0) return true;
        bool negative = s[0] == '-';
        if (s[0] is (byte)'-' or (byte)'+') s = s[1..];
        if (s.Length == 0) return false;
        foreach (byte c in s)
        {
            uint d = (uint)(c - '0');
            if (d > 9 || cursor > (ulong.MaxValue - d) / 10) return false;
            cursor = cursor * 10 + d;
        }
        if (negative) cursor = 0 - cursor;
        return true;
    }

    public static Reply RandomKey(Keyspace db, byte[][] a) => Reply.Bulk(db.RandomEntry()?.Key);

    public static Reply DbSize(Keyspace db, byte[][] a) => Reply.Int(db.Count);

    /// <summary>FLUSHDB / FLUSHALL [ASYNC|SYNC]: both are immediate here.</summary>
    public static Reply FlushDb(Keyspace db, byte[][] a)
    {
        if (a.Length > 2 || a.Length == 2 && !Args.Is(a[1], "ASYNC") && !Args.Is(a[1], "SYNC")) return Errors.Syntax;
        db.Flush();
        return Reply.Ok;
    }
}

/// <summary>The MATCH / COUNT / TYPE options shared by SCAN and the type-specific scans.</summary>
internal readonly record struct ScanOptions(byte[]? Pattern, int Count, string? Type)
{
    public static ScanOptions Parse(byte[][] a, int from)
    {
        byte[]? pattern = null;
        string? type = null;
        long count = 10;
        for (int i = from; i < a.Length; i++)
        {
            if (i + 1 >= a.Length) throw new CommandException(Errors.Syntax);
            if (Args.Is(a[i], "MATCH")) pattern = a[++i];
            else if (Args.Is(a[i], "COUNT"))
            {
                count = Args.Long(a[++i]);
                if (count < 1) throw new CommandException(Errors.Syntax);
            }
            else if (Args.Is(a[i], "TYPE")) type = Args.Text(a[++i]).ToLowerInvariant();
            else throw new CommandException(Errors.Syntax);
        }
        return new ScanOptions(pattern is [(byte)'*'] ? null : pattern, (int)Math.Min(count, int.MaxValue), type);
    }

    public bool Accepts(Entry e) =>
        (Pattern is null || Glob.IsMatch(Pattern, e.Key)) && (Type is null || ValueTypes.NameOf(e.Value) == Type);
}
