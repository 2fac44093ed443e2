using Orleans.Cache.Core;

namespace Orleans.Cache.Execution;

/// <summary>
/// Runs resolved commands on the partitions: routes each with <see cref="CommandRouter.Plan(Command)"/>, groups a
/// pipeline per partition (one batch each, replies back in request order), splits and merges multi-key commands,
/// coalesces batches across callers per partition, and runs transactions atomically in their partition.
/// </summary>
internal sealed class PartitionExecutor : ICommandExecutor
{
    private readonly PartitionQueue[] _queues;
    private readonly CommandRouter _router;
    private readonly LocalReplicas? _replicas;

    /// <param name="grains">Where the partition grains are called.</param>
    /// <param name="partitions">The slot → partition layout commands are routed with.</param>
    /// <param name="local">The partitions active in this process (a silo), run without grain calls; null for none.</param>
    /// <param name="time">The clock of the back-off between retries of a call a stopping silo refused.</param>
    /// <param name="failoverWait">How long such a call is retried (<see cref="CacheOptions.FailoverWait"/>).</param>
    /// <param name="replicas">The replica copies held in this process, which answer READONLY clients' reads; null for none.</param>
    public PartitionExecutor(IGrainFactory grains, PartitionMap partitions, LocalPartitions? local = null, TimeProvider? time = null,
        TimeSpan? failoverWait = null, LocalReplicas? replicas = null)
    {
        _router = new CommandRouter(partitions);
        _replicas = replicas;
        Scripts = new ScriptRegistry(grains);
        _queues = new PartitionQueue[partitions.Count];
        for (int i = 0; i < _queues.Length; i++) _queues[i] = new PartitionQueue(grains.GetGrain<IPartitionGrain>(i), i, local, time ?? TimeProvider.System, failoverWait ?? CacheOptions.DefaultFailoverWait);
    }

    public PartitionMap Partitions => _router.Partitions;

    public async ValueTask<ReplicationState[]> ReplicationAsync() =>
        await Task.WhenAll(_queues.Select(q => q.Grain.ReplicationState().AsTask())).ConfigureAwait(false);

    public async ValueTask<int> WaitReplicasAsync(IReadOnlyCollection<int> partitions, int needed, long timeoutMilliseconds)
    {
        var counts = await Task.WhenAll(partitions.Select(p => _queues[p].Grain.WaitReplicas(needed, timeoutMilliseconds).AsTask())).ConfigureAwait(false);
        return counts.Length == 0 ? 0 : counts.Min();
    }

    public CommandRouter Router => _router;

    public ScriptRegistry Scripts { get; }

    public ValueTask<Reply> ExecuteAsync(Command command, CancellationToken cancellationToken = default)
    {
        if (ScriptRegistry.Concerns(command)) return ExecuteScriptAsync(command, cancellationToken);
        if (ScriptRegistry.IsFunctionKill(command)) return KillScriptAsync(function: true);
        var plan = _router.Plan(command);
        if (plan.Reply is not null) return ValueTask.FromResult(plan.Reply);
        if (plan.Parts is null && FromReplica(command, plan.Partition) is { } read) return ValueTask.FromResult(read);
        if (command.Info.IsBlocking) return Answered(ExecuteBlocking(plan, default, cancellationToken));
        if (command.Info.RunsScript) return _queues[plan.Partition].ExecuteAlone(command);
        if (plan.Parts is null) return _queues[plan.Partition].Execute(command, cancellationToken);
        return ExecuteSplit(plan, cancellationToken);
    }

    private async ValueTask<Reply> ExecuteScriptAsync(Command command, CancellationToken cancellationToken)
    {
        var (prepared, error) = await Scripts.PrepareAsync(command).ConfigureAwait(false);
        if (error is not null) return error;
        return await RunScript(prepared).ConfigureAwait(false);
    }

    /// <summary>A prepared script (EVALSHA already the EVAL of its body) runs alone: see <see cref="PartitionQueue.ExecuteAlone"/>.</summary>
    private ValueTask<Reply> RunScript(Command command)
    {
        var plan = _router.Plan(command);
        return plan.Reply is { } error ? ValueTask.FromResult(error) : _queues[plan.Partition].ExecuteAlone(command);
    }

    /// <summary>
    /// EVALSHA in a pipeline or transaction: each becomes the EVAL of its body before anything is sent; FUNCTION KILL is
    /// answered before anything is sent.
    /// </summary>
    private async ValueTask<(IReadOnlyList<Command> Commands, Reply?[]? Errors)> PrepareScriptsAsync(IReadOnlyList<Command> commands)
    {
        bool any = false;
        for (int i = 0; i < commands.Count && !any; i++) any = ScriptRegistry.Concerns(commands[i]) || ScriptRegistry.IsFunctionKill(commands[i]);
        if (!any) return (commands, null);
        var prepared = new Command[commands.Count];
        Reply?[]? errors = null;
        for (int i = 0; i < prepared.Length; i++)
        {
            prepared[i] = commands[i];
            // FUNCTION KILL must not wait for the partition's lock (the script it stops holds it): answered here.
            if (ScriptRegistry.IsFunctionKill(commands[i])) (errors ??= new Reply?[prepared.Length])[i] = await KillScriptAsync(function: true).ConfigureAwait(false);
            if (!ScriptRegistry.Concerns(commands[i])) continue;
            var (command, error) = await Scripts.PrepareAsync(commands[i]).ConfigureAwait(false);
            prepared[i] = command;
            if (error is not null) (errors ??= new Reply?[prepared.Length])[i] = error;
        }
        return (prepared, errors);
    }

    public ValueTask<Reply?> ExecuteBlockingAsync(Command command, CancellationToken unblock, CancellationToken cancellationToken = default)
    {
        var plan = _router.Plan(command);
        if (plan.Reply is not null) return ValueTask.FromResult<Reply?>(plan.Reply);
        return command.Info.IsBlocking ? ExecuteBlocking(plan, unblock, cancellationToken) : Nullable(ExecuteAsync(command, cancellationToken));

        static async ValueTask<Reply?> Nullable(ValueTask<Reply> reply) => await reply.ConfigureAwait(false);
    }

    private static async ValueTask<Reply> Answered(ValueTask<Reply?> reply) => (await reply.ConfigureAwait(false)) ?? Reply.NilArray;

    /// <summary>
    /// A blocking command waits inside its partition (interleaved, so the partition keeps serving); it bypasses
    /// the coalescing queue because it may take long, and asks again if the partition's longest wait runs out. Null
    /// when <paramref name="unblock"/> ended the wait before anything was taken.
    /// </summary>
    private async ValueTask<Reply?> ExecuteBlocking(CommandPlan plan, CancellationToken unblock, CancellationToken cancellationToken)
    {
        var queue = _queues[plan.Partition];
        var command = plan.Command;
        var waiter = Guid.NewGuid();
        // A client that goes away, or is unblocked, asks the partition to drop its wait; the call itself is always
        // awaited so that an element handed over meanwhile is not lost.
        using var cancel = cancellationToken.Register(() => _ = queue.CancelBlock(waiter).AsTask());
        using var unblocked = unblock.Register(() => _ = queue.CancelBlock(waiter).AsTask());
        for (long waited = 0; ;)
        {
            var result = await queue.Block(command, waited, waiter).ConfigureAwait(false);
            // Each wait says how long it lasted: the most a grain call waits, or less when its partition's silo is stopping.
            waited += result.WaitedMilliseconds;
            if (result.Retry && !cancellationToken.IsCancellationRequested && !unblock.IsCancellationRequested) continue;
            if (cancellationToken.IsCancellationRequested)
            {
                if (result.Reply is { } taken && BlockingArgs.Undo(command.Info, command.Argv, taken) is { } undo
                    && CommandRouter.Resolve(undo, out _) is { } resolved)
                    await ExecuteAsync(resolved, CancellationToken.None).ConfigureAwait(false);
                throw new OperationCanceledException(cancellationToken);
            }
            // Served before the unblock reached it: the answer stands, as if it had come first.
            if (result.Reply is { } reply) return reply;
            return unblock.IsCancellationRequested ? null : Reply.NilArray;
        }
    }

    private async ValueTask<Reply> ExecuteSplit(CommandPlan plan, CancellationToken cancellationToken)
    {
        var parts = plan.Parts!;
        var info = plan.Command.Info;
        // Every part is sent before any is awaited, so the partitions work on them at the same time.
        var pending = new ValueTask<Reply>[parts.Count];
        for (int i = 0; i < parts.Count; i++) pending[i] = _queues[parts[i].Partition].Execute(new Command(info, parts[i].Argv), cancellationToken);
        var replies = new Reply[parts.Count];
        for (int i = 0; i < parts.Count; i++) replies[i] = await pending[i].ConfigureAwait(false);
        return _router.Finish(plan, replies);
    }

    public async ValueTask<Reply[]> ExecuteAsync(IReadOnlyList<Command> pipeline, CancellationToken cancellationToken = default)
    {
        var replies = new Reply[pipeline.Count];
        (pipeline, var scriptErrors) = await PrepareScriptsAsync(pipeline).ConfigureAwait(false);
        if (scriptErrors is not null) return await ExecuteWithErrorsAsync(pipeline, scriptErrors, cancellationToken).ConfigureAwait(false);
        int start = 0;
        while (true)
        {
            // A blocking command or a script holds back what follows it on its connection, as in Redis: the commands
            // before it run as one batch per partition, then it (alone: it may take long), then the rest.
            int alone = await ExecuteSegment(pipeline, start, replies, scripts: false, cancellationToken).ConfigureAwait(false);
            if (alone >= pipeline.Count) return replies;
            var command = pipeline[alone];
            if (command.Info.RunsScript)
            {
                // Scripts in a row go together: each partition runs its share in order, one script at a time.
                start = await ExecuteSegment(pipeline, alone, replies, scripts: true, cancellationToken).ConfigureAwait(false);
                if (start >= pipeline.Count) return replies;
                continue;
            }
            replies[alone] = await ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
            start = alone + 1;
        }
    }

    /// <summary>
    /// Runs the commands from <paramref name="start"/> up to the first blocking one or script (or the end), grouped per
    /// partition; with <paramref name="scripts"/>, the scripts from there up to the first command that is not one, each
    /// partition's share through its script lane (<see cref="PartitionQueue.EnqueueScripts"/>). Returns where it stopped.
    /// </summary>
    private async ValueTask<int> ExecuteSegment(IReadOnlyList<Command> pipeline, int start, Reply[] replies, bool scripts, CancellationToken cancellationToken)
    {
        int n = pipeline.Count, end = n;
        // Per partition: the commands in request order, and for each where its reply goes.
        var groups = new Group?[_queues.Length];
        CommandPlan?[]? splits = null;
        Reply[]?[]? partReplies = null;
        int used = 0;
        for (int i = start; i < n; i++)
        {
            var command = pipeline[i];
            var plan = _router.Plan(command);
            if (plan.Reply is not null) { replies[i] = plan.Reply; continue; }
            if (scripts ? !command.Info.RunsScript : command.Info.IsBlocking || command.Info.RunsScript) { end = i; break; }
            if (plan.Parts is null)
            {
                // A replica may answer a read only when nothing earlier in this segment goes to its partition (a write
                // before it in the pipeline must be seen).
                if (groups[plan.Partition] is null && FromReplica(command, plan.Partition) is { } read) replies[i] = read;
                else Add(plan.Partition, command, i, -1);
                continue;
            }
            (splits ??= new CommandPlan?[n])[i] = plan;
            // Created here, before any partition answers: parts of one command may land on several threads at once.
            (partReplies ??= new Reply[]?[n])[i] = new Reply[plan.Parts.Count];
            for (int k = 0; k < plan.Parts.Count; k++) Add(plan.Parts[k].Partition, new Command(command.Info, plan.Parts[k].Argv), i, k);
        }

        if (used > 0)
        {
            var sink = new PipelineSink(groups, replies, partReplies, used);
            for (int p = 0; p < groups.Length; p++)
                if (groups[p] is not { } g) continue;
                else if (scripts) _queues[p].EnqueueScripts(g.Commands, sink, p);
                else _queues[p].Enqueue(g.Commands, g.InTurn, sink, p);
            await sink.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        if (splits is not null)
            for (int i = start; i < end; i++)
                if (splits[i] is { } plan) replies[i] = _router.Finish(plan, partReplies![i]!);
        return end;

        void Add(int partition, Command command, int request, int part)
        {
            if (groups[partition] is not { } group)
            {
                // Sized for an even spread over the partitions with some slack, so a big pipeline's groups rarely grow.
                groups[partition] = group = new Group(Math.Max(8, (end - start) / groups.Length * 5 / 4));
                used++;
            }
            group.Add(command, request, part);
            group.InTurn |= PartitionQueue.InTurn(command);
        }
    }

    /// <summary>A READONLY client's read answered by this silo's replica copy of <paramref name="partition"/>, or null.</summary>
    private Reply? FromReplica(in Command command, int partition) =>
        command.ReplicaRead && _replicas is { } replicas && command.Info.ReadableOnReplica ? replicas.Read(partition, command) : null;

    public async ValueTask<Reply> KillScriptAsync(bool function)
    {
        var kills = new ValueTask<Reply>[_queues.Length];
        for (int p = 0; p < kills.Length; p++) kills[p] = _queues[p].KillScript(function);
        var replies = new Reply[kills.Length];
        for (int p = 0; p < kills.Length; p++)
        {
            try { replies[p] = await kills[p].ConfigureAwait(false); }
            catch (Exception e) { replies[p] = SiloFaults.ErrorReply(e); }
        }
        return Core.Scripting.ScriptKill.Merge(replies);
    }

    public ValueTask<WatchedVersion> WatchAsync(byte[] key, CancellationToken cancellationToken = default)
    {
        var watch = _queues[_router.Partitions.PartitionOfKey(key)].Watch(key);
        return watch.IsCompletedSuccessfully ? ValueTask.FromResult(new WatchedVersion(key, watch.Result)) : Await(watch);

        async ValueTask<WatchedVersion> Await(ValueTask<long> version) => new(key, await version.ConfigureAwait(false));
    }

    public void Unwatch(IEnumerable<byte[]> keys)
    {
        foreach (var group in keys.GroupBy(k => _router.Partitions.PartitionOfKey(k)))
            _queues[group.Key].Unwatch([.. group]);
    }

    /// <summary>A pipeline in which some EVALSHA named an unknown script: those answer NOSCRIPT in place, the rest run.</summary>
    private async ValueTask<Reply[]> ExecuteWithErrorsAsync(IReadOnlyList<Command> pipeline, Reply?[] errors, CancellationToken cancellationToken)
    {
        var runnable = pipeline.Where((_, i) => errors[i] is null).ToList();
        var ran = await ExecuteAsync(runnable, cancellationToken).ConfigureAwait(false);
        return CommandExecutorExtensions.FillGaps(errors, ran);
    }

    public async ValueTask<Reply> ExecuteTransactionAsync(int partition, IReadOnlyList<Command> commands, IReadOnlyList<WatchedVersion> watches,
        CancellationToken cancellationToken = default)
    {
        (commands, var scriptErrors) = await PrepareScriptsAsync(commands).ConfigureAwait(false);
        // An EVALSHA of a script the cluster does not know is not sent: it answers NOSCRIPT in its place, as in Redis.
        var sent = scriptErrors is null ? commands : commands.Where((_, i) => scriptErrors[i] is null).ToList();
        var reply = await _queues[partition].ExecuteTransaction(new TransactionBatch([.. sent], [.. watches])).ConfigureAwait(false);
        if (scriptErrors is null || reply.Items is not { } items) return reply;
        return Reply.Array(CommandExecutorExtensions.FillGaps(scriptErrors, items));
    }

    /// <summary>
    /// Collects a pipeline's replies as each partition answers (on the thread that got the answer) and completes
    /// once, when the last partition has answered.
    /// </summary>
    private sealed class PipelineSink(Group?[] groups, Reply[] replies, Reply[]?[]? partReplies, int partitions)
        : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), IReplySink
    {
        private int _remaining = partitions;

        public void OnReplies(ReadOnlySpan<Reply> results, int partition)
        {
            var targets = groups[partition]!.Targets;
            for (int j = 0; j < targets.Count; j++) Place(targets[j], results[j]);
            if (Interlocked.Decrement(ref _remaining) == 0) TrySetResult();
        }

        public void OnFailure(Exception error, int partition)
        {
            // A partition that cannot be reached fails only the commands that needed it.
            var reply = SiloFaults.ErrorReply(error);
            foreach (var target in groups[partition]!.Targets) Place(target, reply);
            if (Interlocked.Decrement(ref _remaining) == 0) TrySetResult();
        }

        private void Place((int Request, int Part) target, Reply reply)
        {
            if (target.Part < 0) replies[target.Request] = reply;
            else partReplies![target.Request]![target.Part] = reply;
        }
    }

    private sealed class Group(int capacity)
    {
        public readonly List<Command> Commands = new(capacity);
        /// <summary>Per command: the request it answers and, for a split command, which part (else -1).</summary>
        public readonly List<(int Request, int Part)> Targets = new(capacity);
        /// <summary>Some command needs the grain's own turn.</summary>
        public bool InTurn;

        public void Add(Command command, int request, int part)
        {
            Commands.Add(command);
            Targets.Add((request, part));
        }
    }
}
