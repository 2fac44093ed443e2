namespace Orleans.Cache.Core;

/// <summary>Turns relative and absolute TTL arguments (EX, PX, EXAT, PXAT, EXPIRE's seconds …) into absolute Unix milliseconds.</summary>
internal static class Expiry
{
    public enum Unit { Seconds, Milliseconds }

    /// <summary>
    /// The absolute expiry for <paramref name="arg"/>; relative values are added to now. Fails with
    /// "invalid expire time in '&lt;cmd&gt;'" on overflow, and also on values ≤ 0 when <paramref name="positive"/>.
    /// </summary>
    public static long At(Keyspace db, ReadOnlySpan<byte> arg, Unit unit, bool relative, string command, bool positive)
    {
        long value = Args.Long(arg);
        if (positive && value <= 0) throw new CommandException(Errors.InvalidExpire(command));
        if (unit == Unit.Seconds)
        {
            if (value > long.MaxValue / 1000 || value < long.MinValue / 1000) throw new CommandException(Errors.InvalidExpire(command));
            value *= 1000;
        }
        if (relative)
        {
            if (value > 0 && db.Now > long.MaxValue - value || value < 0 && db.Now < long.MinValue - value)
                throw new CommandException(Errors.InvalidExpire(command));
            value += db.Now;
        }
        return value;
    }

    /// <summary>Applies an absolute expiry; a time not in the future deletes the key at once, as Redis does.</summary>
    public static void Apply(Keyspace db, Entry entry, long at)
    {
        if (at <= db.Now)
        {
            db.Remove(entry);
            db.Notify(KeyspaceEventFlags.Generic, "del", entry.Key);
            db.PropagateAfter([EffectWords.Del, entry.Key]);
        }
        else
        {
            db.SetExpiry(entry, at);
            db.Notify(KeyspaceEventFlags.Generic, "expire", entry.Key);
            db.PropagateAfter([EffectWords.PExpireAt, entry.Key, Args.FormatLong(at)]);
        }
    }
}
