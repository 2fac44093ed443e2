using System.Globalization;
using System.Text;
using Orleans.Cache.Core;
using Orleans.Cache.Observability;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Resp.Commands;

// INFO [section ...]: Redis 7's sections, with the server-wide counters summed over every silo of the cluster.
internal sealed partial class ServerCommands
{
    /// <summary>Every section, in Redis's order.</summary>
    private static readonly string[] AllSections =
        ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"];

    /// <summary>INFO and INFO default: all but commandstats and latencystats, as in Redis.</summary>
    private static readonly string[] DefaultSections =
        ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"];

    private static readonly Command DbSize = CommandRouter.Resolve([Args.Bytes("DBSIZE")], out _)!.Value;

    /// <summary>INFO runs after the pipeline's data commands, because it asks every silo and the partitions.</summary>
    public async ValueTask<Reply> InfoAsync(RespSession client, byte[][] argv)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        if (argv.Length == 1) wanted.UnionWith(DefaultSections);
        for (int i = 1; i < argv.Length; i++)
        {
            string s = Args.Text(argv[i]).ToLowerInvariant();
            if (s is "all" or "everything") wanted.UnionWith(AllSections); // no modules here: everything = all
            else if (s == "default") wanted.UnionWith(DefaultSections);
            else wanted.Add(s);
        }
        if (!AllSections.Any(wanted.Contains)) return Reply.Bulk("");

        long? dbSize = null;
        if (wanted.Contains("keyspace"))
        {
            // DBSIZE first: it reaches (and so activates) every partition, also where no silo part runs here.
            var reply = await node.Executor.ExecuteAsync(DbSize);
            if (reply.Kind == ReplyKind.Integer) dbSize = reply.Integer;
        }
        var (total, silo) = await ReportsAsync();
        long keys = dbSize ?? total.Partitions.Keys;
        ReplicationState[] replication = [];
        if (wanted.Contains("replication"))
        {
            try { replication = await node.Executor.ReplicationAsync(); }
            catch (Exception e) { Log.ClusterStatsFailed(node.Logger, e); }
        }
        (long Channels, long Patterns, long Shard) pubsub = default;
        if (wanted.Contains("stats") && node.Broker is { } broker)
        {
            try
            {
                pubsub = ((await broker.ChannelsAsync(ChannelSpace.Channel, null)).Length, await broker.NumPatAsync(),
                    (await broker.ChannelsAsync(ChannelSpace.Shard, null)).Length);
            }
            catch (Exception e) { Log.ClusterStatsFailed(node.Logger, e); }
        }

        var text = new StringBuilder(2048);
        foreach (var section in AllSections)
        {
            if (!wanted.Contains(section)) continue;
            if (text.Length > 0) text.Append("\r\n");
            AppendSection(text, section, total, silo, keys, pubsub, replication);
        }
        _ = client;
        return Reply.Bulk(text.ToString());
    }

    /// <summary>
    /// Every silo's report summed (this node's alone where no silo part runs, or when the others cannot be asked), and the
    /// partition totals of the silo that answers (INFO memory is per silo; the sum where this silo's report is missing).
    /// </summary>
    private async Task<(NodeReport Total, PartitionTotals Silo)> ReportsAsync()
    {
        NodeReport[]? reports = null;
        if (node.Cluster is { } cluster)
        {
            try { reports = await cluster.ReportAsync(); }
            catch (Exception e) { Log.ClusterStatsFailed(node.Logger, e); }
        }
        if (reports is null || reports.Length == 0) reports = [node.Report()];
        var total = new NodeReport();
        string? local = node.Cluster?.LocalSilo;
        PartitionTotals? silo = null;
        foreach (var r in reports)
        {
            if (local is not null && r.Silo == local) silo = r.Partitions;
            total.ConnectedClients += r.ConnectedClients;
            total.BlockedClients += r.BlockedClients;
            total.PubSubClients += r.PubSubClients;
            total.TotalConnections += r.TotalConnections;
            total.RejectedConnections += r.RejectedConnections;
            total.TotalCommands += r.TotalCommands;
            total.NetInputBytes += r.NetInputBytes;
            total.NetOutputBytes += r.NetOutputBytes;
            total.OpsPerSecond += r.OpsPerSecond;
            total.InputKbps += r.InputKbps;
            total.OutputKbps += r.OutputKbps;
            total.TotalErrorReplies += r.TotalErrorReplies;
            total.Loading += r.Loading;
            for (int i = 0; i < total.AclDenied.Length && i < r.AclDenied.Length; i++) total.AclDenied[i] += r.AclDenied[i];
            foreach (var (code, count) in r.Errors) total.Errors[code] = total.Errors.GetValueOrDefault(code) + count;
            foreach (var (name, stat) in r.Commands)
            {
                if (!total.Commands.TryGetValue(name, out var sum)) total.Commands[name] = sum = new CommandStat();
                sum.Add(stat);
            }
            total.Partitions.Add(r.Partitions);
        }
        return (total, silo ?? total.Partitions);
    }

    private void AppendSection(StringBuilder text, string section, NodeReport total, PartitionTotals silo, long keys, (long Channels, long Patterns, long Shard) pubsub,
        ReplicationState[] replication)
    {
        var process = Environment.ProcessId;
        long uptime = (node.NowMs - node.StartedAt) / 1000;
        var parts = total.Partitions;
        void Line(string name, object value) =>
            text.Append(name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append("\r\n");
        static string F2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
        switch (section)
        {
            case "server":
                text.Append("# Server\r\n");
                Line("redis_version", RedisVersion);
                Line("redis_mode", node.Options.ClusterMode ? "cluster" : "standalone");
                Line("server_name", "orleans-cache");
                Line("os", System.Runtime.InteropServices.RuntimeInformation.OSDescription);
                Line("arch_bits", IntPtr.Size * 8);
                Line("process_id", process);
                Line("run_id", node.NodeId);
                Line("tcp_port", node.Port);
                Line("server_time_usec", (node.Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10);
                Line("uptime_in_seconds", uptime);
                Line("uptime_in_days", uptime / 86400);
                Line("hz", 10);
                Line("executable", Environment.ProcessPath ?? "");
                Line("dotnet_version", Environment.Version);
                break;
            case "clients":
                text.Append("# Clients\r\n");
                Line("connected_clients", total.ConnectedClients);
                Line("cluster_connections", 0);
                Line("maxclients", node.Config.MaxClients);
                Line("client_recent_max_input_buffer", 0);
                Line("client_recent_max_output_buffer", 0);
                Line("blocked_clients", total.BlockedClients);
                Line("tracking_clients", 0);
                Line("pubsub_clients", total.PubSubClients);
                Line("clients_in_timeout_table", total.BlockedClients);
                break;
            case "memory":
                // used_memory: the estimates (MEMORY USAGE of every key, kept as keys are written) of the partitions of the silo
                // that answers, the figure its maxmemory is compared with; RSS is this process's.
                long used = silo.UsedMemory, rss = Environment.WorkingSet;
                long peak = InterlockedMax(ref _usedMemoryPeak, used);
                long maxmemory = long.TryParse(node.Config.Get("maxmemory"), out long mm) ? mm : 0;
                text.Append("# Memory\r\n");
                Line("used_memory", used);
                Line("used_memory_human", Human(used));
                Line("used_memory_rss", rss);
                Line("used_memory_rss_human", Human(rss));
                Line("used_memory_peak", peak);
                Line("used_memory_peak_human", Human(peak));
                Line("used_memory_overhead", silo.Keys * MemoryUsage.EntryBytes);
                Line("used_memory_dataset", Math.Max(0, used - silo.Keys * MemoryUsage.EntryBytes));
                Line("maxmemory", maxmemory);
                Line("maxmemory_human", Human(maxmemory));
                Line("maxmemory_policy", node.Config.Get("maxmemory-policy") ?? "noeviction");
                Line("mem_fragmentation_ratio", F2(used == 0 ? 0 : (double)rss / used));
                break;
            case "persistence":
                text.Append("# Persistence\r\n");
                Line("loading", total.Loading > 0 ? 1 : 0);
                Line("async_loading", 0);
                Line("rdb_changes_since_last_save", parts.Dirty);
                Line("rdb_bgsave_in_progress", 0);
                Line("rdb_last_save_time", parts.Partitions > 0 ? parts.LastSave : (node.Time.GetUtcNow().ToUnixTimeSeconds() - uptime));
                Line("rdb_last_bgsave_status", parts.SaveErrors > 0 ? "err" : "ok");
                Line("aof_enabled", 0);
                Line("aof_rewrite_in_progress", 0);
                break;
            case "stats":
                text.Append("# Stats\r\n");
                Line("total_connections_received", total.TotalConnections);
                Line("total_commands_processed", total.TotalCommands);
                Line("instantaneous_ops_per_sec", (long)Math.Round(total.OpsPerSecond));
                Line("total_net_input_bytes", total.NetInputBytes);
                Line("total_net_output_bytes", total.NetOutputBytes);
                Line("instantaneous_input_kbps", F2(total.InputKbps));
                Line("instantaneous_output_kbps", F2(total.OutputKbps));
                Line("rejected_connections", total.RejectedConnections);
                Line("expired_keys", parts.Expired);
                Line("evicted_keys", parts.Evicted);
                Line("evicted_clients", 0);
                Line("keyspace_hits", parts.Hits);
                Line("keyspace_misses", parts.Misses);
                Line("pubsub_channels", pubsub.Channels);
                Line("pubsub_patterns", pubsub.Patterns);
                Line("pubsubshard_channels", pubsub.Shard);
                Line("total_error_replies", total.TotalErrorReplies);
                Line("acl_access_denied_auth", total.AclDenied[0]);
                Line("acl_access_denied_cmd", total.AclDenied[1]);
                Line("acl_access_denied_key", total.AclDenied[2]);
                Line("acl_access_denied_channel", total.AclDenied[3]);
                break;
            case "replication":
                AppendReplication(text, replication, Line);
                break;
            case "cpu":
                var cpu = System.Diagnostics.Process.GetCurrentProcess();
                text.Append("# CPU\r\n");
                Line("used_cpu_sys", cpu.PrivilegedProcessorTime.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture));
                Line("used_cpu_user", cpu.UserProcessorTime.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture));
                break;
            case "modules":
                text.Append("# Modules\r\n");
                break;
            case "commandstats":
                text.Append("# Commandstats\r\n");
                foreach (var (name, s) in total.Commands.OrderBy(c => c.Key, StringComparer.Ordinal))
                {
                    if (s.Calls == 0 && s.Rejected == 0 && s.Failed == 0) continue;
                    Line("cmdstat_" + name, string.Create(CultureInfo.InvariantCulture,
                        $"calls={s.Calls},usec={s.Microseconds},usec_per_call={(s.Calls == 0 ? 0 : (double)s.Microseconds / s.Calls):F2},rejected_calls={s.Rejected},failed_calls={s.Failed}"));
                }
                break;
            case "errorstats":
                text.Append("# Errorstats\r\n");
                foreach (var (code, count) in total.Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
                    Line("errorstat_" + code, $"count={count}");
                break;
            case "latencystats":
                text.Append("# Latencystats\r\n");
                foreach (var (name, s) in total.Commands.OrderBy(c => c.Key, StringComparer.Ordinal))
                {
                    if (s.Calls == 0) continue;
                    Line("latency_percentiles_usec_" + name, string.Create(CultureInfo.InvariantCulture,
                        $"p50={LatencyHistogram.Percentile(s.Histogram, 50):F3},p99={LatencyHistogram.Percentile(s.Histogram, 99):F3},p99.9={LatencyHistogram.Percentile(s.Histogram, 99.9):F3}"));
                }
                break;
            case "cluster":
                text.Append("# Cluster\r\n");
                Line("cluster_enabled", node.Options.ClusterMode ? 1 : 0);
                break;
            case "keyspace":
                text.Append("# Keyspace\r\n");
                if (keys > 0) Line("db0", $"keys={keys},expires={parts.Expires},avg_ttl={parts.AverageTtl}");
                break;
        }
    }

    private long _usedMemoryPeak;

    private static long InterlockedMax(ref long peak, long value)
    {
        long seen = Volatile.Read(ref peak);
        while (value > seen)
        {
            long was = Interlocked.CompareExchange(ref peak, value, seen);
            if (was == seen) return value;
            seen = was;
        }
        return seen;
    }

    private static string Human(long bytes) => bytes switch
    {
        < 1024 => $"{bytes}B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("F2", CultureInfo.InvariantCulture) + "K",
        < 1024L * 1024 * 1024 => (bytes / 1048576.0).ToString("F2", CultureInfo.InvariantCulture) + "M",
        _ => (bytes / 1073741824.0).ToString("F2", CultureInfo.InvariantCulture) + "G",
    };
}
