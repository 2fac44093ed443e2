using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

/// <summary>
/// Coalesces commands for one partition: at most one grain call is in flight; commands that arrive while it
/// runs (from any connection or caller) wait together and ride the next call as one batch. The grain call is
/// the cost (DESIGN.md, "The hot path"), so fewer, larger calls is the lever.
/// </summary>
internal sealed class PartitionQueue(IPartitionGrain grain)
{
    /// <summary>Commands gathered for the next call; every sender awaits the same completion.</summary>
    internal sealed class Pending
    {
        public readonly List<byte[][]> Commands = new(16);
        // Continuations run inline: the next call is already on its way before this completes.
        public readonly TaskCompletionSource<Reply[]> Done = new();
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
            if (!_inFlight) { _inFlight = true; _pending = null; start = true; }
        }
        if (start) _ = Run(batch);
        return batch.Done.Task;
    }

    /// <summary>Queues several commands that must run in this order; theirs are replies [index, index + count).</summary>
    public Task<Reply[]> Enqueue(List<byte[][]> commands, out int index)
    {
        Pending batch;
        bool start = false;
        lock (_lock)
        {
            batch = _pending ??= new Pending();
            index = batch.Commands.Count;
            batch.Commands.AddRange(commands);
            if (!_inFlight) { _inFlight = true; _pending = null; start = true; }
        }
        if (start) _ = Run(batch);
        return batch.Done.Task;
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

            if (error is null) batch.Done.SetResult(replies!);
            else batch.Done.SetException(error);

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
