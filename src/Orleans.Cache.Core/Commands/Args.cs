using System.Globalization;
using System.Text;

namespace Orleans.Cache.Core;

/// <summary>Reading command arguments the way Redis does: exact integer and float grammar, ASCII case-insensitive options.</summary>
internal static class Args
{
    public static string Text(byte[] arg) => Encoding.UTF8.GetString(arg);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>True when <paramref name="arg"/> equals the upper-case ASCII <paramref name="option"/>, ignoring case.</summary>
    public static bool Is(ReadOnlySpan<byte> arg, string option)
    {
        if (arg.Length != option.Length) return false;
        for (int i = 0; i < arg.Length; i++)
        {
            int c = arg[i];
            if (c >= 'a' && c <= 'z') c -= 32;
            if (c != option[i]) return false;
        }
        return true;
    }

    /// <summary>Redis's string2ll: optional '-', no '+', no spaces, no leading zeros, fits in 64 bits.</summary>
    public static bool TryLong(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 20) return false;
        if (s.Length == 1 && s[0] == '0') return true;
        bool negative = s[0] == '-';
        int i = negative ? 1 : 0;
        if (i >= s.Length || s[i] < '1' || s[i] > '9') return false;
        ulong v = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9) return false;
            if (v > (ulong.MaxValue - d) / 10) return false;
            v = v * 10 + d;
        }
        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1) return false;
            value = (long)(0 - v);
        }
        else
        {
            if (v > long.MaxValue) return false;
            value = (long)v;
        }
        return true;
    }

    /// <summary>An integer argument, or the command fails with "value is not an integer or out of range".</summary>
    public static long Long(ReadOnlySpan<byte> s) =>
        TryLong(s, out long v) ? v : throw new CommandException(Errors.NotInteger);

    /// <summary>Redis's float grammar: decimal or exponent forms and ±inf; no NaN, no spaces.</summary>
    public static bool TryDouble(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 5000) return false;
        if (IsSpace(s[0]) || IsSpace(s[^1])) return false;
        Span<char> chars = s.Length <= 256 ? stackalloc char[s.Length] : new char[s.Length];
        for (int i = 0; i < s.Length; i++) chars[i] = (char)s[i];
        if (Is(s, "INF") || Is(s, "+INF") || Is(s, "INFINITY") || Is(s, "+INFINITY"))
        { value = double.PositiveInfinity; return true; }
        if (Is(s, "-INF") || Is(s, "-INFINITY")) { value = double.NegativeInfinity; return true; }
        if (!double.TryParse(chars, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return false;
        return !double.IsNaN(value);
    }

    public static double Double(ReadOnlySpan<byte> s) =>
        TryDouble(s, out double v) ? v : throw new CommandException(Errors.NotFloat);

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    /// <summary>Formats a double as Redis replies it: shortest round-trip digits, no exponent, "inf"/"-inf".</summary>
    public static string FormatDouble(double v)
    {
        if (double.IsPositiveInfinity(v)) return "inf";
        if (double.IsNegativeInfinity(v)) return "-inf";
        if (v == 0) return "0";
        string r = v.ToString("R", CultureInfo.InvariantCulture);
        if (r.Contains('E')) r = v.ToString("0.#################", CultureInfo.InvariantCulture);
        return r;
    }

    /// <summary>
    /// Formats a score (ZSCORE, WITHSCORES, ZSCAN, RESP2 doubles) as Redis 7.2+ does: the shortest round-trip digits
    /// in printf's %.17g layout, so large and tiny values use an exponent ("1e+20", "1e-05") as Redis prints them.
    /// </summary>
    public static string FormatScore(double v)
    {
        if (double.IsPositiveInfinity(v)) return "inf";
        if (double.IsNegativeInfinity(v)) return "-inf";
        if (double.IsNaN(v)) return "nan";
        if (v == 0) return "0";
        // The shortest round-trip digits and their decimal exponent (value = d.ddd × 10^exponent).
        string shortest = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        int e = shortest.IndexOf('E');
        string mantissa = e < 0 ? shortest : shortest[..e];
        int exponent = e < 0 ? 0 : int.Parse(shortest.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int point = mantissa.IndexOf('.');
        string all = mantissa.Replace(".", "");
        int leadingZeros = all.Length - all.TrimStart('0').Length;
        exponent += (point < 0 ? mantissa.Length : point) - 1 - leadingZeros;
        string digits = all.TrimStart('0').TrimEnd('0');
        var sb = new StringBuilder();
        if (v < 0) sb.Append('-');
        if (exponent < -4 || exponent >= 17)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (exponent < 0)
            sb.Append("0.").Append('0', -exponent - 1).Append(digits);
        else if (digits.Length <= exponent + 1)
            sb.Append(digits).Append('0', exponent + 1 - digits.Length);
        else
            sb.Append(digits, 0, exponent + 1).Append('.').Append(digits, exponent + 1, digits.Length - exponent - 1);
        return sb.ToString();
    }

    public static byte[] FormatLong(long v) => Encoding.ASCII.GetBytes(v.ToString(CultureInfo.InvariantCulture));
}
