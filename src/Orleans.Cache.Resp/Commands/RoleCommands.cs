using System.Globalization;
using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

// ROLE, INFO replication, LOLWUT and SWAPDB: a node answers as a Redis 7.2 primary with one database, whose replication
// is its partitions' (each partition is a primary with replicas on other silos; the offsets are the sums of theirs).
internal sealed partial class ServerCommands
{
    /// <summary>
    /// ROLE: "master", the partitions' offsets summed, and one entry per silo holding replicas — its address, port and the
    /// sum of the offsets its replicas acknowledged.
    /// </summary>
    private async ValueTask<Reply> RoleAsync()
    {
        var states = await node.Executor.ReplicationAsync();
        var replicas = states.SelectMany(s => s.ReplicaSilos.Zip(s.ReplicaOffsets)).GroupBy(r => r.First, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var (host, port) = HostAndPort(g.Key);
                return Reply.Array([Reply.Bulk(host), Reply.Bulk(port), Reply.Bulk(g.Sum(r => Math.Max(0, r.Second)).ToString(CultureInfo.InvariantCulture))]);
            });
        return Reply.Array([Reply.Bulk("master"), Reply.Int(states.Sum(s => s.Offset)), Reply.Array([.. replicas])]);
    }

    /// <summary>A silo's parsable address (<c>ip:port@generation</c>) as host and port.</summary>
    private static (string Host, string Port) HostAndPort(string silo)
    {
        string endpoint = silo.Split('@')[0];
        int colon = endpoint.LastIndexOf(':');
        return colon < 0 ? (endpoint, "0") : (endpoint[..colon], endpoint[(colon + 1)..]);
    }

    /// <summary>
    /// INFO replication: Redis's fields (connected_slaves is the fewest replicas any partition has in sync; offsets are
    /// summed over partitions), then one line per partition: its primary's silo and offset, and each replica's silo,
    /// acknowledged offset and lag in writes.
    /// </summary>
    private void AppendReplication(StringBuilder text, ReplicationState[] states, Action<string, object> line)
    {
        text.Append("# Replication\r\n");
        line("role", "master");
        line("connected_slaves", states.Length == 0 ? 0 : states.Min(s => s.ReplicaOffsets.Count(o => o >= 0)));
        line("min_slaves_good_slaves", states.Length == 0 ? 0 : states.Min(s => s.Good));
        line("master_failover_state", "no-failover");
        line("master_replid", node.NodeId);
        line("master_replid2", new string('0', 40));
        line("master_repl_offset", states.Sum(s => s.Offset));
        line("second_repl_offset", -1);
        line("repl_backlog_active", states.Any(s => s.ReplicaSilos.Length > 0) ? 1 : 0);
        long lag = states.Select(s => s.MaxLag).DefaultIfEmpty(0).Max();
        line("partition_replication_max_lag", lag);
        for (int p = 0; p < states.Length; p++)
        {
            var s = states[p];
            var fields = new StringBuilder().Append("silo=").Append(s.Silo).Append(",offset=").Append(s.Offset)
                .Append(",replicas=").Append(s.ReplicaSilos.Length);
            for (int r = 0; r < s.ReplicaSilos.Length; r++)
            {
                long acked = s.ReplicaOffsets[r];
                fields.Append(",replica").Append(r).Append('=').Append(s.ReplicaSilos[r]).Append('/')
                    .Append(acked < 0 ? "sync" : "online").Append('/').Append(Math.Max(acked, 0)).Append('/').Append(s.LagOf(acked));
            }
            line("partition" + p.ToString(CultureInfo.InvariantCulture), fields.ToString());
        }
    }

    /// <summary>
    /// LOLWUT [VERSION v]: the version line, as Redis answers for a version without art of its own; VERSION 5 and 6 (Redis's
    /// art) answer it too, after checking their numeric arguments as Redis does.
    /// </summary>
    private static Reply Lolwut(byte[][] argv)
    {
        if (argv.Length >= 3 && Args.Is(argv[1], "VERSION"))
        {
            if (!Args.TryLong(argv[2], out long version)) return Errors.NotInteger;
            int parameters = version switch { 5 => 3, 6 => 2, _ => 0 };
            for (int i = 3; i < argv.Length && i < 3 + parameters; i++)
                if (!Args.TryLong(argv[i], out _)) return Errors.NotInteger;
        }
        return Reply.Verbatim($"Redis ver. {RedisVersion}\n");
    }
}
