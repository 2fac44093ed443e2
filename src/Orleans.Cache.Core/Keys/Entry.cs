namespace Orleans.Cache.Core;

/// <summary>One key of a keyspace: its name, its value (a type from <c>Types/</c>) and its absolute expiry.</summary>
public sealed class Entry
{
    public byte[] Key { get; }
    internal readonly int Hash;
    internal Entry? Next;

    /// <summary>The value: <see cref="byte"/>[] for strings; later types bring their own classes.</summary>
    public object Value { get; internal set; }

    /// <summary>Unix time in milliseconds when the key expires; 0 when it does not.</summary>
    public long ExpireAt { get; internal set; }

    /// <summary>Set when the entry leaves its table, so stale references (the deadline index) can tell.</summary>
    internal bool Removed;

    internal Entry(byte[] key, int hash, object value)
    {
        Key = key; Hash = hash; Value = value;
    }

    public bool HasExpiry => ExpireAt != 0;
}
