using System.Numerics;

namespace Orleans.Cache.Core;

/// <summary>
/// Bit operations on string values (Redis's bitops.c). Bit 0 is the most significant bit of the first byte.
/// Strings are never changed in place, so writes return a new array (grown with zero bytes as needed).
/// </summary>
public static class Bitmap
{
    /// <summary>Offsets address at most 2^32 bits: a 512 MB string, Redis's proto-max-bulk-len.</summary>
    public const long MaxBits = 1L << 32;

    public static readonly Reply BadOffset = Reply.Error("ERR bit offset is not an integer or out of range");

    public static long Offset(byte[] arg) =>
        Args.TryLong(arg, out long v) && v >= 0 && v < MaxBits ? v : throw new CommandException(BadOffset);

    public static int GetBit(byte[]? s, long bit)
    {
        long i = bit >> 3;
        return s is not null && i < s.Length ? (s[i] >> (7 - (int)(bit & 7))) & 1 : 0;
    }

    /// <summary>A copy of <paramref name="s"/> at least <paramref name="bytes"/> long.</summary>
    public static byte[] Grown(byte[]? s, long bytes)
    {
        var copy = new byte[Math.Max(s?.Length ?? 0, bytes)];
        s?.CopyTo(copy, 0);
        return copy;
    }

    public static void SetBit(byte[] s, long bit, int value)
    {
        int mask = 1 << (7 - (int)(bit & 7));
        if (value != 0) s[bit >> 3] |= (byte)mask;
        else s[bit >> 3] &= (byte)~mask;
    }

    /// <summary>Reads <paramref name="bits"/> (1..64) bits at <paramref name="offset"/> as an unsigned number; missing bytes read as 0.</summary>
    public static ulong Read(byte[]? s, long offset, int bits)
    {
        ulong v = 0;
        for (int i = 0; i < bits; i++) v = (v << 1) | (uint)GetBit(s, offset + i);
        return v;
    }

    public static void Write(byte[] s, long offset, int bits, ulong value)
    {
        for (int i = 0; i < bits; i++) SetBit(s, offset + i, (int)((value >> (bits - 1 - i)) & 1));
    }

    /// <summary>Set bits in bit positions [first, last] (inclusive, within the string).</summary>
    public static long Count(byte[] s, long first, long last)
    {
        long count = 0;
        while (first <= last && (first & 7) != 0) count += GetBit(s, first++);
        while (last >= first && (last & 7) != 7) count += GetBit(s, last--);
        for (long i = first >> 3; i <= last >> 3 && first <= last; i++) count += BitOperations.PopCount(s[i]);
        return count;
    }

    /// <summary>The first position in [first, last] holding <paramref name="bit"/>, or -1.</summary>
    public static long Find(byte[] s, int bit, long first, long last)
    {
        byte skip = bit == 1 ? (byte)0 : (byte)0xFF;
        for (long i = first; i <= last;)
        {
            if ((i & 7) == 0 && i + 7 <= last && s[i >> 3] == skip) { i += 8; continue; }
            if (GetBit(s, i) == bit) return i;
            i++;
        }
        return -1;
    }
}
