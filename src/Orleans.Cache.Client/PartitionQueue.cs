using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

/// <summary>
/// Coalesces commands for one partition: at most one grain call is in flight; commands that arrive while it
/// runs (from any connection or caller) wait together and ride the next call as one batch. The grain call is
/// the cost (DESIGN.md, "The hot path"), so fewer, larger calls is the lever. When the partition is active in
/// this silo, commands skip the grain call and run on the caller's thread (<see cref="LocalPartitions"/>).
/// </summary>
internal sealed class PartitionQueue(IPartitionGrain grain, int partition, LocalPartitions? local)
{
    /// <summary>Commands gathered for the next call; senders await the same completion or are called back.</summary>
    internal sealed class Pending
    {
        public readonly List<byte[][]> Commands = new(16);
        // Only for senders that await; continuations run inline: the next call is already on its way before this completes.
        public TaskCompletionSource<Reply[]>? Done;
        public List<(IReplySink Sink, int Token, int Offset, int Count)>? Sinks;
    }

    private readonly Lock _lock = new();
    private Pending? _pending;
    private bool _inFlight;

    /// <summary>
    /// Queues one command; its reply will be at <paramref name="index"/> of the batch's replies. <paramref name="inTurn"/>
    /// marks a command that must run in the grain's own turn (no Core handler: SAVE, BGSAVE, LASTSAVE).
    /// </summary>
    public Task<Reply[]> Enqueue(byte[][] command, bool inTurn, out int index)
    {
        if (local is not null && !inTurn && TryDirect([command]) is { } direct)
        {
            index = 0;
            return Task.FromResult(direct);
        }
        Pending batch;
        bool start = false;
        lock (_lock)
        {
            batch = _pending ??= new Pending();
            index = batch.Commands.Count;
            batch.Commands.Add(command);
            batch.Done ??= new TaskCompletionSource<Reply[]>();
            if (!_inFlight) { _inFlight = true; _pending = null; start = true; }
        }
        if (start) _ = Run(batch);
        return batch.Done!.Task;
    }

    /// <summary>
    /// Queues commands whose replies are handed to <paramref name="sink"/> (with <paramref name="token"/>) as soon
    /// as the call returns, on the thread that received them: a pipeline spread over many partitions then resumes
    /// once, when its last partition answers, instead of once per partition.
    /// </summary>
    public void Enqueue(List<byte[][]> commands, bool inTurn, IReplySink sink, int token)
    {
        if (local is not null && !inTurn && TryDirect(commands) is { } direct)
        {
            sink.OnReplies(direct, token);
            return;
        }
        Pending batch;
        bool start = false;
        lock (_lock)
        {
            batch = _pending ??= new Pending();
            (batch.Sinks ??= new(8)).Add((sink, token, batch.Commands.Count, commands.Count));
            batch.Commands.AddRange(commands);
            if (!_inFlight) { _inFlight = true; _pending = null; start = true; }
        }
        if (start) _ = Run(batch);
    }

    /// <summary>Runs the commands on the local activation, unless there is none or a grain call is already on its way.</summary>
    private Reply[]? TryDirect(IReadOnlyList<byte[][]> commands)
    {
        if (local!.Find(partition) is not { } activation) return null;
        lock (_lock)
        {
            // Commands queued behind a call in flight keep their turn: one caller's order on a partition holds.
            return _inFlight ? null : activation.TryExecute(commands);
        }
    }

    /// <summary>Runs a blocking command (see <see cref="IPartitionGrain.Block"/>), on the local activation when there is one.</summary>
    public ValueTask<BlockResult> Block(byte[][] argv, long waitedMilliseconds, Guid waiter)
    {
        if (local?.Find(partition) is { } activation)
        {
            lock (_lock)
            {
                if (!_inFlight && activation.TryBlock(argv, waitedMilliseconds, waiter, out var result)) return result;
            }
        }
        return grain.Block(argv, waitedMilliseconds, waiter);
    }

    public ValueTask CancelBlock(Guid waiter) =>
        local?.Find(partition) is { } activation ? activation.CancelBlock(waiter) : grain.CancelBlock(waiter);

    private static void Complete(Pending batch, Reply[]? replies, Exception? error)
    {
        if (batch.Sinks is { } sinks)
        {
            foreach (var (sink, token, offset, count) in sinks)
            {
                if (error is null) sink.OnReplies(replies.AsSpan(offset, count), token);
                else sink.OnFailure(error, token);
            }
        }
        if (error is null) batch.Done?.SetResult(replies!);
        else batch.Done?.SetException(error);
    }

    private async Task Run(Pending batch)
    {
        var call = Send(batch);
        while (true)
        {
            Reply[]? replies = null;
            Exception? error = null;
            try { replies = (await call.ConfigureAwait(false)).Replies; }
            catch (Exception e) { error = e; }

            Pending? next;
            lock (_lock)
            {
                next = _pending;
                _pending = null;
                if (next is null) _inFlight = false;
            }
            if (next is not null) call = Send(next);

            Complete(batch, replies, error);

            if (next is null) return;
            batch = next;
        }
    }

    private ValueTask<ReplyBatch> Send(Pending batch)
    {
        try
        {
            return grain.Execute(new CommandBatch([.. batch.Commands]));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<ReplyBatch>(e);
        }
    }
}

/// <summary>Receives the replies of commands queued with <see cref="PartitionQueue.Enqueue(List{byte[][]}, bool, IReplySink, int)"/>.</summary>
internal interface IReplySink
{
    void OnReplies(ReadOnlySpan<Reply> replies, int token);
    void OnFailure(Exception error, int token);
}
