using System.Globalization;
using System.Text;
using Orleans.Cache.Core;
using Orleans.Cache.Observability;

namespace Orleans.Cache.Resp.Commands;

// SLOWLOG, LATENCY, MONITOR and CONFIG RESETSTAT: what they check at once, and (deferred) what they ask of every silo.
internal sealed partial class ServerCommands
{
    private static Reply? Slowlog(byte[][] argv, ref AfterReply after)
    {
        var sub = argv[1];
        if (Args.Is(sub, "HELP"))
            return argv.Length != 2 ? SubcommandArity("slowlog|help") : Help(
                "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET [<count>]",
                "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                "    Entries are made of:",
                "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                "    client name",
                "LEN",
                "    Return the length of the slowlog.",
                "RESET",
                "    Reset the slowlog.",
                "HELP",
                "    Prints this help.");
        if (Args.Is(sub, "GET"))
        {
            if (argv.Length > 3) return Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{Args.Text(sub)}'. Try SLOWLOG HELP.");
            if (argv.Length == 3 && (!Args.TryLong(argv[2], out long count) || count < -1))
                return Reply.Error("ERR count should be greater than or equal to -1");
            return Defer(ref after);
        }
        if (Args.Is(sub, "LEN")) return argv.Length != 2 ? SubcommandArity("slowlog|len") : Defer(ref after);
        if (Args.Is(sub, "RESET")) return argv.Length != 2 ? SubcommandArity("slowlog|reset") : Defer(ref after);
        return UnknownSubcommand(sub, "SLOWLOG");
    }

    /// <summary>SLOWLOG GET / LEN / RESET over every silo's slowlog (merged newest first).</summary>
    private async ValueTask<Reply> SlowlogAsync(byte[][] argv)
    {
        if (Args.Is(argv[1], "RESET"))
        {
            await ResetAsync(ResetScope.Slowlog, null);
            return Reply.Ok;
        }
        var entries = await SlowlogEntriesAsync();
        if (Args.Is(argv[1], "LEN")) return Reply.Int(entries.Length);
        long count = 10;
        if (argv.Length == 3) Args.TryLong(argv[2], out count);
        if (count == -1 || count > entries.Length) count = entries.Length;
        var items = new Reply[count];
        for (int i = 0; i < count; i++)
        {
            var e = entries[i];
            items[i] = Reply.Array([
                Reply.Int(e.Id),
                Reply.Int(e.TimeMicroseconds / 1_000_000),
                Reply.Int(e.DurationMicroseconds),
                Reply.Array([.. e.Argv.Select(a => Reply.Bulk(a))]),
                Reply.Bulk(e.Client),
                Reply.Bulk(e.ClientName),
            ]);
        }
        return Reply.Array(items);
    }

    private async Task<SlowlogEntry[]> SlowlogEntriesAsync()
    {
        if (node.Cluster is { } cluster)
        {
            try { return await cluster.SlowlogAsync(); }
            catch (Exception e) { Log.ClusterStatsFailed(node.Logger, e); }
        }
        return node.Slowlog.Entries();
    }

    private async Task ResetAsync(ResetScope scope, string[]? events)
    {
        if (node.Cluster is { } cluster)
        {
            try
            {
                await cluster.ResetAsync(scope, events);
                return;
            }
            catch (Exception e) { Log.ClusterStatsFailed(node.Logger, e); }
        }
        node.Reset(scope, events);
    }

    /// <summary>CONFIG RESETSTAT: every silo's counters and every partition's hits, misses, expired and evicted keys.</summary>
    private async ValueTask<Reply> ResetStatAsync()
    {
        await ResetAsync(ResetScope.Stats, null);
        return Reply.Ok;
    }

    private static Reply? Latency(byte[][] argv, ref AfterReply after)
    {
        var sub = argv[1];
        if (Args.Is(sub, "HELP"))
            return argv.Length != 2 ? SubcommandArity("latency|help") : Help(
                "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "DOCTOR",
                "    Return a human readable latency analysis report.",
                "GRAPH <event>",
                "    Return an ASCII latency graph for the <event> class.",
                "HISTORY <event>",
                "    Return time-latency samples for the <event> class.",
                "LATEST",
                "    Return the latest latency samples for all events.",
                "RESET [<event> ...]",
                "    Reset latency data of one or more <event> classes.",
                "    (default: reset all data for all event classes)",
                "HISTOGRAM [COMMAND ...]",
                "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
                "    If no commands are specified then all histograms are replied.",
                "HELP",
                "    Prints this help.");
        if (Args.Is(sub, "LATEST")) return argv.Length != 2 ? SubcommandArity("latency|latest") : Defer(ref after);
        if (Args.Is(sub, "DOCTOR")) return argv.Length != 2 ? SubcommandArity("latency|doctor") : Defer(ref after);
        if (Args.Is(sub, "HISTORY")) return argv.Length != 3 ? SubcommandArity("latency|history") : Defer(ref after);
        if (Args.Is(sub, "GRAPH")) return argv.Length != 3 ? SubcommandArity("latency|graph") : Defer(ref after);
        if (Args.Is(sub, "RESET") || Args.Is(sub, "HISTOGRAM")) return Defer(ref after);
        return UnknownSubcommand(sub, "LATENCY");
    }

    /// <summary>The latency events of every silo, merged: per second the highest sample, the highest maximum.</summary>
    private async Task<Dictionary<string, LatencyEvent>> LatencyEventsAsync()
    {
        LatencyEvent[][] all = [node.Latency.Events()];
        if (node.Cluster is { } cluster)
        {
            try { all = await cluster.LatencyAsync(); }
            catch (Exception e) { Log.ClusterStatsFailed(node.Logger, e); }
        }
        var merged = new Dictionary<string, LatencyEvent>(StringComparer.Ordinal);
        foreach (var e in all.SelectMany(x => x))
        {
            if (!merged.TryGetValue(e.Name, out var m)) merged[e.Name] = m = new LatencyEvent { Name = e.Name };
            m.Max = Math.Max(m.Max, e.Max);
            m.Samples.AddRange(e.Samples);
        }
        foreach (var m in merged.Values)
        {
            m.Samples = [.. m.Samples.GroupBy(s => s.Time).Select(g => g.MaxBy(s => s.Milliseconds)).OrderBy(s => s.Time)];
            if (m.Samples.Count > LatencySeries.Capacity) m.Samples.RemoveRange(0, m.Samples.Count - LatencySeries.Capacity);
        }
        return merged;
    }

    private async ValueTask<Reply> LatencyAsync(byte[][] argv)
    {
        var sub = argv[1];
        if (Args.Is(sub, "RESET"))
        {
            var names = argv.Skip(2).Select(a => Args.Text(a)).ToArray();
            var before = await LatencyEventsAsync();
            await ResetAsync(ResetScope.Latency, names);
            return Reply.Int(names.Length == 0 ? before.Count : names.Distinct().Count(before.ContainsKey));
        }
        if (Args.Is(sub, "HISTOGRAM")) return await HistogramAsync(argv);
        var events = await LatencyEventsAsync();
        if (Args.Is(sub, "LATEST"))
            return Reply.Array([.. events.Values.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => Reply.Array([
                Reply.Bulk(e.Name),
                Reply.Int(e.Samples[^1].Time),
                Reply.Int(e.Samples[^1].Milliseconds),
                Reply.Int(e.Max),
            ]))]);
        if (Args.Is(sub, "HISTORY"))
        {
            if (!events.TryGetValue(Args.Text(argv[2]), out var e)) return Reply.EmptyArray;
            return Reply.Array([.. e.Samples.Select(s => Reply.Array([Reply.Int(s.Time), Reply.Int(s.Milliseconds)]))]);
        }
        if (Args.Is(sub, "GRAPH"))
        {
            string name = Args.Text(argv[2]);
            if (!events.TryGetValue(name, out var e)) return Reply.Error($"ERR No samples available for event '{name}'");
            return Reply.Verbatim(Graph(e));
        }
        return Reply.Verbatim(Doctor(events));
    }

    /// <summary>A short LATENCY GRAPH: one line per sample (age, milliseconds, a bar scaled to the maximum).</summary>
    private string Graph(LatencyEvent e)
    {
        long now = node.Time.GetUtcNow().ToUnixTimeSeconds();
        var text = new StringBuilder();
        text.Append(e.Name).Append(" - high ").Append(e.Max).Append(" ms, low ").Append(e.Samples.Min(s => s.Milliseconds)).Append(" ms (all time high ")
            .Append(e.Max).Append(" ms)\n").Append(new string('-', 80)).Append('\n');
        foreach (var s in e.Samples)
        {
            int bar = e.Max == 0 ? 0 : (int)Math.Max(1, s.Milliseconds * 50 / e.Max);
            text.Append(string.Create(CultureInfo.InvariantCulture, $"{now - s.Time,6}s {s.Milliseconds,6}ms ")).Append('#', bar).Append('\n');
        }
        return text.ToString();
    }

    private string Doctor(Dictionary<string, LatencyEvent> events)
    {
        if (node.LatencyThreshold <= 0 && events.Count == 0)
            return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
        if (events.Count == 0)
            return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";
        var text = new StringBuilder("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
        int n = 1;
        foreach (var e in events.Values.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            double avg = e.Samples.Average(s => (double)s.Milliseconds);
            double dev = e.Samples.Average(s => Math.Abs(s.Milliseconds - avg));
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"{n++}. {e.Name}: {e.Samples.Count} latency spikes (average {avg:F0}ms, mean deviation {dev:F0}ms). Worst all time event {e.Max}ms.\n"));
        }
        text.Append("\nI have a few advices for you:\n\n- Check your slowlog (SLOWLOG GET) for commands that are slow to run: long ranges, big keys, scripts.\n");
        return text.ToString();
    }

    /// <summary>LATENCY HISTOGRAM [command …]: per command, calls and the cumulative count at each power of two µs, cluster-wide.</summary>
    private async ValueTask<Reply> HistogramAsync(byte[][] argv)
    {
        var commands = (await ReportsAsync()).Total.Commands;
        var wanted = argv.Length > 2 ? argv.Skip(2).Select(a => Args.Text(a).ToLowerInvariant()).ToHashSet() : null;
        var pairs = new List<Reply>();
        foreach (var (name, stat) in commands.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (stat.Calls == 0 || wanted is not null && !wanted.Contains(name)) continue;
            var buckets = new List<Reply>();
            long cumulative = 0;
            int next = 0;
            for (long bound = 1; next < stat.Histogram.Length && cumulative < stat.Calls; bound *= 2)
            {
                long before = cumulative;
                while (next < stat.Histogram.Length && LatencyHistogram.UpperBound(next) < bound) cumulative += stat.Histogram[next++];
                if (cumulative > before || buckets.Count > 0)
                {
                    buckets.Add(Reply.Int(bound));
                    buckets.Add(Reply.Int(cumulative));
                }
            }
            pairs.Add(Reply.Bulk(name));
            pairs.Add(Reply.Map([Reply.Bulk("calls"), Reply.Int(stat.Calls), Reply.Bulk("histogram_usec"), Reply.Map([.. buckets])]));
        }
        return Reply.Map([.. pairs]);
    }

    /// <summary>
    /// MONITOR: every silo learns of the new monitor, and it collects lines, before the +OK, so whatever is sent after
    /// the +OK is seen; the connection writes the lines once the +OK is written.
    /// </summary>
    private async ValueTask<Reply> MonitorAsync(RespSession client)
    {
        await node.Monitors.PrepareAsync();
        if (client.Monitor is null)
        {
            var monitor = new RespMonitor(client, node);
            client.Monitor = monitor;
            client.MonitorRequested = true;
            node.Monitors.Add(monitor);
        }
        return Reply.Ok;
    }

    /// <summary>The client leaves MONITOR mode (RESET, or its connection closed).</summary>
    internal void StopMonitor(RespSession client)
    {
        client.MonitorRequested = false;
        if (client.Monitor is not { } monitor) return;
        client.Monitor = null;
        monitor.Close();
        node.Monitors.Remove(monitor);
    }

    /// <summary>What MONITOR shows: not admin commands (Redis hides them: CONFIG, SLOWLOG, DEBUG, MONITOR …), nor ACL (passwords).</summary>
    internal static bool ShowsInMonitor(CommandInfo command) => (command.Flags & CommandFlags.Admin) == 0 && command.Name != "ACL";

    private static readonly byte[] RedactedArg = "(redacted)"u8.ToArray();

    /// <summary>AUTH's arguments and HELLO's AUTH username and password as Redis shows them to MONITOR: <c>"(redacted)"</c>.</summary>
    internal static byte[][] Redacted(CommandInfo command, byte[][] argv)
    {
        if (command.Name == "AUTH") return [argv[0], .. argv.Skip(1).Select(_ => RedactedArg)];
        if (command.Name != "HELLO") return argv;
        var copy = (byte[][])argv.Clone();
        for (int i = 1; i < copy.Length; i++)
            if (Args.Is(copy[i], "AUTH"))
                for (int j = i + 1; j <= i + 2 && j < copy.Length; j++) copy[j] = RedactedArg;
        return copy;
    }

    /// <summary>What the slowlog keeps: not EXEC (its commands are what ran), nor AUTH, HELLO and ACL (passwords).</summary>
    internal static bool ShowsInSlowlog(CommandInfo command) => command.Name is not ("EXEC" or "AUTH" or "HELLO" or "ACL");
}
