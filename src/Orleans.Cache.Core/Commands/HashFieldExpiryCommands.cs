namespace Orleans.Cache.Core;

/// <summary>
/// Hash field expiration (Redis 7.4): HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME
/// and HPERSIST, with Redis's per-field reply codes and error texts. Expired fields are reclaimed by
/// <see cref="RedisHash.Get(Keyspace, byte[])"/> before any hash command sees them, and by the keyspace's active sweep.
/// </summary>
internal static class HashFieldExpiryCommands
{
    /// <summary>The latest deadline a field may get (Redis's HFE_MAX_ABS_TIME_MSEC, 2^46 - 1 ms: the year 4199).</summary>
    public const long MaxDeadline = ((1L << 48) - 1) >> 2;

    internal static readonly Reply BadFieldCount = Reply.Error("ERR Number of fields must be a positive integer");
    private static readonly Reply BadExpireFieldCount = Reply.Error("ERR Parameter `numFields` should be greater than 0");
    private static readonly Reply MissingFields = Reply.Error("ERR Mandatory argument FIELDS is missing or not at the right position");
    private static readonly Reply FieldCountMismatch = Reply.Error("ERR The `numfields` parameter must match the number of arguments");
    private static readonly Reply NegativeExpire = Reply.Error("ERR invalid expire time, must be >= 0");

    /// <summary>What a deadline condition (NX, XX, GT, LT) asks of each field.</summary>
    public enum Condition { None, Nx, Xx, Gt, Lt }

    /// <summary>The per-field answers of HEXPIRE and friends.</summary>
    public const int NoSuchField = -2, ConditionNotMet = 0, Updated = 1, Deleted = 2;

    public static Reply HExpire(Keyspace db, byte[][] a) => SetExpire(db, a, Expiry.Unit.Seconds, relative: true, "hexpire");
    public static Reply HPExpire(Keyspace db, byte[][] a) => SetExpire(db, a, Expiry.Unit.Milliseconds, relative: true, "hpexpire");
    public static Reply HExpireAt(Keyspace db, byte[][] a) => SetExpire(db, a, Expiry.Unit.Seconds, relative: false, "hexpireat");
    public static Reply HPExpireAt(Keyspace db, byte[][] a) => SetExpire(db, a, Expiry.Unit.Milliseconds, relative: false, "hpexpireat");

    /// <summary>HEXPIRE key time [NX|XX|GT|LT] FIELDS numfields field …: an array of -2, 0, 1 or 2, one per field.</summary>
    private static Reply SetExpire(Keyspace db, byte[][] a, Expiry.Unit unit, bool relative, string name)
    {
        var key = a[1];
        var hash = RedisHash.Get(db, key, out var entry);
        long at = ParseDeadline(db, a[2], unit, relative, name);
        var condition = ParseCondition(a[3]);
        int countAt = condition == Condition.None ? 4 : 5;
        int count = ParseFields(a, countAt, BadExpireFieldCount);
        if (hash is null) return Repeat(Reply.Int(NoSuchField), count);

        var replies = new Reply[count];
        var updated = new List<byte[]>();
        int deleted = 0;
        for (int i = 0; i < count; i++)
        {
            var field = a[countAt + 1 + i];
            int result = SetFieldDeadline(db, key, hash, field, at, condition);
            if (result == Updated) updated.Add(field);
            if (result == Deleted) deleted++;
            replies[i] = Reply.Int(result);
        }
        if (deleted + updated.Count > 0) db.Notify(KeyspaceEventFlags.Hash, deleted > 0 ? "hdel" : "hexpire", key);
        RedisHash.DeleteIfEmpty(db, key, hash);
        if (updated.Count > 0)
        {
            db.Propagate(DeadlineEffect(key, at, updated));
            db.WatchFieldDeadlines(entry!, hash);
        }
        return Reply.Array(replies);
    }

    public static Reply HTtl(Keyspace db, byte[][] a) => TimeToLive(db, a, absolute: false, seconds: true);
    public static Reply HPTtl(Keyspace db, byte[][] a) => TimeToLive(db, a, absolute: false, seconds: false);
    public static Reply HExpireTime(Keyspace db, byte[][] a) => TimeToLive(db, a, absolute: true, seconds: true);
    public static Reply HPExpireTime(Keyspace db, byte[][] a) => TimeToLive(db, a, absolute: true, seconds: false);

    /// <summary>
    /// HTTL key FIELDS numfields field …: per field -2 (no such field), -1 (no TTL) or the remaining (or absolute) time;
    /// seconds are rounded up, as Redis does for hash fields.
    /// </summary>
    private static Reply TimeToLive(Keyspace db, byte[][] a, bool absolute, bool seconds)
    {
        var hash = RedisHash.Get(db, a[1]);
        int count = ParseFields(a, 3, BadFieldCount);
        long from = absolute ? 0 : db.Now;
        var replies = new Reply[count];
        for (int i = 0; i < count; i++)
        {
            var field = a[4 + i];
            long at = hash?.DeadlineOf(field) ?? 0;
            replies[i] = hash is null || !hash.ContainsKey(field) ? Reply.Int(NoSuchField)
                : at == 0 ? Reply.Int(-1)
                : Reply.Int(seconds ? (at + 999 - from) / 1000 : at - from);
        }
        return Reply.Array(replies);
    }

    /// <summary>HPERSIST key FIELDS numfields field …: per field -2 (no such field), -1 (no TTL) or 1 (TTL removed).</summary>
    public static Reply HPersist(Keyspace db, byte[][] a)
    {
        var hash = RedisHash.Get(db, a[1]);
        int count = ParseFields(a, 3, BadFieldCount);
        if (hash is null) return Repeat(Reply.Int(NoSuchField), count);
        var replies = new Reply[count];
        bool changed = false;
        for (int i = 0; i < count; i++)
        {
            var field = a[4 + i];
            if (!hash.ContainsKey(field)) replies[i] = Reply.Int(NoSuchField);
            else if (!hash.ClearDeadline(field)) replies[i] = Reply.Int(-1);
            else { replies[i] = Reply.Int(1); changed = true; }
        }
        if (changed) db.Notify(KeyspaceEventFlags.Hash, "hpersist", a[1]);
        return Reply.Array(replies);
    }

    // ---- shared by the hash field expiry commands ----

    /// <summary>
    /// Gives <paramref name="field"/> the deadline <paramref name="at"/> under <paramref name="condition"/> (a field
    /// without TTL counts as an infinite TTL for GT and LT); a deadline not in the future deletes the field, emitting
    /// its HDEL effect. Returns -2, 0, 1 or 2 as HEXPIRE answers.
    /// </summary>
    internal static int SetFieldDeadline(Keyspace db, byte[] key, RedisHash hash, byte[] field, long at, Condition condition)
    {
        if (!hash.ContainsKey(field)) return NoSuchField;
        long current = hash.DeadlineOf(field);
        if (current == 0 ? condition is Condition.Xx or Condition.Gt
            : condition == Condition.Nx || condition == Condition.Gt && current >= at || condition == Condition.Lt && current <= at)
            return ConditionNotMet;
        if (at <= db.Now)
        {
            hash.Remove(field);
            db.Propagate(EffectWords.HDel, key, field);
            return Deleted;
        }
        hash.SetDeadline(field, at);
        return Updated;
    }

    /// <summary>The effect that replays deadlines set relative to now: HPEXPIREAT key at FIELDS n field …</summary>
    internal static byte[][] DeadlineEffect(byte[] key, long at, List<byte[]> fields) =>
        [EffectWords.HPExpireAt, key, Args.FormatLong(at), EffectWords.Fields, Args.FormatLong(fields.Count), .. fields];

    /// <summary>
    /// A field deadline argument as Redis's parseExpireTime reads it: an integer ≥ 0, relative values added to now, the
    /// result at most <see cref="MaxDeadline"/>.
    /// </summary>
    internal static long ParseDeadline(Keyspace db, byte[] arg, Expiry.Unit unit, bool relative, string command)
    {
        long value = Args.Long(arg);
        if (value < 0) throw new CommandException(NegativeExpire);
        if (unit == Expiry.Unit.Seconds)
        {
            if (value > MaxDeadline / 1000) throw new CommandException(Errors.InvalidExpire(command));
            value *= 1000;
        }
        long from = relative ? db.Now : 0;
        if (value > MaxDeadline - from) throw new CommandException(Errors.InvalidExpire(command));
        return value + from;
    }

    private static Condition ParseCondition(byte[] arg) =>
        Args.Is(arg, "NX") ? Condition.Nx : Args.Is(arg, "XX") ? Condition.Xx
        : Args.Is(arg, "GT") ? Condition.Gt : Args.Is(arg, "LT") ? Condition.Lt : Condition.None;

    /// <summary>
    /// Checks the FIELDS numfields field … block whose count is at <paramref name="countAt"/> and returns the count; the
    /// fields follow it and end the command.
    /// </summary>
    internal static int ParseFields(byte[][] a, int countAt, Reply badCount)
    {
        if (countAt >= a.Length) throw new CommandException(Errors.WrongArity(Args.Text(a[0])));
        if (!Args.Is(a[countAt - 1], "FIELDS")) throw new CommandException(MissingFields);
        if (!Args.TryLong(a[countAt], out long count) || count < 1) throw new CommandException(badCount);
        if (count != a.Length - countAt - 1) throw new CommandException(FieldCountMismatch);
        return (int)count;
    }

    internal static Reply Repeat(Reply item, int count)
    {
        var items = new Reply[count];
        Array.Fill(items, item);
        return Reply.Array(items);
    }
}
