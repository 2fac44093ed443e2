using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Orleans.Cache.Core;

/// <summary>
/// The DEBUG subcommands tools use, with Redis 7's texts: OBJECT (run in the key's partition), SET-ACTIVE-EXPIRE (run in
/// every partition), SLEEP and HELP, and this project's THROW (a handler that fails on purpose in the key's partition) (answered at the front door, which also refuses DEBUG unless enable-debug-command
/// allows it). Every other subcommand answers Redis's unknown-subcommand error.
/// </summary>
internal static class DebugCommands
{
    public static readonly Reply NotAllowed = Reply.Error("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", " +
        "you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.");

    public static readonly Reply Help = Reply.Array(new[]
    {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "THROW <key>",
        "    Fail on purpose inside the partition of <key> (answers an error).",
        "HELP",
        "    Prints this help.",
    }.Select(Reply.Simple).ToArray());

    /// <summary>Redis's answer to a subcommand it does not know or one with the wrong number of arguments.</summary>
    public static Reply UnknownSubcommand(byte[] sub)
    {
        string name = Args.Text(sub);
        return Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{(name.Length > 128 ? name[..128] : name)}'. Try DEBUG HELP.");
    }

    /// <summary>
    /// DEBUG OBJECT key: Redis's one-line description. The address is the value object's identity hash (stable while the
    /// value lives), the encoding is OBJECT ENCODING's, serializedlength is the value's length in this project's snapshot
    /// format, lru is the 24-bit LRU clock of the last access, and a list too large for one listpack adds quicklist-style
    /// fields estimated from its elements (8 KB nodes).
    /// </summary>
    public static Reply Object(Keyspace db, byte[][] a)
    {
        var entry = db.Peek(a[2]); // Redis looks the key up without touching it
        if (entry is null) return Errors.NoSuchKey;
        var value = entry.Value;
        var w = new SnapshotWriter(64);
        ValueCodec.Write(ref w, value, db.Now);
        var line = new StringBuilder(160);
        string encoding = ObjectCommand.Encoding(value, db.Encodings);
        line.Append(CultureInfo.InvariantCulture, $"Value at:0x{0x7f00_0000_0000L + (uint)RuntimeHelpers.GetHashCode(value) * 16L:x} refcount:1")
            .Append(" encoding:").Append(encoding)
            .Append(CultureInfo.InvariantCulture, $" serializedlength:{w.Position}")
            .Append(CultureInfo.InvariantCulture, $" lru:{entry.AccessClock & 0xFF_FFFF} lru_seconds_idle:{db.IdleSeconds(entry)}");
        if (value is RedisList list && encoding == "quicklist") // a list in one listpack has no quicklist fields (7.2)
        {
            long bytes = 0;
            foreach (var element in list) bytes += element.Length + 2;
            int nodes = list.Count == 0 ? 0 : (int)Math.Max(1, (bytes + 8191) / 8192);
            double average = nodes == 0 ? 0 : (double)list.Count / nodes;
            line.Append(CultureInfo.InvariantCulture,
                $" ql_nodes:{nodes} ql_avg_node:{average:F2} ql_listpack_max:{db.Encodings.ListMaxListpackSize} ql_compressed:0 ql_uncompressed_size:{bytes + 7 * nodes}");
        }
        return Reply.Simple(line.ToString());
    }

    /// <summary>DEBUG SET-ACTIVE-EXPIRE 0|1: turns this partition's active expire cycle off or on (read as C's atoi, as Redis does).</summary>
    public static Reply SetActiveExpire(Keyspace db, byte[][] a)
    {
        db.ActiveExpireEnabled = Atoi(a[2]) != 0;
        return Reply.Ok;
    }

    /// <summary>
    /// DEBUG THROW key: a handler that throws, in the key's partition, to show that a failing command answers an error
    /// and nothing else fails (not in Redis, whose DEBUG PANIC and ASSERT crash the server instead).
    /// </summary>
    public static Reply Throw(Keyspace db, byte[][] a) =>
        throw new InvalidOperationException($"DEBUG THROW failed on purpose in the partition of '{Args.Text(a[2])}'");

    /// <summary>DEBUG SLEEP's seconds, read as C's strtod reads them: the longest leading number, else 0.</summary>
    public static double SleepSeconds(byte[] arg)
    {
        var text = Args.Text(arg).TrimStart();
        for (int length = text.Length; length > 0; length--)
            if (double.TryParse(text.AsSpan(0, length), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
                return double.IsFinite(seconds) && seconds > 0 ? seconds : 0;
        return 0;
    }

    private static long Atoi(byte[] arg)
    {
        var text = Args.Text(arg).TrimStart();
        int end = text.Length > 0 && text[0] is '-' or '+' ? 1 : 0;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        return long.TryParse(text.AsSpan(0, end), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : 0;
    }
}
