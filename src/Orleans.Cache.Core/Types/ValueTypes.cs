namespace Orleans.Cache.Core;

/// <summary>What every non-string value type provides to the generic key commands.</summary>
public interface IRedisValue
{
    /// <summary>The name TYPE answers ("hash", "list", …).</summary>
    string TypeName { get; }

    /// <summary>A deep copy, for COPY.</summary>
    IRedisValue Clone();
}

public static class ValueTypes
{
    public static string NameOf(object value) => value switch
    {
        byte[] => "string",
        IRedisValue v => v.TypeName,
        _ => "none",
    };

    /// <summary>A copy that shares nothing mutable with <paramref name="value"/> (strings are never mutated in place).</summary>
    public static object Clone(object value) => value is IRedisValue v ? v.Clone() : value;
}
