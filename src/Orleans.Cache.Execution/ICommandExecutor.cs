using Orleans.Cache.Core;

namespace Orleans.Cache.Execution;

/// <summary>
/// Runs resolved commands (everything in the command table that a partition runs) on the partitions that own their
/// keys. The RESP endpoint and the typed client both sit on this; the front door resolves each command once
/// (<see cref="CommandRouter.Resolve"/>) and hands the resolved form on.
/// </summary>
internal interface ICommandExecutor
{
    /// <summary>Runs one command. Errors come back as error replies.</summary>
    ValueTask<Reply> ExecuteAsync(Command command, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a blocking command (BLPOP, BLMOVE …) that <paramref name="unblock"/> can end early, as CLIENT UNBLOCK does: its
    /// reply, or null when it was unblocked before it took anything (the caller answers the timeout reply or the UNBLOCKED
    /// error). <paramref name="cancellationToken"/> is the client going away, as for <see cref="ExecuteAsync(Command, CancellationToken)"/>.
    /// </summary>
    ValueTask<Reply?> ExecuteBlockingAsync(Command command, CancellationToken unblock, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a pipeline: commands are grouped per partition and sent as one batch each; the replies come back
    /// in request order. Commands on one partition run in request order.
    /// </summary>
    ValueTask<Reply[]> ExecuteAsync(IReadOnlyList<Command> pipeline, CancellationToken cancellationToken = default);

    /// <summary>WATCH: registers a watcher of <paramref name="key"/> in its partition; the version goes to EXEC.</summary>
    ValueTask<WatchedVersion> WatchAsync(byte[] key, CancellationToken cancellationToken = default);

    /// <summary>Drops watchers registered by <see cref="WatchAsync"/> (UNWATCH, DISCARD, a closed connection).</summary>
    void Unwatch(IEnumerable<byte[]> keys);

    /// <summary>
    /// EXEC: runs <paramref name="commands"/> as one atomic batch in <paramref name="partition"/> when none of the
    /// watched keys (all in that partition) changed since WATCH; an array of their replies, or a nil array. The watches
    /// are released either way.
    /// </summary>
    ValueTask<Reply> ExecuteTransactionAsync(int partition, IReadOnlyList<Command> commands, IReadOnlyList<WatchedVersion> watches,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// SCRIPT KILL (<paramref name="function"/> false) or FUNCTION KILL: stops the script running in any partition, around
    /// the partition's lock, with Redis's replies (OK, NOTBUSY, UNKILLABLE, BUSY for the other kind of script).
    /// </summary>
    ValueTask<Reply> KillScriptAsync(bool function);

    /// <summary>
    /// WAIT: once <paramref name="needed"/> replicas of each of <paramref name="partitions"/> acknowledged every write the
    /// partition took so far (or after <paramref name="timeoutMilliseconds"/>; 0 waits without limit), the fewest
    /// replicas any of them has with all its writes. An executor without replicas answers 0.
    /// </summary>
    ValueTask<int> WaitReplicasAsync(IReadOnlyCollection<int> partitions, int needed, long timeoutMilliseconds) => ValueTask.FromResult(0);

    /// <summary>Every partition's replication (INFO replication, ROLE); none for an executor without replicas.</summary>
    ValueTask<ReplicationState[]> ReplicationAsync() => ValueTask.FromResult(Array.Empty<ReplicationState>());

    /// <summary>The cluster's script cache as this process sees it (SCRIPT LOAD, EVALSHA).</summary>
    ScriptRegistry Scripts { get; }

    /// <summary>Routes commands: the slot → partition layout and the plan of each command.</summary>
    CommandRouter Router { get; }

    /// <summary>The slot → partition layout this executor routes with.</summary>
    PartitionMap Partitions => Router.Partitions;
}

/// <summary>Raw-argv conveniences: each request is resolved once here, then runs as a resolved command.</summary>
internal static class CommandExecutorExtensions
{
    /// <summary>Resolves and runs one request (<paramref name="argv"/>[0] is its name).</summary>
    public static ValueTask<Reply> ExecuteAsync(this ICommandExecutor executor, byte[][] argv, CancellationToken cancellationToken = default) =>
        CommandRouter.Resolve(argv, out var error) is { } command ? executor.ExecuteAsync(command, cancellationToken) : ValueTask.FromResult(error!);

    /// <summary>Resolves and runs a pipeline of requests; one that does not resolve answers its error in its place.</summary>
    public static async ValueTask<Reply[]> ExecuteAsync(this ICommandExecutor executor, IReadOnlyList<byte[][]> pipeline,
        CancellationToken cancellationToken = default)
    {
        var commands = new List<Command>(pipeline.Count);
        var errors = new Reply?[pipeline.Count];
        bool anyError = false;
        for (int i = 0; i < pipeline.Count; i++)
        {
            if (CommandRouter.Resolve(pipeline[i], out var error) is { } command) commands.Add(command);
            else { errors[i] = error; anyError = true; }
        }
        var replies = await executor.ExecuteAsync(commands, cancellationToken).ConfigureAwait(false);
        return anyError ? FillGaps(errors, replies) : replies;
    }

    /// <summary>
    /// The replies of a request list some of whose requests were answered before sending (<paramref name="answered"/>,
    /// null where not): those in place, the others from <paramref name="ran"/> in order.
    /// </summary>
    internal static Reply[] FillGaps(Reply?[] answered, IReadOnlyList<Reply> ran)
    {
        var all = new Reply[answered.Length];
        for (int i = 0, r = 0; i < all.Length; i++) all[i] = answered[i] ?? ran[r++];
        return all;
    }
}
