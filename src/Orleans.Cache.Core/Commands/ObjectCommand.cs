using Orleans.Cache.Core.Config;

namespace Orleans.Cache.Core;

/// <summary>
/// OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP. Encodings are the names Redis 7.2 reports for a value of
/// this type and size (its compact encodings below the thresholds CONFIG SET pushes to the partitions), so tools that read
/// them see the usual answers. Unlike Redis, a value that shrinks back under a threshold reports the compact encoding again.
/// IDLETIME is the seconds since a command last looked the key up or wrote it (see <see cref="Keyspace.Find"/>); FREQ
/// is the decayed logarithmic access counter under an LFU maxmemory-policy. Each answers Redis's error under the other kind of policy.
/// </summary>
internal static class ObjectCommand
{
    public static Reply Object(Keyspace db, byte[][] a)
    {
        string sub = Args.Text(a[1]);
        if (Args.Is(a[1], "HELP") && a.Length == 2) return Help;
        bool known = Args.Is(a[1], "ENCODING") || Args.Is(a[1], "REFCOUNT") || Args.Is(a[1], "IDLETIME") || Args.Is(a[1], "FREQ");
        if (!known) return Reply.Error($"ERR unknown subcommand '{sub}'. Try OBJECT HELP.");
        if (a.Length != 3) return Errors.WrongArity("object|" + sub);
        var entry = db.Peek(a[2]); // as Redis's objectCommandLookup: looking does not count as an access
        if (entry is null) return Reply.Nil;
        if (Args.Is(a[1], "ENCODING")) return Reply.Bulk(Encoding(entry.Value, db.Encodings));
        if (Args.Is(a[1], "REFCOUNT")) return Reply.Int(1);
        if (Args.Is(a[1], "FREQ"))
            return db.TracksFrequency ? Reply.Int(db.LfuCounter(entry))
                : Reply.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
        return db.TracksFrequency
            ? Reply.Error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
            : Reply.Int(db.IdleSeconds(entry));
    }

    private static readonly Reply Help = Reply.Array(new[]
    {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    }.Select(Reply.Simple).ToArray());

    /// <summary>The encoding name Redis 7.2 would report for this value under <paramref name="limits"/> (the defaults when null).</summary>
    public static string Encoding(object value, EncodingThresholds? limits = null)
    {
        limits ??= EncodingThresholds.Default;
        switch (value)
        {
            case byte[] s when s.Length <= 20 && Args.TryLong(s, out _): return "int";
            case byte[] s: return s.Length <= 44 ? "embstr" : "raw";
            case StringBuffer: return "raw"; // Redis's SETBIT, BITFIELD, SETRANGE and APPEND leave a raw string too (dbUnshareStringValue)
            case RedisHash h:
                return h.IsListpack ? "listpack" : "hashtable";
            case RedisSortedSet z:
                return z.Count <= limits.ZsetMaxListpackEntries && z.Members.All(m => m.Key.Length <= limits.ZsetMaxListpackValue) ? "listpack" : "skiplist";
            case RedisSet set:
                if (set.Count <= Math.Min(limits.SetMaxIntsetEntries, 1 << 30) && set.Members.All(m => Args.TryLong(m.Key, out _))) return "intset";
                return set.Count <= limits.SetMaxListpackEntries && set.Members.All(m => m.Key.Length <= limits.SetMaxListpackValue) ? "listpack" : "hashtable";
            case RedisList list:
                long bytes = 6; // the listpack header and end byte
                foreach (var element in list) bytes += element.Length + (element.Length < 64 ? 2 : element.Length < 4096 ? 3 : 6);
                return limits.ListFitsListpack(list.Count, bytes) ? "listpack" : "quicklist";
            default: return "raw";
        }
    }
}
