using System.Buffers.Binary;
using System.Numerics;

namespace Orleans.Cache.Core;

/// <summary>
/// Redis's HyperLogLog (hyperloglog.c) kept in a string value in Redis's own layout: a 16-byte "HYLL" header and
/// 16384 six-bit registers, so GET/SET round-trip with Redis. Writes always produce the dense encoding; the sparse
/// encoding Redis uses for small sets is read too. Counts use Redis's hash (MurmurHash64A) and estimator (Ertl's
/// improved raw estimate), so they match Redis's: standard error 0.81%.
/// </summary>
internal static class HyperLogLog
{
    private const int P = 14;
    private const int Registers = 1 << P;
    private const int Q = 64 - P;
    private const int HeaderSize = 16;
    public const int DenseSize = HeaderSize + Registers * 6 / 8;

    public static readonly Reply NotHll = Reply.Error("WRONGTYPE Key is not a valid HyperLogLog string value.");
    public static readonly Reply Corrupted = Reply.Error("INVALIDOBJ Corrupted HLL object detected");

    public static byte[] EmptyRegisters() => new byte[Registers];

    /// <summary>A new, empty dense HLL string.</summary>
    public static byte[] Create()
    {
        var s = new byte[DenseSize];
        "HYLL"u8.CopyTo(s);
        s[15] = 0x80; // no cached cardinality
        return s;
    }

    /// <summary>The registers of an HLL string (dense or sparse); WRONGTYPE for any other string.</summary>
    public static byte[] Read(ReadOnlySpan<byte> s)
    {
        if (s.Length < HeaderSize || !s[..4].SequenceEqual("HYLL"u8) || s[4] > 1)
            throw new CommandException(NotHll);
        var registers = new byte[Registers];
        if (s[4] == 0)
        {
            if (s.Length != DenseSize) throw new CommandException(NotHll);
            for (int i = 0; i < Registers; i++) registers[i] = GetDense(s, i);
            return registers;
        }
        int index = 0;
        for (int p = HeaderSize; p < s.Length; p++)
        {
            int op = s[p];
            if ((op & 0xC0) == 0) index += (op & 0x3F) + 1; // ZERO: a run of up to 64 empty registers
            else if ((op & 0xC0) == 0x40)
            {
                if (++p >= s.Length) throw new CommandException(Corrupted);
                index += (((op & 0x3F) << 8) | s[p]) + 1; // XZERO: a run of up to 16384 empty registers
            }
            else
            {
                int value = ((op >> 2) & 0x1F) + 1, run = (op & 3) + 1; // VAL: a run of equal registers
                if (index + run > Registers) throw new CommandException(Corrupted);
                for (int k = 0; k < run; k++) registers[index++] = (byte)value;
            }
        }
        if (index != Registers) throw new CommandException(Corrupted);
        return registers;
    }

    /// <summary>A dense HLL string holding these registers (cached cardinality marked stale).</summary>
    public static byte[] Write(byte[] registers)
    {
        var s = Create();
        for (int i = 0; i < Registers; i++) SetDense(s, i, registers[i]);
        return s;
    }

    private static byte GetDense(ReadOnlySpan<byte> s, int register)
    {
        int bit = register * 6, b = HeaderSize + bit / 8, shift = bit & 7;
        int low = s[b] >> shift, high = b + 1 < s.Length ? s[b + 1] << (8 - shift) : 0;
        return (byte)((low | high) & 63);
    }

    private static void SetDense(byte[] s, int register, byte value)
    {
        int bit = register * 6, b = HeaderSize + bit / 8, shift = bit & 7;
        s[b] = (byte)(s[b] & ~(63 << shift) | value << shift);
        if (b + 1 < s.Length) s[b + 1] = (byte)(s[b + 1] & ~(63 >> (8 - shift)) | value >> (8 - shift));
    }

    /// <summary>Adds an element; true when a register grew.</summary>
    public static bool Add(byte[] registers, ReadOnlySpan<byte> element)
    {
        ulong hash = MurmurHash64A(element, 0xadc83b19);
        int index = (int)(hash & (Registers - 1));
        hash >>= P;
        hash |= 1UL << Q; // bounds the run so the count is at most Q + 1
        byte count = (byte)(BitOperations.TrailingZeroCount(hash) + 1);
        if (registers[index] >= count) return false;
        registers[index] = count;
        return true;
    }

    /// <summary>The cardinality estimate of a register set.</summary>
    public static long Count(byte[] registers)
    {
        Span<int> histogram = stackalloc int[64];
        foreach (byte r in registers) histogram[r]++;
        double m = Registers;
        double z = m * Tau((m - histogram[Q + 1]) / m);
        for (int j = Q; j >= 1; j--)
        {
            z += histogram[j];
            z *= 0.5;
        }
        z += m * Sigma(histogram[0] / m);
        return (long)Math.Round(0.721347520444481703680 * m * m / z, MidpointRounding.AwayFromZero);
    }

    private static double Sigma(double x)
    {
        if (x == 1) return double.PositiveInfinity;
        double y = 1, z = x, previous;
        do
        {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        } while (previous != z);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0 || x == 1) return 0;
        double y = 1, z = 1 - x, previous;
        do
        {
            x = Math.Sqrt(x);
            previous = z;
            y *= 0.5;
            z -= (1 - x) * (1 - x) * y;
        } while (previous != z);
        return z / 3;
    }

    /// <summary>Austin Appleby's MurmurHash64A, reading blocks little-endian as Redis does.</summary>
    public static ulong MurmurHash64A(ReadOnlySpan<byte> data, uint seed)
    {
        const ulong m = 0xc6a4a7935bd1e995;
        const int r = 47;
        ulong h = seed ^ ((ulong)data.Length * m);
        int blocks = data.Length / 8;
        for (int i = 0; i < blocks; i++)
        {
            ulong k = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i * 8, 8));
            k *= m;
            k ^= k >> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        var tail = data[(blocks * 8)..];
        if (tail.Length > 0)
        {
            for (int i = tail.Length - 1; i >= 0; i--) h ^= (ulong)tail[i] << (8 * i);
            h *= m;
        }
        h ^= h >> r;
        h *= m;
        h ^= h >> r;
        return h;
    }
}
