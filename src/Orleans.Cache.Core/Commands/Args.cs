using System.Globalization;
using System.Text;

namespace Orleans.Cache.Core;

/// <summary>Reading command arguments the way Redis does: exact integer and float grammar, ASCII case-insensitive options.</summary>
public static class Args
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

    public static byte[] FormatLong(long v) => Encoding.ASCII.GetBytes(v.ToString(CultureInfo.InvariantCulture));
}
