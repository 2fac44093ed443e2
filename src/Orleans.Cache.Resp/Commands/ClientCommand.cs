using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

// CLIENT ID | SETNAME | GETNAME | LIST | INFO | KILL | UNBLOCK | NO-EVICT | NO-TOUCH | SETINFO | REPLY | PAUSE | UNPAUSE
//        | TRACKING | CACHING | GETREDIR | TRACKINGINFO | HELP
internal sealed partial class ServerCommands
{
    private Reply? Client(RespSession client, byte[][] argv, ref AfterReply after)
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
        if (Args.Is(sub, "INFO")) return n == 2 ? Reply.Bulk(client.Describe(node.NowMs)) : SubcommandArity("client|info");
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
        if (Args.Is(sub, "NO-TOUCH"))
        {
            if (n != 3) return SubcommandArity("client|no-touch");
            if (Args.Is(argv[2], "ON")) client.NoTouch = true;
            else if (Args.Is(argv[2], "OFF")) client.NoTouch = false;
            else return Errors.Syntax;
            return Reply.Ok;
        }
        if (Args.Is(sub, "REPLY"))
        {
            if (n != 3) return SubcommandArity("client|reply");
            if (Args.Is(argv[2], "ON")) { client.ReplyMode = ReplyMode.On; client.SkipReplies = 0; }
            else if (Args.Is(argv[2], "OFF")) client.ReplyMode = ReplyMode.Off;
            else if (Args.Is(argv[2], "SKIP")) { if (client.ReplyMode == ReplyMode.On) client.SkipReplies = 2; }
            else return Errors.Syntax;
            return Reply.Ok; // dropped by the connection unless the mode is now ON
        }
        if (Args.Is(sub, "PAUSE")) return ClientPause(client, argv);
        if (Args.Is(sub, "UNPAUSE"))
        {
            if (n != 2) return SubcommandArity("client|unpause");
            client.AwaitBeforeReply = node.ClusterPause.UnpauseAsync();
            return Reply.Ok;
        }
        if (Args.Is(sub, "TRACKING")) return ClientTracking(client, argv, ref after);
        if (Args.Is(sub, "CACHING")) return ClientCaching(client, argv);
        if (Args.Is(sub, "GETREDIR")) return n == 2 ? Reply.Int(client.Tracking?.Redirect ?? -1) : SubcommandArity("client|getredir");
        if (Args.Is(sub, "TRACKINGINFO")) return n == 2 ? TrackingInfo(client) : SubcommandArity("client|trackinginfo");
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
                "NO-TOUCH (ON|OFF)", "    Will not touch LRU/LFU stats when this mode is on.",
                "PAUSE <timeout> [WRITE|ALL]", "    Suspend all, or just write, clients for <timeout> milliseconds.",
                "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
                "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]", "         [OPTIN] [OPTOUT] [NOLOOP]",
                "    Control server assisted client side caching.",
                "CACHING (YES|NO)", "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
                "GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled.",
                "TRACKINGINFO", "    Report tracking status for the current connection.",
                "UNPAUSE", "    Stop the current client pause, resuming traffic.",
                "SETINFO <option> <value>", "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
                "SETNAME <name>", "    Assign the name <name> to the current connection.",
                "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
                "HELP", "    Print this help.");
        return UnknownSubcommand(sub, "CLIENT");
    }

    /// <summary>
    /// CLIENT PAUSE timeout [WRITE|ALL]: the clients of every silo wait (all their commands, or those that write); this
    /// silo's at once, the others' once the announcement reaches them, before this reply is sent.
    /// </summary>
    private Reply ClientPause(RespSession client, byte[][] argv)
    {
        if (argv.Length > 4) return Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{Args.Text(argv[1])}'. Try CLIENT HELP.");
        if (argv.Length < 3) return SubcommandArity("client|pause");
        if (!Args.TryLong(argv[2], out long timeout)) return Reply.Error("ERR timeout is not an integer or out of range");
        if (timeout < 0) return Reply.Error("ERR timeout is negative");
        bool all = true;
        if (argv.Length == 4)
        {
            if (Args.Is(argv[3], "WRITE")) all = false;
            else if (!Args.Is(argv[3], "ALL")) return Reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
        }
        client.AwaitBeforeReply = node.ClusterPause.PauseAsync(TimeSpan.FromMilliseconds(Math.Min(timeout, 100L * 365 * 86400 * 1000)), all);
        return Reply.Ok;
    }

    /// <summary>
    /// CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p …] [OPTIN] [OPTOUT] [NOLOOP], checked as Redis's
    /// clientCommand does. Turning it on answers after the round (the cluster must announce modified keys first).
    /// </summary>
    private Reply? ClientTracking(RespSession client, byte[][] argv, ref AfterReply after)
    {
        if (argv.Length < 3) return SubcommandArity("client|tracking");
        long redirect = 0;
        bool bcast = false, optIn = false, optOut = false, noLoop = false;
        var prefixes = new List<byte[]>();
        for (int j = 3; j < argv.Length; j++)
        {
            bool more = j + 1 < argv.Length;
            if (Args.Is(argv[j], "REDIRECT") && more)
            {
                if (redirect != 0) return Reply.Error("ERR A client can only redirect to a single other client");
                if (!Args.TryLong(argv[++j], out redirect)) return Errors.NotInteger;
                if (!node.Clients.ContainsKey(redirect)) return Reply.Error("ERR The client ID you want redirect to does not exist");
            }
            else if (Args.Is(argv[j], "BCAST")) bcast = true;
            else if (Args.Is(argv[j], "OPTIN")) optIn = true;
            else if (Args.Is(argv[j], "OPTOUT")) optOut = true;
            else if (Args.Is(argv[j], "NOLOOP")) noLoop = true;
            else if (Args.Is(argv[j], "PREFIX") && more) prefixes.Add(argv[++j]);
            else return Errors.Syntax;
        }
        if (Args.Is(argv[2], "OFF"))
        {
            client.Tracking = null;
            client.CachingNext = null;
            node.Tracking.Table.Forget(client.Id);
            return Reply.Ok;
        }
        if (!Args.Is(argv[2], "ON")) return Errors.Syntax;
        var current = client.Tracking;
        if (!bcast && prefixes.Count > 0) return Reply.Error("ERR PREFIX option requires BCAST mode to be enabled");
        if (current is not null && current.Broadcast != bcast)
            return Reply.Error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
        if (bcast && (optIn || optOut)) return Reply.Error("ERR OPTIN and OPTOUT are not compatible with BCAST");
        if (optIn && optOut) return Reply.Error("ERR You can't specify both OPTIN mode and OPTOUT mode");
        if (current is not null && (optIn && current.OptOut || optOut && current.OptIn))
            return Reply.Error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
        var existing = current?.Prefixes ?? [];
        if (bcast && TrackingTable.PrefixCollision(existing, prefixes) is { } collision) return Reply.Error(collision);
        if (node.Broker is null) return Reply.Error("ERR client tracking needs the silo's pub/sub (this endpoint runs without it)");
        client.Tracking = new ClientTrackingMode
        {
            Redirect = redirect,
            Broadcast = bcast,
            Prefixes = [.. existing, .. prefixes],
            OptIn = optIn || current?.OptIn == true,
            OptOut = optOut || current?.OptOut == true,
            NoLoop = noLoop || current?.NoLoop == true,
        };
        if (bcast) node.Tracking.Table.Broadcast(client.Id, client.Tracking.Prefixes);
        after = AfterReply.Deferred;
        return null;
    }

    /// <summary>CLIENT CACHING YES|NO: whether the next command's keys are tracked (OPTIN / OPTOUT).</summary>
    private static Reply ClientCaching(RespSession client, byte[][] argv)
    {
        if (argv.Length != 3) return SubcommandArity("client|caching");
        if (client.Tracking is not { } mode)
            return Reply.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
        if (Args.Is(argv[2], "YES"))
        {
            if (!mode.OptIn) return Reply.Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
            client.CachingNext = true;
        }
        else if (Args.Is(argv[2], "NO"))
        {
            if (!mode.OptOut) return Reply.Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
            client.CachingNext = false;
        }
        else return Errors.Syntax;
        return Reply.Ok;
    }

    /// <summary>CLIENT TRACKINGINFO: flags, redirect and prefixes, as Redis prints them (a map in RESP3).</summary>
    private static Reply TrackingInfo(RespSession client)
    {
        var flags = new List<Reply>();
        var mode = client.Tracking;
        if (mode is null) flags.Add(Reply.Bulk("off"));
        else
        {
            flags.Add(Reply.Bulk("on"));
            if (mode.Broadcast) flags.Add(Reply.Bulk("bcast"));
            if (mode.OptIn) flags.Add(Reply.Bulk("optin"));
            if (mode.OptOut) flags.Add(Reply.Bulk("optout"));
            if (client.CachingNext == true) flags.Add(Reply.Bulk("caching-yes"));
            if (client.CachingNext == false) flags.Add(Reply.Bulk("caching-no"));
            if (mode.NoLoop) flags.Add(Reply.Bulk("noloop"));
            if (mode.BrokenRedirect) flags.Add(Reply.Bulk("broken_redirect"));
        }
        return Reply.Map([
            Reply.Bulk("flags"), Reply.Set([.. flags]),
            Reply.Bulk("redirect"), Reply.Int(mode?.Redirect ?? -1),
            Reply.Bulk("prefixes"), Reply.Array([.. (mode?.Prefixes ?? []).Select(p => Reply.Bulk(p))]),
        ]);
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
        long now = node.NowMs;
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
        if (user is not null && node.Acl.Current.Find(user) is null)
            return Reply.Error($"ERR No such user '{user}'");
        long now = node.NowMs;
        int killed = 0;
        foreach (var c in SortedClients())
        {
            if (id is long wanted && c.Id != wanted) continue;
            if (address is not null && c.Address != address) continue;
            if (localAddress is not null && c.LocalAddress != localAddress) continue;
            if (maxAge is long age && (now - c.CreatedAt) / 1000 < age) continue;
            if (user is not null && c.User.Name != user) continue;
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
