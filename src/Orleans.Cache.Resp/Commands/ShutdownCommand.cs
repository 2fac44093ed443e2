using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: stops this silo (and only it: in a cluster its partitions move to the
// others and load their snapshots there), as redis-server exits: the client gets no reply, its connection just closes.
internal sealed partial class ServerCommands
{
    private static readonly Reply ShutdownFailed = Reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
    private static readonly Command SaveAll = CommandRouter.Resolve([Args.Bytes("SAVE")], out _)!.Value;

    private readonly record struct ShutdownFlags(bool Save, bool NoSave, bool Force);

    /// <summary>Checks the arguments in Redis's order; a valid request is carried out after the round's data commands.</summary>
    private static Reply? Shutdown(byte[][] argv, ref AfterReply after)
    {
        _ = ParseShutdown(argv, out bool abort, out var error);
        if (error is not null) return error;
        // A stop, once begun, closes this endpoint: no client can be there to abort it.
        return abort ? Reply.Error("ERR No shutdown in progress.") : Defer(ref after);
    }

    private static ShutdownFlags ParseShutdown(byte[][] argv, out bool abort, out Reply? error)
    {
        bool save = false, noSave = false, now = false, force = false;
        abort = false;
        error = null;
        for (int i = 1; i < argv.Length; i++)
        {
            if (Args.Is(argv[i], "NOSAVE")) noSave = true;
            else if (Args.Is(argv[i], "SAVE")) save = true;
            else if (Args.Is(argv[i], "NOW")) now = true;
            else if (Args.Is(argv[i], "FORCE")) force = true;
            else if (Args.Is(argv[i], "ABORT")) abort = true;
            else { error = Errors.Syntax; return default; }
        }
        if (abort && (save || noSave || now || force) || save && noSave) error = Errors.Syntax;
        return new ShutdownFlags(save, noSave, force); // NOW waits for nothing: there are no replicas to wait for
    }

    /// <summary>
    /// SAVE (the default) snapshots every partition first, as the SAVE command does, and refuses to stop when that fails
    /// (unless FORCE) or while a script runs here (use NOSAVE, as with Redis). NOSAVE saves nothing: this silo's partitions
    /// skip their deactivation snapshot and running scripts are aborted. Then the client's connection is closed without a
    /// reply and the host stops: the RESP endpoint closes every connection and the partitions deactivate.
    /// </summary>
    internal async ValueTask<Reply> ShutdownAsync(RespSession client, byte[][] argv)
    {
        var flags = ParseShutdown(argv, out _, out _);
        if (node.StopHost is not { } stop) return ShutdownFailed;
        if (flags.NoSave) node.Silo?.DiscardUnsavedChanges();
        else
        {
            if (node.Silo is { ScriptRunning: true })
            {
                Log.ShutdownRefused(node.Logger, client.Id, "a script is running (use SHUTDOWN NOSAVE)");
                return ShutdownFailed;
            }
            var saved = await node.Executor.ExecuteAsync(SaveAll);
            // Without snapshot storage there is nothing to save; only an explicit SAVE insists on it.
            bool nothingToSave = saved.IsError && saved.Text!.Contains("not configured", StringComparison.Ordinal) && !flags.Save;
            if (saved.IsError && !nothingToSave && !flags.Force)
            {
                Log.ShutdownRefused(node.Logger, client.Id, saved.Text!);
                return ShutdownFailed;
            }
        }
        Log.ShuttingDown(node.Logger, client.Id, client.Address, flags.NoSave ? "without saving" : "after saving");
        client.Kill(); // before the replies are written: the client sees its connection close, as with redis-server
        stop();
        return Reply.Nil;
    }
}
