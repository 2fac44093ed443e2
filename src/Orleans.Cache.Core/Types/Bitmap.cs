using System.Numerics;

namespace Orleans.Cache.Core;

/// <summary>
/// Bit operations on string values (Redis's bitops.c). Bit 0 is the most significant bit of the first byte.
/// Writes go to a <see cref="StringBuffer"/> in place (see <see cref="RedisString.Writable(Keyspace, byte[], long)"/>).
/// </summary>
internal static class Bitmap
{
    /// <summary>Offsets address at most 2^32 bits: a 512 MB string, Redis's proto-max-bulk-len.</summary>
    public const long MaxBits = 1L << 32;

    public static readonly Reply BadOffset = Reply.Error("ERR bit offset is not an integer or out of range");

    public static long Offset(byte[] arg) =>
        Args.TryLong(arg, out long v) && v >= 0 && v < MaxBits ? v : throw new CommandException(BadOffset);

    /// <summary>The bit at <paramref name="bit"/>; bits past the end read as 0.</summary>
    public static int GetBit(ReadOnlySpan<byte> s, long bit)
    {
        long i = bit >> 3;
        return i < s.Length ? (s[(int)i] >> (7 - (int)(bit & 7))) & 1 : 0;
    }

    public static void SetBit(Span<byte> s, long bit, int value)
    {
        int mask = 1 << (7 - (int)(bit & 7));
        if (value != 0) s[(int)(bit >> 3)] |= (byte)mask;
        else s[(int)(bit >> 3)] &= (byte)~mask;
    }

    /// <summary>Reads <paramref name="bits"/> (1..64) bits at <paramref name="offset"/> as an unsigned number; missing bytes read as 0.</summary>
    public static ulong Read(ReadOnlySpan<byte> s, long offset, int bits)
    {
        ulong v = 0;
        for (int i = 0; i < bits; i++) v = (v << 1) | (uint)GetBit(s, offset + i);
        return v;
    }

    public static void Write(Span<byte> s, long offset, int bits, ulong value)
    {
        for (int i = 0; i < bits; i++) SetBit(s, offset + i, (int)((value >> (bits - 1 - i)) & 1));
    }

    /// <summary>Set bits in bit positions [first, last] (inclusive, within the string).</summary>
    public static long Count(ReadOnlySpan<byte> s, long first, long last)
    {
        long count = 0;
        while (first <= last && (first & 7) != 0) count += GetBit(s, first++);
        while (last >= first && (last & 7) != 7) count += GetBit(s, last--);
        for (long i = first >> 3; i <= last >> 3 && first <= last; i++) count += BitOperations.PopCount(s[(int)i]);
        return count;
    }

    /// <summary>The first position in [first, last] holding <paramref name="bit"/>, or -1.</summary>
    public static long Find(ReadOnlySpan<byte> s, int bit, long first, long last)
    {
        byte skip = bit == 1 ? (byte)0 : (byte)0xFF;
        for (long i = first; i <= last;)
        {
            if ((i & 7) == 0 && i + 7 <= last && s[(int)(i >> 3)] == skip) { i += 8; continue; }
            if (GetBit(s, i) == bit) return i;
            i++;
        }
        return -1;
    }
}
