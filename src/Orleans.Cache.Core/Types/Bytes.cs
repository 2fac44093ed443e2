namespace Orleans.Cache.Core;

/// <summary>Byte-string equality and ordering as Redis uses them for members and fields: by content, memcmp order.</summary>
public sealed class BytesComparer : IEqualityComparer<byte[]>, IComparer<byte[]>
{
    public static readonly BytesComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || x is not null && y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
