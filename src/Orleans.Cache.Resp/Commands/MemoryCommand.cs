using System.Globalization;
using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

// MEMORY USAGE | STATS | DOCTOR | PURGE | MALLOC-STATS | HELP. The process's memory is the front door's to report (the
// managed heap of this silo, whichever partitions it hosts); USAGE measures a key where it lives, in its partition, under
// the MEMORY|USAGE subcommand row (see CommandTable.Subcommands).
internal sealed partial class ServerCommands
{
    private static readonly CommandInfo MemoryUsageRow = CommandTable.Subcommand("MEMORY|USAGE");
    private static long s_peakAllocated;

    private static readonly Reply MemoryHelp = Help("MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR", "    Return memory problems reports.",
        "MALLOC-STATS", "    Return internal statistics report from the memory allocator.",
        "PURGE", "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS", "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]", "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP", "    Prints this help.");

    private const string EmptyInstanceDoctor = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in " +
        "these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our " +
        "programming as soon as I finished rebooting.\n";

    /// <summary>MEMORY: answered here, or (USAGE, STATS, DOCTOR, which ask the partitions) after the round's data commands.</summary>
    private static Reply? Memory(byte[][] argv, ref AfterReply after)
    {
        var sub = argv[1];
        if (Args.Is(sub, "USAGE"))
            return MemoryUsageRow.AcceptsArgCount(argv.Length) ? Defer(ref after) : SubcommandArity("memory|usage");
        foreach (var name in (string[])["STATS", "DOCTOR", "PURGE", "MALLOC-STATS", "HELP"])
        {
            if (!Args.Is(sub, name)) continue;
            if (argv.Length != 2) return SubcommandArity("memory|" + name.ToLowerInvariant());
            return name switch
            {
                "PURGE" => Purge(),
                "MALLOC-STATS" => Reply.Verbatim(GcStatistics()),
                "HELP" => MemoryHelp,
                _ => Defer(ref after),
            };
        }
        return UnknownSubcommand(sub, "MEMORY");
    }

    internal async ValueTask<Reply> MemoryAsync(byte[][] argv)
    {
        if (Args.Is(argv[1], "USAGE")) return await node.Executor.ExecuteAsync(new Command(MemoryUsageRow, argv));
        var count = await node.Executor.ExecuteAsync(DbSize);
        long keys = count.Kind == ReplyKind.Integer ? count.Integer : 0;
        return Args.Is(argv[1], "STATS") ? MemoryStats(keys) : Reply.Verbatim(Doctor(keys));
    }

    /// <summary>MEMORY PURGE: a blocking, compacting collection that also returns free memory to the OS (the GC's "aggressive" mode).</summary>
    private static Reply Purge()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return Reply.Ok;
    }

    /// <summary>
    /// MEMORY STATS with Redis 7's field names. The allocator here is the .NET GC: total.allocated is the managed heap in use,
    /// startup.allocated what it was when the endpoint started, allocator.* the GC's heap size and committed bytes, and the
    /// rss fields the process's working set. keys.count is the cluster's DBSIZE (summed over every partition), while the
    /// byte counts are this process's, so keys.bytes-per-key is exact only for a single silo.
    /// </summary>
    private Reply MemoryStats(long keys)
    {
        long used = GC.GetTotalMemory(false);
        long peak = Peak(used);
        var gc = GC.GetGCMemoryInfo();
        long heap = Math.Max(gc.HeapSizeBytes, 1), committed = Math.Max(gc.TotalCommittedBytes, heap), rss = Environment.WorkingSet;
        long startup = Math.Min(node.StartupAllocated, used);
        long clients = node.Clients.Values.Sum(c => c.Subscriber?.QueuedBytes ?? 0);
        long table = keys * 8;
        long overhead = startup + clients + table;
        long dataset = Math.Max(used - overhead, 0);
        long net = Math.Max(used - startup, 1);
        var fields = new List<Reply>
        {
            Reply.Bulk("peak.allocated"), Reply.Int(peak),
            Reply.Bulk("total.allocated"), Reply.Int(used),
            Reply.Bulk("startup.allocated"), Reply.Int(startup),
            Reply.Bulk("replication.backlog"), Reply.Int(0),
            Reply.Bulk("clients.slaves"), Reply.Int(0),
            Reply.Bulk("clients.normal"), Reply.Int(clients),
            Reply.Bulk("cluster.links"), Reply.Int(0),
            Reply.Bulk("aof.buffer"), Reply.Int(0),
            Reply.Bulk("lua.caches"), Reply.Int(0),
            Reply.Bulk("functions.caches"), Reply.Int(0),
        };
        if (keys > 0)
            fields.AddRange([Reply.Bulk("db.0"), Reply.Map([
                Reply.Bulk("overhead.hashtable.main"), Reply.Int(table),
                Reply.Bulk("overhead.hashtable.expires"), Reply.Int(0),
                Reply.Bulk("overhead.hashtable.slot-to-keys"), Reply.Int(0),
            ])]);
        fields.AddRange([
            Reply.Bulk("overhead.total"), Reply.Int(overhead),
            Reply.Bulk("keys.count"), Reply.Int(keys),
            Reply.Bulk("keys.bytes-per-key"), Reply.Int(keys > 0 ? net / keys : 0),
            Reply.Bulk("dataset.bytes"), Reply.Int(dataset),
            Reply.Bulk("dataset.percentage"), Reply.Dbl(dataset * 100.0 / net),
            Reply.Bulk("peak.percentage"), Reply.Dbl(used * 100.0 / Math.Max(peak, 1)),
            Reply.Bulk("allocator.allocated"), Reply.Int(heap),
            Reply.Bulk("allocator.active"), Reply.Int(committed),
            Reply.Bulk("allocator.resident"), Reply.Int(rss),
            Reply.Bulk("allocator-fragmentation.ratio"), Reply.Dbl((double)committed / heap),
            Reply.Bulk("allocator-fragmentation.bytes"), Reply.Int(committed - heap),
            Reply.Bulk("allocator-rss.ratio"), Reply.Dbl((double)rss / committed),
            Reply.Bulk("allocator-rss.bytes"), Reply.Int(rss - committed),
            Reply.Bulk("rss-overhead.ratio"), Reply.Dbl(1),
            Reply.Bulk("rss-overhead.bytes"), Reply.Int(0),
            Reply.Bulk("fragmentation"), Reply.Dbl((double)rss / Math.Max(used, 1)),
            Reply.Bulk("fragmentation.bytes"), Reply.Int(rss - used),
        ]);
        return Reply.Map([.. fields]);
    }

    private static long Peak(long used)
    {
        long peak;
        while ((peak = Interlocked.Read(ref s_peakAllocated)) < used && Interlocked.CompareExchange(ref s_peakAllocated, used, peak) != peak) { }
        return Math.Max(peak, used);
    }

    /// <summary>
    /// MEMORY DOCTOR: Redis's text for an empty instance; otherwise a short report of what this process can say — the
    /// checks Redis's doctor runs (allocator fragmentation, peaks, client buffers) have no equivalent under a garbage collector.
    /// </summary>
    private static string Doctor(long keys)
    {
        if (keys == 0) return EmptyInstanceDoctor;
        var gc = GC.GetGCMemoryInfo();
        return $"Hi Sam, this is an Orleans.Cache silo: its {keys.ToString(CultureInfo.InvariantCulture)} keys live on the .NET managed heap " +
            $"({Human(GC.GetTotalMemory(false))} in use, {Human(gc.TotalCommittedBytes)} committed, {Human(Environment.WorkingSet)} resident), " +
            "which the garbage collector compacts, so there is no allocator fragmentation for me to diagnose. MEMORY STATS has the " +
            "numbers; MEMORY PURGE returns free memory to the operating system.\n";
    }

    /// <summary>MEMORY MALLOC-STATS: the allocator here is the .NET GC, so its statistics are the GC's.</summary>
    private static string GcStatistics()
    {
        var gc = GC.GetGCMemoryInfo();
        var text = new StringBuilder("___ Begin .NET GC statistics ___\n");
        void Line(string name, object value) => text.Append(name).Append(": ").Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
        Line("Server GC", System.Runtime.GCSettings.IsServerGC);
        Line("Latency mode", System.Runtime.GCSettings.LatencyMode);
        Line("Heap size", gc.HeapSizeBytes);
        Line("Fragmented", gc.FragmentedBytes);
        Line("Committed", gc.TotalCommittedBytes);
        Line("Total available memory", gc.TotalAvailableMemoryBytes);
        Line("Promoted (last GC)", gc.PromotedBytes);
        Line("Pinned objects (last GC)", gc.PinnedObjectsCount);
        Line("Pause time", $"{gc.PauseTimePercentage:F2}%");
        for (int generation = 0; generation <= GC.MaxGeneration; generation++) Line($"Gen {generation} collections", GC.CollectionCount(generation));
        Line("Total allocated", GC.GetTotalAllocatedBytes());
        return text.Append("___ End .NET GC statistics ___\n").ToString();
    }
}
