using System.IO.Hashing;
using System.Runtime.CompilerServices;

namespace Orleans.Cache.Core;

/// <summary>Byte-string equality and ordering as Redis uses them for members and fields: by content, memcmp order.</summary>
internal sealed class BytesComparer : IEqualityComparer<byte[]>, IComparer<byte[]>
{
    public static readonly BytesComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || x is not null && y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => Hash(obj);

    // Random per process, as string hashing is, so clients cannot pick keys that all collide.
    private static readonly long Seed = Random.Shared.NextInt64();

    /// <summary>
    /// The hash every table of byte strings uses (keys, members, fields): XXH3 with a per-process seed. For the
    /// short keys caches hold it is a few multiplications, several times cheaper than <see cref="HashCode.AddBytes"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Hash(ReadOnlySpan<byte> bytes) => (int)XxHash3.HashToUInt64(bytes, Seed);

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
