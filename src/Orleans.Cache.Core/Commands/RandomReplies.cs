namespace Orleans.Cache.Core;

/// <summary>The count argument shared by HRANDFIELD, SRANDMEMBER and ZRANDMEMBER, and their reply shapes.</summary>
internal static class RandomReplies
{
    /// <summary>The most picks a negative count may ask for.</summary>
    public const long MaxRepeats = 10_000_000;

    /// <summary>
    /// Reads the count; with values (pairs) Redis bounds it so that twice the count cannot overflow.
    /// </summary>
    public static long Count(byte[] arg, bool withValues)
    {
        long count = Args.Long(arg);
        if (count == long.MinValue)
            throw new CommandException(Reply.Error(
                "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
        if (withValues && (count > long.MaxValue / 2 || count < -long.MaxValue / 2))
            throw new CommandException(Reply.Error("ERR value is out of range"));
        // Redis streams such a reply; one built in memory must stay bounded, so absurd repeat counts are refused.
        if (count < -MaxRepeats) throw new CommandException(Reply.Error("ERR value is out of range"));
        return count;
    }

    /// <summary>Entries for a count: distinct when positive, |count| picks with repetition when negative.</summary>
    public static List<KeyValuePair<byte[], T>> Pick<T>(Dict<T> dict, long count, Random random)
    {
        if (count >= 0) return dict.SampleDistinct(count, random);
        long n = -count;
        var picks = new List<KeyValuePair<byte[], T>>((int)Math.Min(n, 1 << 20));
        for (long i = 0; i < n; i++) picks.Add(dict.Random(random));
        return picks;
    }

    /// <summary><see cref="Pick{T}(Dict{T}, long, Random)"/> over all of a small aggregate's entries (a listpack's, read out).</summary>
    public static List<KeyValuePair<byte[], T>> Pick<T>(List<KeyValuePair<byte[], T>> all, long count, Random random)
    {
        if (count >= all.Count) return all;
        if (count >= 0)
        {
            // A partial Fisher-Yates shuffle: the first count entries are a uniform sample without repetition.
            for (int i = 0; i < count; i++)
            {
                int j = random.Next(i, all.Count);
                (all[i], all[j]) = (all[j], all[i]);
            }
            return all.GetRange(0, (int)count);
        }
        long n = -count;
        var picks = new List<KeyValuePair<byte[], T>>((int)Math.Min(n, 1 << 20));
        for (long i = 0; i < n; i++) picks.Add(all[random.Next(all.Count)]);
        return picks;
    }
}
