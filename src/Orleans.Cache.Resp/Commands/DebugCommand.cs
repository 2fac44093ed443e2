using System.Net;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

// DEBUG OBJECT | SET-ACTIVE-EXPIRE | SLEEP | THROW | HELP, behind Redis 7's enable-debug-command switch (RespOptions.EnableDebugCommand).
// OBJECT runs in the key's partition and SET-ACTIVE-EXPIRE in every partition, under their subcommand rows.
internal sealed partial class ServerCommands
{
    private static readonly CommandInfo DebugObjectRow = CommandTable.Subcommand("DEBUG|OBJECT");
    private static readonly CommandInfo DebugActiveExpireRow = CommandTable.Subcommand("DEBUG|SET-ACTIVE-EXPIRE");
    private static readonly CommandInfo DebugThrowRow = CommandTable.Subcommand("DEBUG|THROW");

    private Reply? Debug(RespSession client, byte[][] argv, ref AfterReply after)
    {
        if (!DebugAllowed(client)) return DebugCommands.NotAllowed;
        var sub = argv[1];
        if (argv.Length == 2 && Args.Is(sub, "HELP")) return DebugCommands.Help;
        if (argv.Length == 3 && (Args.Is(sub, "OBJECT") || Args.Is(sub, "SLEEP") || Args.Is(sub, "SET-ACTIVE-EXPIRE") || Args.Is(sub, "THROW"))) return Defer(ref after);
        return DebugCommands.UnknownSubcommand(sub);
    }

    /// <summary>enable-debug-command: yes, or local for a loopback client (Redis's "local" also counts Unix sockets, which this endpoint has not).</summary>
    private bool DebugAllowed(RespSession client) => node.Options.EnableDebugCommand.ToLowerInvariant() switch
    {
        "yes" => true,
        "local" => client.RemoteEndPoint is IPEndPoint ip && IPAddress.IsLoopback(ip.Address),
        _ => false,
    };

    internal async ValueTask<Reply> DebugAsync(byte[][] argv, CancellationToken cancellationToken)
    {
        var sub = argv[1];
        if (Args.Is(sub, "OBJECT")) return await node.Executor.ExecuteAsync(new Command(DebugObjectRow, argv), cancellationToken);
        if (Args.Is(sub, "THROW")) return await node.Executor.ExecuteAsync(new Command(DebugThrowRow, argv), cancellationToken);
        if (Args.Is(sub, "SET-ACTIVE-EXPIRE")) return await node.Executor.ExecuteAsync(new Command(DebugActiveExpireRow, argv), cancellationToken);
        // SLEEP holds only this connection: other clients go on being served, unlike Redis, whose one thread sleeps.
        double seconds = DebugCommands.SleepSeconds(argv[2]);
        if (seconds > 0) await Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue / 1000.0)), node.Time, cancellationToken);
        return Reply.Ok;
    }
}
