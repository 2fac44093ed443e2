using System.Globalization;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

/// <summary>What the connection does after answering a server command.</summary>
public enum AfterReply
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
public sealed partial class ServerCommands(RespNode node)
{
    public const string RedisVersion = "7.2.0";

    public Reply? Execute(RespClient client, CommandInfo command, byte[][] argv, ref AfterReply after)
    {
        try
        {
            return command.Name switch
            {
                "PING" => client.InSubscribedMode ? SubscribedPing(argv) : Ping(argv),
                "ECHO" => Reply.Bulk(argv[1]),
                "QUIT" => Quit(ref after),
                "RESET" => Reset(client),
                "SELECT" => Select(argv),
                "AUTH" => Auth(client, argv),
                "HELLO" => Hello(client, argv),
                "CLIENT" => Client(client, argv, ref after),
                "COMMAND" => CommandCommand(argv),
                "CONFIG" => Config(argv),
                "INFO" => Defer(ref after),
                "TIME" => Time(),
                "CLUSTER" => Cluster(client, argv),
                "READONLY" => SetReadOnly(client, true),
                "READWRITE" => SetReadOnly(client, false),
                "MULTI" => Multi(client),
                "EXEC" => Exec(client, ref after),
                "DISCARD" => Discard(client),
                "WATCH" => Watch(client, ref after),
                "UNWATCH" => UnwatchCommand(client),
                _ => Errors.UnknownCommand(command.Name, []),
            };
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

    private Reply Config(byte[][] argv)
    {
        var sub = argv[1];
        if (Args.Is(sub, "GET"))
            return argv.Length < 3 ? SubcommandArity("config|get") : node.Config.GetMatching(argv, 2);
        if (Args.Is(sub, "SET")) return node.Config.Set(argv);
        if (Args.Is(sub, "RESETSTAT")) return argv.Length == 2 ? Reply.Ok : SubcommandArity("config|resetstat");
        if (Args.Is(sub, "REWRITE")) return Reply.Error("ERR The server is running without a config file");
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
