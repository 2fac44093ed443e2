using System.Globalization;
using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

// INFO [section ...]: server, clients, memory, persistence, stats, replication, cpu, cluster, keyspace.
public sealed partial class ServerCommands
{
    private static readonly string[] DefaultSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "cluster", "keyspace"];
    private static readonly Command DbSize = CommandRouter.Resolve([Args.Bytes("DBSIZE")], out _)!.Value;

    /// <summary>INFO runs after the pipeline's data commands, because the keyspace section asks the partitions.</summary>
    public async ValueTask<Reply> InfoAsync(RespSession client, byte[][] argv)
    {
        var wanted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (argv.Length == 1) wanted.UnionWith(DefaultSections);
        for (int i = 1; i < argv.Length; i++)
        {
            string s = Args.Text(argv[i]).ToLowerInvariant();
            if (s is "all" or "everything" or "default") wanted.UnionWith(DefaultSections);
            else wanted.Add(s);
        }

        long keys = 0;
        if (wanted.Contains("keyspace"))
        {
            var reply = await node.Executor.ExecuteAsync(DbSize);
            if (reply.Kind == ReplyKind.Integer) keys = reply.Integer;
        }

        var text = new StringBuilder(2048);
        foreach (var section in DefaultSections)
        {
            if (!wanted.Contains(section)) continue;
            if (text.Length > 0) text.Append("\r\n");
            AppendSection(text, section, client, keys);
        }
        return Reply.Bulk(text.ToString());
    }

    private void AppendSection(StringBuilder text, string section, RespSession client, long keys)
    {
        var process = Environment.ProcessId;
        long uptime = (node.NowMs - node.StartedAt) / 1000;
        void Line(string name, object value) =>
            text.Append(name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append("\r\n");
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
                Line("connected_clients", node.Clients.Count);
                Line("maxclients", node.Config.MaxClients);
                Line("blocked_clients", node.BlockedClients);
                Line("pubsub_clients", 0);
                break;
            case "memory":
                long used = GC.GetTotalMemory(false);
                text.Append("# Memory\r\n");
                Line("used_memory", used);
                Line("used_memory_human", Human(used));
                Line("used_memory_rss", Environment.WorkingSet);
                Line("maxmemory", node.Config.Get("maxmemory") ?? "0");
                Line("maxmemory_policy", node.Config.Get("maxmemory-policy") ?? "noeviction");
                break;
            case "persistence":
                text.Append("# Persistence\r\n");
                Line("loading", 0);
                Line("rdb_changes_since_last_save", 0);
                Line("aof_enabled", 0);
                break;
            case "stats":
                text.Append("# Stats\r\n");
                Line("total_connections_received", node.TotalConnections);
                Line("total_commands_processed", node.TotalCommands);
                Line("total_net_input_bytes", node.NetInputBytes);
                Line("total_net_output_bytes", node.NetOutputBytes);
                Line("rejected_connections", node.RejectedConnections);
                break;
            case "replication":
                text.Append("# Replication\r\n");
                Line("role", "master");
                Line("connected_slaves", 0);
                Line("master_replid", node.NodeId);
                Line("master_repl_offset", 0);
                break;
            case "cpu":
                var cpu = System.Diagnostics.Process.GetCurrentProcess();
                text.Append("# CPU\r\n");
                Line("used_cpu_sys", cpu.PrivilegedProcessorTime.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture));
                Line("used_cpu_user", cpu.UserProcessorTime.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture));
                break;
            case "cluster":
                text.Append("# Cluster\r\n");
                Line("cluster_enabled", node.Options.ClusterMode ? 1 : 0);
                break;
            case "keyspace":
                text.Append("# Keyspace\r\n");
                if (keys > 0) Line("db0", $"keys={keys},expires=0,avg_ttl=0");
                break;
        }
        _ = client;
    }

    private static string Human(long bytes) => bytes switch
    {
        < 1024 => $"{bytes}B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("F2", CultureInfo.InvariantCulture) + "K",
        < 1024L * 1024 * 1024 => (bytes / 1048576.0).ToString("F2", CultureInfo.InvariantCulture) + "M",
        _ => (bytes / 1073741824.0).ToString("F2", CultureInfo.InvariantCulture) + "G",
    };
}
