using System.Globalization;

namespace Orleans.Cache.Core.Config;

/// <summary>
/// The parameters with a syntax of their own, checked with Redis's error texts. A multi-word value is split on single
/// spaces as CONFIG SET splits it, so "1  2" has an empty word (and is refused) as it is in Redis.
/// </summary>
internal static class SpecialConfigs
{
    /// <summary>save: "" or pairs of seconds (at least 1) and changes (at least 0).</summary>
    public static (string?, string?) Save(string value)
    {
        if (value.Length == 0) return ("", null);
        var words = value.Split(' ');
        if (words.Length % 2 != 0) return (null, "Invalid save parameters");
        var pairs = new List<string>();
        for (int i = 0; i < words.Length; i++)
        {
            if (!long.TryParse(words[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) || n < (i % 2 == 0 ? 1 : 0))
                return (null, "Invalid save parameters");
            pairs.Add(n.ToString(CultureInfo.InvariantCulture));
        }
        return (string.Join(' ', pairs), null);
    }

    /// <summary>The client classes of client-output-buffer-limit, in the order CONFIG GET lists them.</summary>
    public static readonly string[] ClientClasses = ["normal", "slave", "pubsub"];

    /// <summary>The limits (hard, soft, soft seconds per class) a client-output-buffer-limit value sets, over <paramref name="current"/>.</summary>
    public static string? TryOutputLimits(string value, long[] current, out long[] limits)
    {
        limits = (long[])current.Clone();
        var words = value.Split(' ');
        if (value.Length == 0 || words.Length % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
        for (int i = 0; i < words.Length; i += 4)
        {
            string lower = words[i].ToLowerInvariant();
            string cls = lower == "replica" ? "slave" : lower;
            int index = Array.IndexOf(ClientClasses, cls);
            if (index < 0) return "Invalid client class specified in buffer limit configuration.";
            if (!ConfigParam.TryMemory(words[i + 1], out ulong hard) || !ConfigParam.TryMemory(words[i + 2], out ulong soft)
                || !long.TryParse(words[i + 3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds)
                || hard > long.MaxValue || soft > long.MaxValue)
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            limits[index * 3] = (long)hard;
            limits[index * 3 + 1] = (long)soft;
            limits[index * 3 + 2] = seconds;
        }
        return null;
    }

    public static string FormatOutputLimits(long[] l) =>
        string.Create(CultureInfo.InvariantCulture, $"normal {l[0]} {l[1]} {l[2]} slave {l[3]} {l[4]} {l[5]} pubsub {l[6]} {l[7]} {l[8]}");

    /// <summary>Parses the shown form (every class present) back into the nine numbers.</summary>
    public static long[] OutputLimits(string shown)
    {
        TryOutputLimits(shown, new long[9], out var limits);
        return limits;
    }

    /// <summary>client-output-buffer-limit: groups of "class hard soft seconds"; the classes not named keep <paramref name="current"/>.</summary>
    public static (string?, string?) OutputBufferLimit(string value, string current) =>
        TryOutputLimits(value, OutputLimits(current), out var limits) is { } error ? (null, error) : (FormatOutputLimits(limits), null);

    /// <summary>oom-score-adj-values: three integers between -2000 and 2000.</summary>
    public static (string?, string?) OomScoreAdjValues(string value)
    {
        var words = value.Split(' ');
        if (words.Length != 3) return (null, "wrong number of arguments");
        var values = new long[3];
        for (int i = 0; i < 3; i++)
            if (!long.TryParse(words[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[i]) || values[i] is < -2000 or > 2000)
                return (null, "Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
        return (string.Join(' ', values), null);
    }

    /// <summary>notify-keyspace-events: Redis's class characters, shown in Redis's order.</summary>
    public static (string?, string?) NotifyKeyspaceEvents(string value) =>
        KeyspaceEvents.TryParse(value, out var flags) ? (KeyspaceEvents.Format(flags), null)
        : (null, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");

    /// <summary>latency-tracking-info-percentiles: "" or numbers between 0 and 100.</summary>
    public static (string?, string?) LatencyPercentiles(string value)
    {
        if (value.Length == 0) return ("", null);
        var shown = new List<string>();
        foreach (var word in value.Split(' '))
        {
            if (!double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) || double.IsNaN(p))
                return (null, "Invalid latency-tracking-info-percentiles parameters");
            if (p is < 0 or > 100) return (null, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
            shown.Add(p.ToString("0.######", CultureInfo.InvariantCulture));
        }
        return (string.Join(' ', shown), null);
    }

    /// <summary>activedefrag yes: there is no allocator to defragment here, and Redis answers this without jemalloc.</summary>
    public static string? ActiveDefrag(string shown) => shown == "yes"
        ? "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
        : null;

    /// <summary>cluster-announce-hostname: letters, digits, hyphens and dots.</summary>
    public static string? Hostname(string shown)
    {
        if (shown.Length >= 256) return "Hostnames must be less than 256 characters";
        foreach (char c in shown)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')) return "Hostnames may only contain alphanumeric characters, hyphens or dots";
        return null;
    }
}
