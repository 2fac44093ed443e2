using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

// BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP as a client sees them: blocked until served, timed
// out or unblocked (CLIENT UNBLOCK).
internal sealed partial class ServerCommands
{
    private static readonly Reply Unblocked = Reply.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");

    /// <summary>
    /// Runs a blocking command: the client shows as blocked (CLIENT LIST's flag b, INFO's blocked_clients) while it waits,
    /// and CLIENT UNBLOCK ends the wait with the command's timeout reply or the UNBLOCKED error. <paramref name="closed"/>
    /// is the connection going away.
    /// </summary>
    internal async Task<Reply> BlockAsync(RespSession client, CommandInfo command, byte[][] argv, CancellationToken closed)
    {
        var unblock = client.BeginBlocking();
        try
        {
            var reply = await node.Executor.ExecuteBlockingAsync(new Command(command, argv), unblock, closed);
            return reply ?? (client.UnblockedWithError ? Unblocked : Reply.NilArray);
        }
        finally
        {
            client.EndBlocking();
        }
    }
}
