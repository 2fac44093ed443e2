namespace Orleans.Cache.Core;

/// <summary>What every non-string value type provides to the generic key commands.</summary>
internal interface IRedisValue
{
    /// <summary>The name TYPE answers ("hash", "list", …).</summary>
    string TypeName { get; }

    /// <summary>The bytes the keyspace last charged for this value (see <see cref="Keyspace.UsedMemory"/>); only the keyspace sets it.</summary>
    long Charged { get; set; }

    /// <summary>How many elements the value holds (fields, members, list elements).</summary>
    int Count { get; }

    /// <summary>A deep copy, for COPY.</summary>
    IRedisValue Clone();
}

internal static class ValueTypes
{
    public static string NameOf(object value) => value switch
    {
        byte[] or StringBuffer => "string",
        IRedisValue v => v.TypeName,
        _ => "none",
    };

    /// <summary>
    /// A copy that shares nothing mutable with <paramref name="value"/>: a plain string array is never written in place,
    /// so it is shared; a <see cref="StringBuffer"/> is copied (exactly sized, and still "raw" as Redis's copy is).
    /// </summary>
    public static object Clone(object value) => value switch
    {
        IRedisValue v => v.Clone(),
        StringBuffer b => new StringBuffer(b.Span),
        _ => value,
    };
}
