using System.Net;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

// CLUSTER KEYSLOT | INFO | MYID | SHARDS | SLOTS | NODES: each endpoint is one logical node serving all slots,
// because any silo routes any key to its partition; clients never need a MOVED redirect.
internal sealed partial class ServerCommands
{
    // Standalone Redis's answer; clients that probe with CLUSTER NODES then treat the endpoint as standalone.
    private static readonly Reply ClusterDisabled = Reply.Error("ERR This instance has cluster support disabled");

    private Reply Cluster(RespSession client, byte[][] argv)
    {
        var sub = argv[1];
        int n = argv.Length;
        if (Args.Is(sub, "KEYSLOT")) return n == 3 ? Reply.Int(HashSlot.Of(argv[2])) : SubcommandArity("cluster|keyslot");
        if (Args.Is(sub, "MYID")) return n == 2 ? Reply.Bulk(node.NodeId) : SubcommandArity("cluster|myid");
        if (Args.Is(sub, "INFO"))
        {
            if (n != 2) return SubcommandArity("cluster|info");
            return Reply.Bulk(
                (node.Options.ClusterMode ? "cluster_enabled:1" : "cluster_enabled:0") + "\r\ncluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\n" +
                "cluster_slots_pfail:0\r\ncluster_slots_fail:0\r\ncluster_known_nodes:1\r\ncluster_size:1\r\n" +
                "cluster_current_epoch:1\r\ncluster_my_epoch:1\r\ncluster_stats_messages_sent:0\r\ncluster_stats_messages_received:0\r\n" +
                "total_cluster_links_buffer_limit_exceeded:0\r\n");
        }
        if (!node.Options.ClusterMode && (Args.Is(sub, "SLOTS") || Args.Is(sub, "SHARDS") || Args.Is(sub, "NODES")))
            return ClusterDisabled;
        string ip = AnnouncedIp(client);
        if (Args.Is(sub, "SLOTS"))
        {
            if (n != 2) return SubcommandArity("cluster|slots");
            return Reply.Array([Reply.Array([
                Reply.Int(0), Reply.Int(HashSlot.Count - 1),
                Reply.Array([Reply.Bulk(ip), Reply.Int(node.Port), Reply.Bulk(node.NodeId), Reply.Map([])]),
            ])]);
        }
        if (Args.Is(sub, "SHARDS"))
        {
            if (n != 2) return SubcommandArity("cluster|shards");
            return Reply.Array([Reply.Map([
                Reply.Bulk("slots"), Reply.Array([Reply.Int(0), Reply.Int(HashSlot.Count - 1)]),
                Reply.Bulk("nodes"), Reply.Array([Reply.Map([
                    Reply.Bulk("id"), Reply.Bulk(node.NodeId),
                    Reply.Bulk("port"), Reply.Int(node.Port),
                    Reply.Bulk("ip"), Reply.Bulk(ip),
                    Reply.Bulk("endpoint"), Reply.Bulk(ip),
                    Reply.Bulk("role"), Reply.Bulk("master"),
                    Reply.Bulk("replication-offset"), Reply.Int(0),
                    Reply.Bulk("health"), Reply.Bulk("online"),
                ])]),
            ])]);
        }
        if (Args.Is(sub, "NODES"))
        {
            if (n != 2) return SubcommandArity("cluster|nodes");
            return Reply.Bulk($"{node.NodeId} {ip}:{node.Port}@{node.Port + 10000} myself,master - 0 0 1 connected 0-{HashSlot.Count - 1}\n");
        }
        if (Args.Is(sub, "HELP"))
            return Help("CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "INFO", "    Return information about the cluster.",
                "KEYSLOT <key>", "    Return the hash slot for <key>.",
                "MYID", "    Return the node id.",
                "NODES", "    Return cluster configuration seen by node.",
                "SHARDS", "    Return information about slot range mappings and the nodes associated with them.",
                "SLOTS", "    Return information about slots range mappings.",
                "HELP", "    Print this help.");
        return UnknownSubcommand(sub, "CLUSTER");
    }

    /// <summary>The address the client reached us on, so what we announce is reachable from where the client is.</summary>
    private static string AnnouncedIp(RespSession client) => client.LocalEndPoint switch
    {
        IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => ip.Address.MapToIPv4().ToString(),
        IPEndPoint ip => ip.Address.ToString(),
        _ => "127.0.0.1",
    };
}
