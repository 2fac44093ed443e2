using Orleans.Cache.Core;
using Orleans.Cache.Observability;

namespace Orleans.Cache.Resp;

/// <summary>
/// One connection's commandstats: only its own loop writes them (a connection runs one round at a time), so recording a
/// call is a few plain increments, no lock and no interlocked add; INFO reads them from other threads (a read may miss
/// the latest call). A command's counters are allocated the first time the connection runs it. Container commands
/// (CONFIG, CLIENT, SLOWLOG …) count per subcommand, as Redis 7 names them: <c>cmdstat_config|set</c>.
/// </summary>
internal sealed class ClientStats
{
    private CommandStat?[] _byId = new CommandStat?[CommandTable.Rows.Count];
    private Dictionary<string, CommandStat>? _bySubcommand;

    /// <summary>The node's reset epoch these counters belong to; older counters are cleared before use and skipped by INFO.</summary>
    public int Epoch;

    public void Record(CommandInfo command, byte[][]? argv, long microseconds, bool failed)
    {
        var stat = Stat(command, argv);
        stat.Calls++;
        stat.Microseconds += microseconds;
        stat.Histogram[LatencyHistogram.Bucket(microseconds)]++;
        if (failed) stat.Failed++;
    }

    public void Reject(CommandInfo command, byte[][]? argv) => Stat(command, argv).Rejected++;

    private CommandStat Stat(CommandInfo command, byte[][]? argv)
    {
        if (argv is null || !Subcommands.IsContainer(command) || Subcommands.Name(command, argv) is not { } name)
            return _byId[command.Id] ??= new CommandStat();
        var all = _bySubcommand ??= new Dictionary<string, CommandStat>(StringComparer.Ordinal);
        if (!all.TryGetValue(name, out var stat))
        {
            // Copy on write: INFO may be enumerating the dictionary it read.
            var grown = new Dictionary<string, CommandStat>(all, StringComparer.Ordinal) { [name] = stat = new CommandStat() };
            Volatile.Write(ref _bySubcommand, grown);
        }
        return stat;
    }

    /// <summary>Starts over for epoch <paramref name="epoch"/> (CONFIG RESETSTAT happened).</summary>
    public void Clear(int epoch)
    {
        _byId = new CommandStat?[CommandTable.Rows.Count];
        _bySubcommand = null;
        Volatile.Write(ref Epoch, epoch);
    }

    /// <summary>Adds these counters to <paramref name="into"/>, by the name INFO prints (lower case, container|subcommand).</summary>
    public void AddTo(Dictionary<string, CommandStat> into)
    {
        var all = Volatile.Read(ref _byId);
        for (int id = 0; id < all.Length; id++)
            if (all[id] is { } stat) Add(into, CommandTable.Rows[id].Name.ToLowerInvariant(), stat);
        if (Volatile.Read(ref _bySubcommand) is { } subs)
            foreach (var (name, stat) in subs) Add(into, name, stat);
    }

    private static void Add(Dictionary<string, CommandStat> into, string name, CommandStat stat)
    {
        if (!into.TryGetValue(name, out var sum)) into[name] = sum = new CommandStat();
        sum.Add(stat);
    }
}

/// <summary>Redis 7's container commands and their subcommands (what commandstats names <c>container|subcommand</c>).</summary>
internal static class Subcommands
{
    private static readonly Dictionary<string, string[]> Known = new(StringComparer.Ordinal)
    {
        ["CLIENT"] = ["caching", "getname", "getredir", "help", "id", "info", "kill", "list", "no-evict", "no-touch", "pause", "reply",
            "setinfo", "setname", "tracking", "trackinginfo", "unblock", "unpause"],
        ["CLUSTER"] = ["countkeysinslot", "getkeysinslot", "help", "info", "keyslot", "links", "myid", "myshardid", "nodes", "replicas",
            "shards", "slaves", "slots"],
        ["COMMAND"] = ["count", "docs", "getkeys", "getkeysandflags", "help", "info", "list"],
        ["CONFIG"] = ["get", "help", "resetstat", "rewrite", "set"],
        ["FUNCTION"] = ["delete", "dump", "flush", "help", "kill", "list", "load", "restore", "stats"],
        ["LATENCY"] = ["doctor", "graph", "help", "histogram", "history", "latest", "reset"],
        ["MEMORY"] = ["doctor", "help", "malloc-stats", "purge", "stats", "usage"],
        ["OBJECT"] = ["encoding", "freq", "help", "idletime", "refcount"],
        ["PUBSUB"] = ["channels", "help", "numpat", "numsub", "shardchannels", "shardnumsub"],
        ["SCRIPT"] = ["exists", "flush", "help", "kill", "load"],
        ["SLOWLOG"] = ["get", "help", "len", "reset"],
    };

    private static readonly bool[] ById = [.. CommandTable.Rows.Select(r => Known.ContainsKey(r.Name))];

    public static bool IsContainer(CommandInfo command) => ById[command.Id];

    /// <summary><c>container|subcommand</c> in lower case, or null when the subcommand is not one Redis knows (it counts under the container).</summary>
    public static string? Name(CommandInfo command, byte[][] argv)
    {
        if (argv.Length < 2 || argv[1].Length > 20) return null;
        string sub = Args.Text(argv[1]).ToLowerInvariant();
        return Array.IndexOf(Known[command.Name], sub) >= 0 ? command.Name.ToLowerInvariant() + "|" + sub : null;
    }
}
