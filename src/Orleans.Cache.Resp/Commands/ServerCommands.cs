using System.Globalization;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

/// <summary>What the connection does after answering a server command.</summary>
internal enum AfterReply
{
    None,
    /// <summary>Write the replies so far, then close (QUIT, CLIENT KILL of itself).</summary>
    Close,
    /// <summary>The reply needs the partitions (INFO keyspace): fill it in after the pipeline's data commands ran.</summary>
    Deferred,
}

/// <summary>
/// The commands the endpoint answers itself (the <see cref="Routing.Server"/> rows of the command table),
/// dispatched by the row the connection found. One file per command family; every handler has the same shape:
/// check arguments, read or change connection or node state, return the reply.
/// </summary>
internal sealed partial class ServerCommands(RespNode node)
{
    public const string RedisVersion = "7.2.0";

    /// <summary>A front-door command's handler: the reply, or null with <paramref name="after"/> = Deferred.</summary>
    private delegate Reply? Handler(ServerCommands self, RespSession client, byte[][] argv, ref AfterReply after);

    /// <summary>
    /// The handler of every front-door row of the command table, by name. Bound once to the rows (by
    /// <see cref="CommandInfo.Id"/>), so running one costs an array read; <see cref="Unbound"/> lists rows without a
    /// handler and names without a row, which a test keeps empty.
    /// </summary>
    private static readonly Dictionary<string, Handler> ByName = new()
    {
        ["PING"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => c.InSubscribedMode ? SubscribedPing(a) : Ping(a),
        ["ECHO"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => Reply.Bulk(a[1]),
        ["QUIT"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => Quit(ref after),
        ["RESET"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => s.Reset(c),
        ["SELECT"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => Select(a),
        ["AUTH"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => s.Auth(c, a),
        ["HELLO"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => s.Hello(c, a),
        ["CLIENT"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => s.Client(c, a, ref after),
        ["COMMAND"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => CommandCommand(a),
        ["CONFIG"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => s.Config(a, ref after),
        ["INFO"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => Defer(ref after),
        ["TIME"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => s.Time(),
        ["CLUSTER"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => s.Cluster(c, a),
        ["READONLY"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => SetReadOnly(c, true),
        ["READWRITE"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => SetReadOnly(c, false),
        ["MULTI"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => Multi(c),
        ["EXEC"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => Exec(c, ref after),
        ["DISCARD"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => s.Discard(c),
        ["WATCH"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => Watch(c, a, ref after),
        ["UNWATCH"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => s.UnwatchCommand(c),
        ["SCRIPT"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => Script(a, ref after),
        ["WAIT"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => Wait(a, ref after),
        ["SWAPDB"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => DatabaseCommands.SwapDb(a),
        ["ROLE"] = Defer,
        ["LOLWUT"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply _) => Lolwut(a),
        ["SHUTDOWN"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => Shutdown(a, ref after),
        ["MEMORY"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => Memory(a, ref after),
        ["DEBUG"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => s.Debug(c, a, ref after),
        ["SLOWLOG"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => Slowlog(a, ref after),
        ["LATENCY"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => Latency(a, ref after),
        ["MONITOR"] = Defer,
        ["ACL"] = (ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => s.AclSubcommand(c, a, ref after),
        // Pub/sub commands go to the silo's pub/sub broker after the round's data commands (RespConnection defers them).
        ["PUBLISH"] = Defer, ["SPUBLISH"] = Defer, ["PUBSUB"] = Defer,
        ["SUBSCRIBE"] = Defer, ["UNSUBSCRIBE"] = Defer, ["PSUBSCRIBE"] = Defer,
        ["PUNSUBSCRIBE"] = Defer, ["SSUBSCRIBE"] = Defer, ["SUNSUBSCRIBE"] = Defer,
    };

    /// <summary>WAIT numreplicas timeout: Redis's argument errors here; the waiting after the round's writes ran (<see cref="WaitAsync"/>).</summary>
    private static Reply? Wait(byte[][] argv, ref AfterReply after)
    {
        if (!Args.TryLong(argv[1], out _)) return Errors.NotInteger;
        if (!Args.TryLong(argv[2], out long timeout)) return Reply.Error("ERR timeout is not an integer or out of range");
        return timeout < 0 ? Reply.Error("ERR timeout is negative") : Defer(ref after);
    }

    /// <summary>
    /// WAIT: how many replicas acknowledged this connection's writes — for each partition it wrote to, the replicas that
    /// have every write that partition took by now; the fewest over those partitions. No write yet: every partition.
    /// </summary>
    private async ValueTask<Reply> WaitAsync(RespSession client, byte[][] argv)
    {
        long needed = Math.Clamp(Args.Long(argv[1]), 0, int.MaxValue), timeout = Args.Long(argv[2]);
        int partitions = node.Executor.Partitions.Count;
        var written = client.WrotePartitions;
        var which = Enumerable.Range(0, partitions).Where(p => written is null || written[p]).ToList();
        return Reply.Int(await node.Executor.WaitReplicasAsync(which, (int)needed, timeout));
    }

    private static Reply? Defer(ServerCommands s, RespSession c, byte[][] a, ref AfterReply after) => Defer(ref after);

    /// <summary>The second half of MEMORY, DEBUG and SHUTDOWN, after the round's data commands: they ask the partitions or wait.</summary>
    internal ValueTask<Reply> DeferredAsync(RespSession client, CommandInfo command, byte[][] argv, CancellationToken cancellationToken = default) =>
        command.Name switch
        {
            "MEMORY" => MemoryAsync(argv),
            "DEBUG" => DebugAsync(argv, cancellationToken),
            "SHUTDOWN" => ShutdownAsync(client, argv),
            "SLOWLOG" => SlowlogAsync(argv),
            "LATENCY" => LatencyAsync(argv),
            "CONFIG" => ResetStatAsync(),
            "MONITOR" => MonitorAsync(client),
            "CLIENT" => TrackingOnAsync(),
            "ACL" => AclAsync(argv),
            "WAIT" => WaitAsync(client, argv),
            "ROLE" => RoleAsync(),
            _ => throw new InvalidOperationException($"{command.Name} is not answered after the round"),
        };

    /// <summary>CLIENT TRACKING ON answers once the cluster announces modified keys to this node.</summary>
    private async ValueTask<Reply> TrackingOnAsync()
    {
        await node.Tracking.StartAsync();
        return Reply.Ok;
    }

    private static readonly Handler?[] ById = [.. CommandTable.All.Select(c => c.Kind == CommandKind.FrontDoor ? ByName.GetValueOrDefault(c.Name) : null)];

    /// <summary>Front-door rows without a handler, and handlers without a front-door row (both should be empty).</summary>
    public static IReadOnlyList<string> Unbound =>
    [
        .. CommandTable.All.Where(c => c.Kind == CommandKind.FrontDoor && !ByName.ContainsKey(c.Name)).Select(c => "row without handler: " + c.Name),
        .. ByName.Keys.Where(n => CommandTable.Find(n) is not { Kind: CommandKind.FrontDoor }).Select(n => "handler without row: " + n),
    ];

    public Reply? Execute(RespSession client, CommandInfo command, byte[][] argv, ref AfterReply after)
    {
        try
        {
            return ById[command.Id] is { } handler ? handler(this, client, argv, ref after) : Errors.UnknownCommand(command.Name, []);
        }
        catch (CommandException e)
        {
            return e.Reply;
        }
    }

    private static Reply? Defer(ref AfterReply after)
    {
        after = AfterReply.Deferred;
        return null;
    }

    private static Reply UnknownSubcommand(byte[] sub, string command)
    {
        string name = Args.Text(sub);
        if (name.Length > 128) name = name[..128];
        return Reply.Error($"ERR unknown subcommand '{name}'. Try {command} HELP.");
    }

    private static Reply SubcommandArity(string fullName) => Errors.WrongArity(fullName);

    private static Reply Help(params string[] lines)
    {
        var items = new Reply[lines.Length];
        for (int i = 0; i < lines.Length; i++) items[i] = Reply.Simple(lines[i]);
        return Reply.Array(items);
    }

    private Reply? Config(byte[][] argv, ref AfterReply after)
    {
        var sub = argv[1];
        if (Args.Is(sub, "GET"))
            return argv.Length < 3 ? SubcommandArity("config|get") : node.Config.GetMatching(argv, 2);
        if (Args.Is(sub, "SET"))
        {
            var reply = node.Config.Set(argv);
            node.RefreshSettings(); // slowlog and latency thresholds take effect with the next command
            return reply;
        }
        if (Args.Is(sub, "RESETSTAT")) return argv.Length == 2 ? Defer(ref after) : SubcommandArity("config|resetstat");
        if (Args.Is(sub, "REWRITE")) return argv.Length == 2 ? node.Config.Rewrite() : SubcommandArity("config|rewrite");
        if (Args.Is(sub, "HELP"))
            return Help("CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                "RESETSTAT", "    Reset statistics reported by the INFO command.",
                "REWRITE", "    Rewrite the configuration file.",
                "HELP", "    Print this help.");
        return UnknownSubcommand(sub, "CONFIG");
    }

    private Reply Time()
    {
        long micros = (node.Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
        return Reply.Array([
            Reply.Bulk((micros / 1_000_000).ToString(CultureInfo.InvariantCulture)),
            Reply.Bulk((micros % 1_000_000).ToString(CultureInfo.InvariantCulture)),
        ]);
    }
}
