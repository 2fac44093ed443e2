using System.Numerics;

namespace Orleans.Cache.Core;

/// <summary>
/// The buckets of INFO latencystats: microseconds, exact below 16, then 8 buckets per power of two (within 12.5%, as
/// Redis's HdrHistogram keeps about two significant digits), up to 2^32 µs. Recording is an index computation and one
/// increment; histograms of several connections and silos merge by adding counts.
/// </summary>
internal static class LatencyHistogram
{
    private const int Exact = 16, SubBits = 3, Sub = 1 << SubBits, MaxPower = 31;

    /// <summary>How many buckets a histogram has.</summary>
    public const int Buckets = Exact + (MaxPower - 3) * Sub;

    public static int Bucket(long microseconds)
    {
        if (microseconds < Exact) return microseconds < 0 ? 0 : (int)microseconds;
        int power = 63 - BitOperations.LeadingZeroCount((ulong)microseconds);
        if (power > MaxPower) return Buckets - 1;
        int sub = (int)(microseconds >> (power - SubBits)) & (Sub - 1);
        return Exact + (power - 4) * Sub + sub;
    }

    /// <summary>The highest value a bucket holds (what a percentile falling in it reports).</summary>
    public static long UpperBound(int bucket)
    {
        if (bucket < Exact) return bucket;
        int power = (bucket - Exact) / Sub + 4, sub = (bucket - Exact) % Sub;
        long low = (1L << power) + ((long)sub << (power - SubBits));
        return low + (1L << (power - SubBits)) - 1;
    }

    /// <summary>The value below which <paramref name="percentile"/> % of the recorded values fall; 0 for an empty histogram.</summary>
    public static long Percentile(long[] counts, double percentile)
    {
        long total = 0;
        foreach (long c in counts) total += c;
        if (total == 0) return 0;
        long rank = (long)Math.Ceiling(total * percentile / 100.0);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank) return UpperBound(i);
        }
        return UpperBound(counts.Length - 1);
    }
}
