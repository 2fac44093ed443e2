using System.Globalization;

namespace Orleans.Cache.Core;

/// <summary>
/// The arithmetic of HINCRBYFLOAT. Redis adds in long double and prints 17 decimals with trailing zeros cut, so
/// "0.1" + "0.2" gives "0.3", not double's 0.30000000000000004. Decimal arithmetic on the decimal strings gives
/// the same text whenever long double's own rounding stays below the 17th decimal (magnitudes up to about 50, the
/// common case); beyond decimal's range it falls back to double.
/// </summary>
public static class FloatIncrement
{
    /// <summary>current + by as Redis would store it; null when the result is NaN or infinite.</summary>
    public static byte[]? Add(byte[]? current, byte[] by)
    {
        if (TryDecimal(current ?? "0"u8.ToArray(), out decimal c) && TryDecimal(by, out decimal b))
        {
            try
            {
                decimal sum = Math.Round(c + b, 17, MidpointRounding.ToEven);
                return Args.Bytes(sum.ToString("0.#################", CultureInfo.InvariantCulture));
            }
            catch (OverflowException) { }
        }
        double result = (current is null ? 0 : Args.Double(current)) + Args.Double(by);
        return double.IsNaN(result) || double.IsInfinity(result) ? null : Args.Bytes(Args.FormatDouble(result));
    }

    private static bool TryDecimal(byte[] text, out decimal value)
    {
        value = 0;
        // Redis's float grammar first (no spaces, no hex); decimal then takes what it can hold exactly.
        return Args.TryDouble(text, out double d) && !double.IsInfinity(d) && Math.Abs(d) < 1e27 &&
               decimal.TryParse(Args.Text(text), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
