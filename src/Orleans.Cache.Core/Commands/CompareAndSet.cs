using System.IO.Hashing;
using System.Text;

namespace Orleans.Cache.Core;

/// <summary>
/// Redis 8.4's value conditions on strings (optimistic locking): SET … IFEQ | IFNE | IFDEQ | IFDNE, DELEX with the same
/// conditions, and DIGEST, the value's XXH3 hash as 16 hex digits that IFDEQ and IFDNE compare against.
/// </summary>
internal readonly record struct ValueCondition(ValueCondition.Test Kind, byte[] Operand)
{
    public enum Test { Equal, NotEqual, DigestEqual, DigestNotEqual }

    private static readonly Reply BadDigest = Reply.Error("ERR must be exactly 16 hexadecimal characters");

    /// <summary>The condition keyword <paramref name="arg"/> (IFEQ, IFNE, IFDEQ, IFDNE, any case), or false.</summary>
    public static bool TryParse(byte[] arg, byte[] operand, out ValueCondition condition)
    {
        Test? test = Args.Is(arg, "IFEQ") ? Test.Equal : Args.Is(arg, "IFNE") ? Test.NotEqual
            : Args.Is(arg, "IFDEQ") ? Test.DigestEqual : Args.Is(arg, "IFDNE") ? Test.DigestNotEqual : null;
        condition = new ValueCondition(test ?? default, operand);
        return test is not null;
    }

    /// <summary>
    /// Whether the condition holds for the string at <paramref name="entry"/> (null: no key, where only IFNE and IFDNE
    /// hold). The digest operand must be 16 characters, compared with the value's digest ignoring case.
    /// </summary>
    public bool HoldsFor(Entry? entry)
    {
        bool negated = Kind is Test.NotEqual or Test.DigestNotEqual;
        if (entry is null) return negated;
        var value = RedisString.Bytes(entry.Value).Span;
        bool equal;
        if (Kind is Test.Equal or Test.NotEqual) equal = value.SequenceEqual(Operand);
        else
        {
            if (Operand.Length != 16) throw new CommandException(BadDigest);
            equal = Ascii.EqualsIgnoreCase(Digest(value), Operand);
        }
        return equal != negated;
    }

    /// <summary>The hash digest Redis reports: XXH3 (64 bits, seed 0) as 16 lower-case hex digits, leading zeros kept.</summary>
    public static byte[] Digest(ReadOnlySpan<byte> value) => Args.Bytes(XxHash3.HashToUInt64(value).ToString("x16"));
}

/// <summary>DIGEST and DELEX.</summary>
internal static class CompareAndSetCommands
{
    private static readonly Reply NotString = Reply.Error("ERR Key should be of string type if conditions are specified");
    private static readonly Reply InvalidCondition = Reply.Error("ERR Invalid condition. Use IFEQ, IFNE, IFDEQ, or IFDNE");

    /// <summary>DIGEST key: the value's hash digest, nil for a missing key.</summary>
    public static Reply Digest(Keyspace db, byte[][] a) =>
        RedisString.Read(db, a[1]) is { } value ? Reply.Bulk(ValueCondition.Digest(value.Span)) : Reply.Nil;

    /// <summary>
    /// DELEX key [IFEQ value | IFNE value | IFDEQ digest | IFDNE digest]: 1 when the key was deleted. Without a condition
    /// it deletes a key of any type; with one, a missing key answers 0 before anything else is checked.
    /// </summary>
    public static Reply DelEx(Keyspace db, byte[][] a)
    {
        if (a.Length is not (2 or 4)) return Errors.WrongArity("delex");
        var key = a[1];
        var entry = db.Find(key);
        if (entry is null) return Reply.Int(0);
        if (a.Length == 4)
        {
            if (!RedisString.IsString(entry.Value)) return NotString;
            if (!ValueCondition.TryParse(a[2], a[3], out var condition)) return InvalidCondition;
            if (!condition.HoldsFor(entry)) return Reply.Int(0);
        }
        db.Remove(entry);
        db.Notify(KeyspaceEventFlags.Generic, "del", key);
        db.Propagate(EffectWords.Del, key);
        return Reply.Int(1);
    }
}
