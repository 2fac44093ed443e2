using System.Globalization;
using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

/// <summary>
/// Runs data commands on the partition grains: routes by slot through the one command table, groups a
/// pipeline per partition (one batch each, replies back in request order), splits and merges multi-key
/// commands, and coalesces batches across callers per partition.
/// </summary>
public sealed class ClusterCommandExecutor : ICommandExecutor
{
    private readonly PartitionQueue[] _queues;
    private readonly CommandRouter _router;

    /// <param name="local">The partitions active in this process (a silo), run without grain calls; null for none.</param>
    public ClusterCommandExecutor(IGrainFactory grains, PartitionMap partitions, LocalPartitions? local = null)
    {
        Partitions = partitions;
        _router = new CommandRouter(partitions);
        _queues = new PartitionQueue[partitions.Count];
        for (int i = 0; i < _queues.Length; i++) _queues[i] = new PartitionQueue(grains.GetGrain<IPartitionGrain>(i), i, local);
    }

    public PartitionMap Partitions { get; }

    public ValueTask<Reply> ExecuteAsync(byte[][] argv, CancellationToken cancellationToken = default)
    {
        var plan = PlanOf(argv);
        if (plan.Reply is not null) return ValueTask.FromResult(plan.Reply);
        if (plan.Command!.IsBlocking) return ExecuteBlocking(plan, cancellationToken);
        if (plan.Parts is null) return _queues[plan.Partition].Execute(plan.Argv!, InTurn(plan.Command), cancellationToken);
        return ExecuteSplit(plan, cancellationToken);
    }

    /// <summary>
    /// A blocking command waits inside its partition (interleaved, so the partition keeps serving); it bypasses
    /// the coalescing queue because it may take long, and asks again if the partition's longest wait runs out.
    /// </summary>
    private async ValueTask<Reply> ExecuteBlocking(RoutePlan plan, CancellationToken cancellationToken)
    {
        var queue = _queues[plan.Partition];
        var waiter = Guid.NewGuid();
        // A client that goes away asks the partition to drop its wait; the call itself is always awaited so that
        // an element handed over meanwhile is not lost.
        using var cancel = cancellationToken.Register(() => _ = queue.CancelBlock(waiter).AsTask());
        for (long waited = 0; ; waited += IPartitionGrain.MaxBlockMilliseconds)
        {
            var result = await queue.Block(plan.Argv!, waited, waiter).ConfigureAwait(false);
            if (result.Retry && !cancellationToken.IsCancellationRequested) continue;
            if (cancellationToken.IsCancellationRequested)
            {
                if (result.Reply is { } taken && BlockingArgs.Undo(plan.Command!, plan.Argv!, taken) is { } undo)
                    await ExecuteAsync(undo, CancellationToken.None).ConfigureAwait(false);
                throw new OperationCanceledException(cancellationToken);
            }
            return result.Reply ?? Reply.NilArray;
        }
    }

    /// <summary>A command without a Core handler (SAVE, BGSAVE, LASTSAVE) runs in the partition grain's own turn.</summary>
    private static bool InTurn(CommandInfo command) => command.Handler is null;

    private async ValueTask<Reply> ExecuteSplit(RoutePlan plan, CancellationToken cancellationToken)
    {
        var parts = plan.Parts!;
        // Every part is sent before any is awaited, so the partitions work on them at the same time.
        var pending = new ValueTask<Reply>[parts.Count];
        bool inTurn = InTurn(plan.Command!);
        for (int i = 0; i < parts.Count; i++) pending[i] = _queues[parts[i].Partition].Execute(parts[i].Argv, inTurn, cancellationToken);
        var replies = new Reply[parts.Count];
        for (int i = 0; i < parts.Count; i++) replies[i] = await pending[i].ConfigureAwait(false);
        return Finish(plan, replies);
    }

    public async ValueTask<Reply[]> ExecuteAsync(IReadOnlyList<byte[][]> pipeline, CancellationToken cancellationToken = default)
    {
        var replies = new Reply[pipeline.Count];
        int start = 0;
        while (true)
        {
            // A blocking command holds back what follows it on its connection, as in Redis: the commands before
            // it run as one batch per partition, then it, then the rest.
            int blocking = await ExecuteSegment(pipeline, start, replies, cancellationToken).ConfigureAwait(false);
            if (blocking >= pipeline.Count) return replies;
            replies[blocking] = await ExecuteAsync(pipeline[blocking], cancellationToken).ConfigureAwait(false);
            start = blocking + 1;
        }
    }

    /// <summary>
    /// Runs the commands from <paramref name="start"/> up to the first blocking one (or the end), grouped per
    /// partition; returns the index where it stopped.
    /// </summary>
    private async ValueTask<int> ExecuteSegment(IReadOnlyList<byte[][]> pipeline, int start, Reply[] replies, CancellationToken cancellationToken)
    {
        int n = pipeline.Count, end = n;
        // Per partition: the commands in request order, and for each where its reply goes.
        var groups = new Group?[_queues.Length];
        RoutePlan?[]? splits = null;
        Reply[]?[]? partReplies = null;
        int used = 0;
        for (int i = start; i < n; i++)
        {
            var plan = PlanOf(pipeline[i]);
            if (plan.Reply is not null) { replies[i] = plan.Reply; continue; }
            if (plan.Command!.IsBlocking) { end = i; break; }
            if (plan.Parts is null)
            {
                Add(plan.Partition, plan.Argv!, i, -1, plan.Command);
                continue;
            }
            (splits ??= new RoutePlan?[n])[i] = plan;
            // Created here, before any partition answers: parts of one command may land on several threads at once.
            (partReplies ??= new Reply[]?[n])[i] = new Reply[plan.Parts.Count];
            for (int k = 0; k < plan.Parts.Count; k++) Add(plan.Parts[k].Partition, plan.Parts[k].Argv, i, k, plan.Command);
        }

        if (used > 0)
        {
            var sink = new PipelineSink(groups, replies, partReplies, used);
            for (int p = 0; p < groups.Length; p++)
                if (groups[p] is { } g) _queues[p].Enqueue(g.Commands, g.InTurn, sink, p);
            await sink.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        if (splits is not null)
            for (int i = start; i < end; i++)
                if (splits[i] is { } plan) replies[i] = Finish(plan, partReplies![i]!);
        return end;

        void Add(int partition, byte[][] argv, int request, int part, CommandInfo command)
        {
            if (groups[partition] is not { } group)
            {
                // Sized for an even spread over the partitions with some slack, so a big pipeline's groups rarely grow.
                groups[partition] = group = new Group(Math.Max(8, (end - start) / groups.Length * 5 / 4));
                used++;
            }
            group.Add(argv, request, part);
            group.InTurn |= InTurn(command);
        }
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
            var reply = Reply.Error("ERR partition unavailable: " + error.GetBaseException().Message);
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
        public readonly List<byte[][]> Commands = new(capacity);
        /// <summary>Per command: the request it answers and, for a split command, which part (else -1).</summary>
        public readonly List<(int Request, int Part)> Targets = new(capacity);
        /// <summary>Some command needs the grain's own turn.</summary>
        public bool InTurn;

        public void Add(byte[][] argv, int request, int part)
        {
            Commands.Add(argv);
            Targets.Add((request, part));
        }
    }

    /// <summary>Where a command goes: an immediate reply, one partition, or several parts to merge.</summary>
    private readonly record struct RoutePlan(Reply? Reply, int Partition, byte[][]? Argv, List<RoutedPart>? Parts, CommandInfo? Command, int KeyCount);

    private RoutePlan PlanOf(byte[][] argv)
    {
        if (argv.Length == 0) return new RoutePlan(Errors.Syntax, 0, null, null, null, 0);
        var command = CommandTable.Find(argv[0]);
        if (command is null || command.Routing == Routing.Server)
            return new RoutePlan(Errors.UnknownCommand(Args.Text(argv[0]), argv.Skip(1).Select(Args.Text)), 0, null, null, null, 0);
        if (!command.AcceptsArgCount(argv.Length)) return new RoutePlan(Errors.WrongArity(command.Name), 0, null, null, null, 0);

        switch (command.Routing)
        {
            case Routing.EachKey:
                var parts = _router.Split(command, argv);
                if (parts.Count == 1) return new RoutePlan(null, parts[0].Partition, argv, null, command, 0);
                return new RoutePlan(null, 0, null, parts, command, command.Keys(argv.Length).Count);
            case Routing.AllPartitions when command.Name == "SCAN":
                return PlanScan(argv, command);
            case Routing.AllPartitions:
                var all = new List<RoutedPart>(_queues.Length);
                for (int p = 0; p < _queues.Length; p++) all.Add(new RoutedPart(p, argv, null));
                return new RoutePlan(null, 0, null, all, command, 0);
            default:
                int partition = _router.PartitionOf(command, argv, out var error);
                return error is not null ? new RoutePlan(error, 0, null, null, null, 0) : new RoutePlan(null, partition, argv, null, command, 0);
        }
    }

    /// <summary>
    /// The cursor clients see folds in the partition: cursor = local × partitions + partition. A scan walks
    /// partition 0 to the end, then 1, and so on; 0 again means done.
    /// </summary>
    private RoutePlan PlanScan(byte[][] argv, CommandInfo command)
    {
        if (!ulong.TryParse(argv[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong cursor))
            return new RoutePlan(Errors.InvalidCursor, 0, null, null, null, 0);
        int count = _queues.Length;
        int partition = (int)(cursor % (ulong)count);
        var local = (byte[][])argv.Clone();
        local[1] = Args.Bytes((cursor / (ulong)count).ToString(CultureInfo.InvariantCulture));
        return new RoutePlan(null, 0, null, [new RoutedPart(partition, local, null)], command, 0);
    }

    private Reply Finish(RoutePlan plan, Reply[] replies)
    {
        var command = plan.Command!;
        if (command.Name == "SCAN") return FinishScan(plan.Parts![0].Partition, replies[0]);
        return CommandRouter.Merge(command, plan.Parts!, replies, plan.KeyCount);
    }

    private Reply FinishScan(int partition, Reply reply)
    {
        if (reply.IsError) return reply;
        ulong local = ulong.Parse(reply.Items![0].Bytes!, CultureInfo.InvariantCulture);
        ulong count = (ulong)_queues.Length;
        ulong next = local != 0 ? local * count + (ulong)partition
            : partition + 1 < _queues.Length ? (ulong)partition + 1 : 0;
        return Reply.Array([Reply.Bulk(next.ToString(CultureInfo.InvariantCulture)), reply.Items[1]]);
    }
}
