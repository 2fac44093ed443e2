using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

// CLIENT ID | SETNAME | GETNAME | LIST | INFO | KILL | UNBLOCK | NO-EVICT | SETINFO | HELP
public sealed partial class ServerCommands
{
    private Reply Client(RespSession client, byte[][] argv, ref AfterReply after)
    {
        var sub = argv[1];
        int n = argv.Length;
        if (Args.Is(sub, "ID")) return n == 2 ? Reply.Int(client.Id) : SubcommandArity("client|id");
        if (Args.Is(sub, "GETNAME")) return n == 2 ? (client.Name.Length == 0 ? Reply.Nil : Reply.Bulk(client.Name)) : SubcommandArity("client|getname");
        if (Args.Is(sub, "SETNAME"))
        {
            if (n != 3) return SubcommandArity("client|setname");
            string name = Args.Text(argv[2]);
            if (!IsValidName(name)) return Reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
            client.Name = name;
            return Reply.Ok;
        }
        if (Args.Is(sub, "INFO")) return n == 2 ? Reply.Bulk(client.Describe(Environment.TickCount64)) : SubcommandArity("client|info");
        if (Args.Is(sub, "LIST")) return ClientList(argv);
        if (Args.Is(sub, "KILL")) return n >= 3 ? ClientKill(client, argv, ref after) : SubcommandArity("client|kill");
        if (Args.Is(sub, "UNBLOCK")) return ClientUnblock(argv);
        if (Args.Is(sub, "NO-EVICT"))
        {
            if (n != 3) return SubcommandArity("client|no-evict");
            if (Args.Is(argv[2], "ON")) client.NoEvict = true;
            else if (Args.Is(argv[2], "OFF")) client.NoEvict = false;
            else return Errors.Syntax;
            return Reply.Ok;
        }
        if (Args.Is(sub, "SETINFO"))
        {
            if (n != 4) return SubcommandArity("client|setinfo");
            string value = Args.Text(argv[3]);
            bool isName = Args.Is(argv[2], "LIB-NAME");
            if (!isName && !Args.Is(argv[2], "LIB-VER")) return Reply.Error($"ERR Unrecognized option '{Args.Text(argv[2])}'");
            if (!IsValidName(value))
                return Reply.Error($"ERR {(isName ? "lib-name" : "lib-ver")} cannot contain spaces, newlines or special characters.");
            if (isName) client.LibName = value; else client.LibVersion = value;
            return Reply.Ok;
        }
        if (Args.Is(sub, "HELP"))
            return Help("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GETNAME", "    Return the name of the current connection.",
                "ID", "    Return the ID of the current connection.",
                "INFO", "    Return information about the current client connection.",
                "KILL <ip:port>", "    Kill connection made from <ip:port>.",
                "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are: ID, ADDR, LADDR, SKIPME, USER, TYPE, MAXAGE.",
                "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <id> [<id> ...]]", "    Return information about client connections.",
                "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
                "SETINFO <option> <value>", "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
                "SETNAME <name>", "    Assign the name <name> to the current connection.",
                "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
                "HELP", "    Print this help.");
        return UnknownSubcommand(sub, "CLIENT");
    }

    private Reply ClientList(byte[][] argv)
    {
        HashSet<long>? ids = null;
        for (int i = 2; i < argv.Length; i++)
        {
            if (Args.Is(argv[i], "TYPE") && i + 1 < argv.Length)
            {
                var type = argv[++i];
                if (Args.Is(type, "NORMAL")) continue;
                if (Args.Is(type, "MASTER") || Args.Is(type, "REPLICA") || Args.Is(type, "SLAVE") || Args.Is(type, "PUBSUB"))
                    return Reply.Bulk("");
                return Reply.Error($"ERR Unknown client type '{Args.Text(type)}'");
            }
            else if (Args.Is(argv[i], "ID") && i + 1 < argv.Length)
            {
                ids ??= [];
                for (i++; i < argv.Length; i++)
                {
                    if (!Args.TryLong(argv[i], out long id) || id <= 0) return Reply.Error("ERR Invalid client ID");
                    ids.Add(id);
                }
            }
            else return Errors.Syntax;
        }
        var text = new StringBuilder();
        long now = Environment.TickCount64;
        foreach (var c in SortedClients())
            if (ids is null || ids.Contains(c.Id)) text.Append(c.Describe(now));
        return Reply.Bulk(text.ToString());
    }

    private List<RespSession> SortedClients()
    {
        var clients = new List<RespSession>(node.Clients.Values);
        clients.Sort((a, b) => a.Id.CompareTo(b.Id));
        return clients;
    }

    /// <summary>
    /// CLIENT UNBLOCK id [TIMEOUT|ERROR]: a client of this node waiting in a blocking command answers at once — its timeout
    /// reply, or the UNBLOCKED error — and 1 is returned; 0 when no such client is blocked.
    /// </summary>
    private Reply ClientUnblock(byte[][] argv)
    {
        if (argv.Length == 2) return SubcommandArity("client|unblock");
        if (argv.Length > 4) return Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{Args.Text(argv[1])}'. Try CLIENT HELP.");
        bool withError = false;
        if (argv.Length == 4)
        {
            if (Args.Is(argv[3], "ERROR")) withError = true;
            else if (!Args.Is(argv[3], "TIMEOUT")) return Reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        }
        if (!Args.TryLong(argv[2], out long id)) return Errors.NotInteger;
        return Reply.Int(node.Clients.TryGetValue(id, out var target) && target.Unblock(withError) ? 1 : 0);
    }

    private Reply ClientKill(RespSession self, byte[][] argv, ref AfterReply after)
    {
        if (argv.Length == 3)
        {
            // Old form: CLIENT KILL addr:port.
            string addr = Args.Text(argv[2]);
            foreach (var c in SortedClients())
            {
                if (c.Address != addr) continue;
                Kill(self, c, ref after);
                return Reply.Ok;
            }
            return Reply.Error("ERR No such client");
        }
        if (argv.Length % 2 != 0) return Errors.Syntax;
        long? id = null;
        string? address = null, localAddress = null, user = null;
        long? maxAge = null;
        bool skipMe = true, normalOnly = false, noneMatch = false;
        for (int i = 2; i < argv.Length; i += 2)
        {
            var option = argv[i];
            var value = argv[i + 1];
            if (Args.Is(option, "ID"))
            {
                if (!Args.TryLong(value, out long v) || v <= 0) return Reply.Error("ERR client-id should be greater than 0");
                id = v;
            }
            else if (Args.Is(option, "ADDR")) address = Args.Text(value);
            else if (Args.Is(option, "LADDR")) localAddress = Args.Text(value);
            else if (Args.Is(option, "USER")) user = Args.Text(value);
            else if (Args.Is(option, "MAXAGE"))
            {
                if (!Args.TryLong(value, out long v)) return Errors.NotInteger;
                maxAge = v;
            }
            else if (Args.Is(option, "SKIPME"))
            {
                if (Args.Is(value, "YES")) skipMe = true;
                else if (Args.Is(value, "NO")) skipMe = false;
                else return Errors.Syntax;
            }
            else if (Args.Is(option, "TYPE"))
            {
                if (Args.Is(value, "NORMAL")) normalOnly = true;
                else if (Args.Is(value, "MASTER") || Args.Is(value, "REPLICA") || Args.Is(value, "SLAVE") || Args.Is(value, "PUBSUB")) noneMatch = true;
                else return Reply.Error($"ERR Unknown client type '{Args.Text(value)}'");
            }
            else return Errors.Syntax;
        }
        _ = normalOnly;
        if (noneMatch) return Reply.Int(0);
        if (user is not null && user != "default")
            return Reply.Error($"ERR No such user '{user}'");
        long now = Environment.TickCount64;
        int killed = 0;
        foreach (var c in SortedClients())
        {
            if (id is long wanted && c.Id != wanted) continue;
            if (address is not null && c.Address != address) continue;
            if (localAddress is not null && c.LocalAddress != localAddress) continue;
            if (maxAge is long age && (now - c.CreatedAt) / 1000 < age) continue;
            if (skipMe && c == self) continue;
            Kill(self, c, ref after);
            killed++;
        }
        return Reply.Int(killed);
    }

    /// <summary>Another client is aborted at once; this client gets its reply first, then closes.</summary>
    private static void Kill(RespSession self, RespSession target, ref AfterReply after)
    {
        if (target == self) after = AfterReply.Close;
        else target.Kill();
    }
}
