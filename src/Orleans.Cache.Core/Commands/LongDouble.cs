using System.Numerics;
using System.Text;

namespace Orleans.Cache.Core;

/// <summary>
/// The number INCRBYFLOAT computes with: Redis uses the C <c>long double</c> of x86-64 (80-bit, 64-bit significand),
/// parses it with <c>strtold</c> and prints it with <c>"%.17Lf"</c> minus trailing zeros. A .NET double gives visibly
/// different answers (0.1 + 0.2 is "0.3" in Redis), so this emulates that format exactly: a finite value is
/// <see cref="Significand"/> × 2^<see cref="Exponent"/>, correctly rounded to 64 significant bits, ties to even.
/// </summary>
internal readonly record struct LongDouble(BigInteger Significand, int Exponent, int Infinity)
{
    private const int SignificandBits = 64;
    private const int MaxExponent = 16383;              // of the leading bit
    private const int MinScale = 16382 + SignificandBits - 1; // 2^-16445, the smallest subnormal
    private const int MaxChars = 5 * 1024;              // Redis's MAX_LONG_DOUBLE_CHARS

    /// <summary>True for ±infinity.</summary>
    public bool IsInfinity => Infinity != 0;

    /// <summary>
    /// Redis's string2ld: strtold's grammar (decimal or 0x hexadecimal, inf, infinity) with nothing before or after the
    /// number, no NaN, and no value that overflows to infinity or underflows to zero.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out LongDouble value)
    {
        value = default;
        if (s.Length == 0 || s.Length >= MaxChars) return false;
        bool negative = s[0] == '-';
        var body = s[0] is (byte)'-' or (byte)'+' ? s[1..] : s;
        if (Args.Is(body, "INF") || Args.Is(body, "INFINITY"))
        {
            value = new LongDouble(0, 0, negative ? -1 : 1);
            return true;
        }
        bool hex = body.Length > 2 && body[0] == '0' && (body[1] | 0x20) == 'x'
            && (IsHex(body[2]) || body[2] == '.' && body.Length > 3 && IsHex(body[3]));
        return hex ? TryParseHex(body[2..], negative, out value) : TryParseDecimal(body, negative, out value);
    }

    private static bool TryParseDecimal(ReadOnlySpan<byte> s, bool negative, out LongDouble value)
    {
        value = default;
        BigInteger digits = BigInteger.Zero;
        int count = 0, scale = 0, i = 0, significant = 0;
        bool dot = false;
        // Digits are gathered 18 at a time in a ulong, so a long input costs few BigInteger operations.
        ulong chunk = 0, chunkScale = 1;
        for (; i < s.Length; i++)
        {
            byte c = s[i];
            if (c == '.' && !dot) { dot = true; continue; }
            if (c < '0' || c > '9') break;
            count++;
            if (dot) scale--;
            if (significant > 0 || c != '0') significant++;
            chunk = chunk * 10 + (ulong)(c - '0');
            chunkScale *= 10;
            if (chunkScale == 1_000_000_000_000_000_000UL)
            {
                digits = digits * chunkScale + chunk;
                chunk = 0;
                chunkScale = 1;
            }
        }
        digits = digits * chunkScale + chunk;
        if (count == 0) return false;
        long exponent = 0;
        if (i < s.Length)
        {
            if ((s[i] | 0x20) != 'e' || !TryExponent(s[(i + 1)..], out exponent)) return false;
        }
        if (digits.IsZero) { value = default; return true; }
        long e10 = exponent + scale;
        // Decide overflow and underflow from the magnitude before doing any exact arithmetic on huge powers.
        if (significant + e10 - 1 > 4933) return false;
        if (significant + e10 < -4960) return false;
        var (num, den) = e10 >= 0 ? (digits * BigInteger.Pow(10, (int)e10), BigInteger.One) : (digits, BigInteger.Pow(10, (int)-e10));
        value = Round(num, den, 0, negative);
        return !value.IsInfinity && !value.Significand.IsZero;
    }

    private static bool TryParseHex(ReadOnlySpan<byte> s, bool negative, out LongDouble value)
    {
        value = default;
        BigInteger digits = BigInteger.Zero;
        int i = 0, scale = 0;
        bool dot = false;
        for (; i < s.Length; i++)
        {
            byte c = s[i];
            if (c == '.' && !dot) { dot = true; continue; }
            if (!IsHex(c)) break;
            int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
            if (dot) scale -= 4;
            digits = (digits << 4) + d;
        }
        long exponent = 0;
        if (i < s.Length)
        {
            if ((s[i] | 0x20) != 'p' || !TryExponent(s[(i + 1)..], out exponent)) return false;
        }
        if (digits.IsZero) { value = default; return true; }
        long significantBits = digits.GetBitLength();
        long e2 = exponent + scale;
        if (significantBits + e2 - 1 > MaxExponent) return false;
        if (significantBits + e2 < -MinScale - 2) return false;
        value = Round(digits, BigInteger.One, (int)e2, negative);
        return !value.IsInfinity && !value.Significand.IsZero;
    }

    /// <summary>An exponent's optional sign and at least one digit, saturating far beyond any representable value.</summary>
    private static bool TryExponent(ReadOnlySpan<byte> s, out long exponent)
    {
        exponent = 0;
        bool negative = s.Length > 0 && s[0] == '-';
        if (s.Length > 0 && s[0] is (byte)'-' or (byte)'+') s = s[1..];
        if (s.Length == 0) return false;
        foreach (byte c in s)
        {
            if (c < '0' || c > '9') return false;
            exponent = Math.Min(exponent * 10 + (c - '0'), 1_000_000_000);
        }
        if (negative) exponent = -exponent;
        return true;
    }

    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    /// <summary>The sum, rounded once to 64 significant bits as the x87 unit does; ±infinity on overflow (or NaN input).</summary>
    public static LongDouble operator +(LongDouble a, LongDouble b)
    {
        if (a.IsInfinity || b.IsInfinity) return new LongDouble(0, 0, a.IsInfinity ? a.Infinity : b.Infinity);
        if (a.Significand.IsZero) return b;
        if (b.Significand.IsZero) return a;
        int e = Math.Min(a.Exponent, b.Exponent);
        var sum = (a.Significand << (a.Exponent - e)) + (b.Significand << (b.Exponent - e));
        if (sum.IsZero) return default;
        return Round(BigInteger.Abs(sum), BigInteger.One, e, sum.Sign < 0);
    }

    /// <summary>(num / den) × 2^shift rounded to the nearest long double, ties to even.</summary>
    private static LongDouble Round(BigInteger num, BigInteger den, int shift, bool negative)
    {
        if (shift >= 0) num <<= shift; else den <<= -shift;
        long bits = num.GetBitLength() - den.GetBitLength();
        // scale s: q = num × 2^s / den must have exactly 64 bits, unless that would go below the smallest subnormal.
        long s = SignificandBits - 1 - bits;
        var q = Divide(num, den, s, out var rem, out var d);
        if (q.GetBitLength() < SignificandBits) { s++; q = Divide(num, den, s, out rem, out d); }
        if (s > MinScale) { s = MinScale; q = Divide(num, den, s, out rem, out d); }
        var twice = rem << 1;
        int cmp = twice.CompareTo(d);
        if (cmp > 0 || cmp == 0 && !q.IsEven) q += 1;
        if (q.GetBitLength() > SignificandBits) { q >>= 1; s--; }
        if (SignificandBits - 1 - s > MaxExponent) return new LongDouble(0, 0, negative ? -1 : 1);
        return new LongDouble(negative ? -q : q, (int)-s, 0);
    }

    private static BigInteger Divide(BigInteger num, BigInteger den, long s, out BigInteger rem, out BigInteger d)
    {
        var n = s >= 0 ? num << (int)s : num;
        d = s >= 0 ? den : den << (int)-s;
        return BigInteger.DivRem(n, d, out rem);
    }

    /// <summary>C's <c>"%.17Lf"</c> (exactly rounded, ties to even) with trailing zeros and a bare "-" sign removed.</summary>
    public override string ToString()
    {
        if (IsInfinity) return Infinity > 0 ? "inf" : "-inf";
        bool negative = Significand.Sign < 0;
        var m = BigInteger.Abs(Significand) * BigInteger.Pow(10, 17);
        BigInteger q;
        if (Exponent >= 0) q = m << Exponent;
        else
        {
            var d = BigInteger.One << -Exponent;
            q = BigInteger.DivRem(m, d, out var rem);
            int cmp = (rem << 1).CompareTo(d);
            if (cmp > 0 || cmp == 0 && !q.IsEven) q += 1;
        }
        string digits = q.ToString().PadLeft(18, '0');
        var text = new StringBuilder(digits.Length + 2);
        if (negative) text.Append('-');
        text.Append(digits, 0, digits.Length - 17).Append('.').Append(digits, digits.Length - 17, 17);
        int end = text.Length;
        while (text[end - 1] == '0') end--;
        if (text[end - 1] == '.') end--;
        text.Length = end;
        var result = text.ToString();
        return result == "-0" ? "0" : result;
    }
}
