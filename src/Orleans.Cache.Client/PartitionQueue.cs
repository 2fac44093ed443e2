using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

/// <summary>
/// Coalesces commands for one partition: at most one grain call is in flight; commands that arrive while it
/// runs (from any connection or caller) wait together and ride the next call as one batch. The grain call is
/// the cost (DESIGN.md, "The hot path"), so fewer, larger calls is the lever.
/// </summary>
internal sealed class PartitionQueue(IPartitionGrain grain)
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

    /// <summary>Queues one command; its reply will be at <paramref name="index"/> of the batch's replies.</summary>
    public Task<Reply[]> Enqueue(byte[][] command, out int index)
    {
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
    public void Enqueue(List<byte[][]> commands, IReplySink sink, int token)
    {
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

/// <summary>Receives the replies of commands queued with <see cref="PartitionQueue.Enqueue(List{byte[][]}, IReplySink, int)"/>.</summary>
internal interface IReplySink
{
    void OnReplies(ReadOnlySpan<Reply> replies, int token);
    void OnFailure(Exception error, int token);
}
