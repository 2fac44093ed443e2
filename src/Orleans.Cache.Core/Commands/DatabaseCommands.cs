namespace Orleans.Cache.Core;

/// <summary>
/// SWAPDB and MOVE on a server with one database (redis.conf <c>databases 1</c>): the checks run in Redis's order, so a
/// request names database 0 (a no-op for SWAPDB, "same objects" for MOVE), another database (out of range) or no number.
/// </summary>
internal static class DatabaseCommands
{
    /// <summary>How many databases the server presents (SELECT, SWAPDB, MOVE).</summary>
    public const int Count = 1;

    private static readonly Reply InvalidFirst = Reply.Error("ERR invalid first DB index");
    private static readonly Reply InvalidSecond = Reply.Error("ERR invalid second DB index");

    /// <summary>SWAPDB index1 index2: both must be integers, then both in range; swapping database 0 with itself is OK.</summary>
    public static Reply SwapDb(byte[][] a)
    {
        if (!TryIndex(a[1], out long first)) return InvalidFirst;
        if (!TryIndex(a[2], out long second)) return InvalidSecond;
        return InRange(first) && InRange(second) ? Reply.Ok : Errors.DbIndexOutOfRange;
    }

    /// <summary>MOVE key db: the index is checked before the key is looked at, so with one database no key ever moves.</summary>
    public static Reply Move(Keyspace db, byte[][] a)
    {
        if (!Args.TryLong(a[2], out long index)) return Errors.NotInteger;
        if (index is < int.MinValue or > int.MaxValue) return Errors.NotInt32;
        return InRange(index) ? Errors.SameObject : Errors.DbIndexOutOfRange;
    }

    // Redis reads database indexes with getIntFromObject: a 32-bit integer.
    private static bool TryIndex(byte[] arg, out long index) => Args.TryLong(arg, out index) && index is >= int.MinValue and <= int.MaxValue;

    private static bool InRange(long index) => index is >= 0 and < Count;
}
