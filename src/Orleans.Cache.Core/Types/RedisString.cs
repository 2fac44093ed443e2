namespace Orleans.Cache.Core;

/// <summary>
/// Strings are stored as plain <see cref="byte"/>[] values. Stored arrays are never changed in place (a reply
/// may still be writing one out), so every update builds a new array.
/// </summary>
public static class RedisString
{
    /// <summary>Redis's proto-max-bulk-len default: the largest string a command may build.</summary>
    public const long MaxLength = 512L * 1024 * 1024;

    public static byte[]? Get(Keyspace db, ReadOnlySpan<byte> key) => db.Get<byte[]>(key);

    public static long ToLong(byte[] value) =>
        Args.TryLong(value, out long v) ? v : throw new CommandException(Errors.NotInteger);

    public static double ToDouble(byte[] value) =>
        Args.TryDouble(value, out double v) ? v : throw new CommandException(Errors.NotFloat);

    public static void CheckLength(long length) => CheckLength(0, length);

    /// <summary>Fails with Redis's proto-max-bulk-len error when <paramref name="offset"/> + <paramref name="append"/> bytes would exceed the limit (or overflow).</summary>
    public static void CheckLength(long offset, long append)
    {
        if (offset > MaxLength || append > MaxLength - offset) throw new CommandException(Errors.StringTooLong);
    }
}
