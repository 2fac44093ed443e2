using System.Diagnostics;
using Orleans.Cache.Core;

namespace Orleans.Cache.Execution;

/// <summary>
/// Coalesces commands for one partition: at most one batch runs at a time; commands that arrive meanwhile (from
/// any connection or caller) wait together and run next as one batch. A batch is a grain call — the cost
/// (DESIGN.md, "The hot path"), so fewer, larger calls is the lever — or, when the partition is active in this
/// silo, a direct run on the activation (<see cref="LocalPartitions"/>) by whichever caller holds the turn: it runs
/// the batches that queued behind it too, so callers never wait on each other's locks. Replies of a direct run go back
/// once the keyspace events the run raised are published (<see cref="PartitionEngine.AfterEventsPublished{T}"/>; the
/// grain does the same for its calls), without holding up the next batch.
/// </summary>
internal sealed class PartitionQueue(IPartitionGrain grain, int partition, LocalPartitions? local, TimeProvider time, TimeSpan failoverWait)
{
    /// <summary>Commands gathered for the next batch; senders await the same completion or are called back.</summary>
    internal sealed class Pending
    {
        public readonly List<Command> Commands = new(16);
        // Only for senders that await; continuations run inline: the next call is already on its way before this completes.
        public TaskCompletionSource<Reply[]>? Done;
        public List<(IReplySink Sink, int Token, int Offset, int Count)>? Sinks;
        /// <summary>Some command must run in the grain's own turn (no Core handler: SAVE, BGSAVE, LASTSAVE).</summary>
        public bool InTurn;
        /// <summary>While someone listens for spans: the trace of the first command queued (default: none), the grain call's parent.</summary>
        public ActivityContext Parent;
    }

    /// <summary>The partition's grain.</summary>
    public IPartitionGrain Grain => grain;

    /// <summary>Batches one runner serves in a row before it lets its own caller go on and continues on the thread pool.</summary>
    private const int RunsInARow = 16;

    private readonly Lock _lock = new();
    private Pending? _pending;
    private bool _inFlight;

    /// <summary>
    /// Runs one command: at once on the caller's thread when the partition is here and free (nothing allocated
    /// around the reply), else queued for the next batch.
    /// </summary>
    public ValueTask<Reply> Execute(Command command, CancellationToken cancellationToken)
    {
        bool inTurn = InTurn(command);
        if (!inTurn && TryTakeTurn() is { } activation)
        {
            Reply? reply;
            try { reply = activation.TryExecute(command); }
            catch (Exception e) { ReleaseTurn(); return ValueTask.FromException<Reply>(e); }
            ReleaseTurn();
            if (reply is not null) return activation.AfterEventsPublished(reply);
            // The activation is closing: queue it for a grain call.
        }
        var task = Queue(command, inTurn, out int index);
        return task.IsCompletedSuccessfully ? ValueTask.FromResult(task.Result[index]) : AwaitOne(task, index, cancellationToken);
    }

    private static async ValueTask<Reply> AwaitOne(Task<Reply[]> task, int index, CancellationToken cancellationToken) =>
        (await task.WaitAsync(cancellationToken).ConfigureAwait(false))[index];

    /// <summary>Queues one command for the next batch; its reply will be at <paramref name="index"/> of the batch's replies.</summary>
    private Task<Reply[]> Queue(Command command, bool inTurn, out int index)
    {
        Pending batch;
        bool start = false;
        var parent = CacheTelemetry.Source.HasListeners() ? Activity.Current?.Context ?? default : default;
        lock (_lock)
        {
            batch = _pending ??= new Pending();
            if (batch.Commands.Count == 0) batch.Parent = parent;
            index = batch.Commands.Count;
            batch.Commands.Add(command);
            batch.InTurn |= inTurn;
            batch.Done ??= new TaskCompletionSource<Reply[]>();
            if (!_inFlight) { _inFlight = true; _pending = null; start = true; }
        }
        if (start) _ = Run(batch);
        return batch.Done!.Task;
    }

    /// <summary>
    /// Queues commands whose replies are handed to <paramref name="sink"/> (with <paramref name="token"/>) as soon
    /// as the batch has run, on the thread that ran it: a pipeline spread over many partitions then resumes
    /// once, when its last partition answers, instead of once per partition.
    /// </summary>
    public void Enqueue(List<Command> commands, bool inTurn, IReplySink sink, int token)
    {
        if (!inTurn && TryTakeTurn() is { } activation)
        {
            var replies = RunInTurn(activation, commands, out var error);
            if (replies is not null) OnRepliesAfterEvents(activation, sink, replies, token);
            else if (error is not null) sink.OnFailure(error, token);
            ReleaseTurn();
            if (replies is not null || error is not null) return;
        }
        Pending batch;
        bool start = false;
        var parent = CacheTelemetry.Source.HasListeners() ? Activity.Current?.Context ?? default : default;
        lock (_lock)
        {
            batch = _pending ??= new Pending();
            if (batch.Commands.Count == 0) batch.Parent = parent;
            (batch.Sinks ??= new(8)).Add((sink, token, batch.Commands.Count, commands.Count));
            batch.Commands.AddRange(commands);
            batch.InTurn |= inTurn;
            if (!_inFlight) { _inFlight = true; _pending = null; start = true; }
        }
        if (start) _ = Run(batch);
    }

    /// <summary>
    /// The fast path when callers don't collide: the partition is active here and no batch holds its turn, so this
    /// caller takes the turn and runs its commands at once, with nothing queued or allocated for them.
    /// </summary>
    private PartitionEngine? TryTakeTurn()
    {
        if (local?.Find(partition) is not { } activation) return null;
        lock (_lock)
        {
            if (_inFlight) return null;
            _inFlight = true;
        }
        return activation;
    }

    private static void OnRepliesAfterEvents(PartitionEngine activation, IReplySink sink, Reply[] replies, int token)
    {
        var published = activation.AfterEventsPublished(replies);
        if (published.IsCompleted) sink.OnReplies(replies, token);
        else _ = Later(published, sink, token);

        static async Task Later(ValueTask<Reply[]> published, IReplySink sink, int token) => sink.OnReplies(await published.ConfigureAwait(false), token);
    }

    /// <summary>Runs commands on the activation in the turn this caller took: the replies, or null with the error, or null and no error when the activation is closing.</summary>
    private static Reply[]? RunInTurn(PartitionEngine activation, IReadOnlyList<Command> commands, out Exception? error)
    {
        error = null;
        try { return activation.TryExecute(commands); }
        catch (Exception e) { error = e; return null; }
    }

    /// <summary>Ends a turn: runs what queued meanwhile, or frees the partition.</summary>
    private void ReleaseTurn()
    {
        if (TakeNext() is { } next) _ = Run(next);
    }

    /// <summary>The batch that queued behind the current one, which then holds the turn; null frees the turn.</summary>
    private Pending? TakeNext()
    {
        lock (_lock)
        {
            var next = _pending;
            _pending = null;
            if (next is null) _inFlight = false;
            return next;
        }
    }

    /// <summary>Runs a blocking command (see <see cref="IPartitionGrain.Block"/>), on the local activation when there is one.</summary>
    public ValueTask<BlockResult> Block(Command command, long waitedMilliseconds, Guid waiter)
    {
        if (local?.Find(partition) is { } activation)
        {
            lock (_lock)
            {
                // Behind a batch in flight it waits its turn, as a grain call would: one caller's order holds.
                if (!_inFlight && activation.TryBlock(command, waitedMilliseconds, IPartitionGrain.MaxBlockMilliseconds, waiter, out var result))
                    return ToBlockResult(activation, result);
            }
        }
        return SiloFaults.RetryAsync(() => grain.Block(command, waitedMilliseconds, waiter), harmless: false, time, failoverWait);
    }

    private static async ValueTask<BlockResult> ToBlockResult(PartitionEngine activation, ValueTask<(Reply? Reply, bool Retry, long Waited)> wait)
    {
        var (reply, retry, waited) = await wait.ConfigureAwait(false);
        return await activation.AfterEventsPublished(new BlockResult(reply, retry, waited)).ConfigureAwait(false);
    }

    public ValueTask CancelBlock(Guid waiter)
    {
        if (local?.Find(partition) is not { } activation) return grain.CancelBlock(waiter);
        activation.CancelBlock(waiter);
        return ValueTask.CompletedTask;
    }

    /// <summary>WATCH on this partition: the key's version.</summary>
    public ValueTask<long> Watch(byte[] key) => local?.Find(partition) is { } activation ? ValueTask.FromResult(activation.Watch(key)) : grain.Watch(key);

    /// <summary>Drops watchers (fire and forget for a remote partition: a lost one only keeps a small entry alive).</summary>
    public void Unwatch(byte[][] keys)
    {
        if (local?.Find(partition) is { } activation) activation.Unwatch(keys);
        else _ = grain.Unwatch(keys);
    }

    /// <summary>
    /// Runs a script (EVAL, FCALL …) outside the coalescing turn: it may hold the partition long, and commands from other
    /// callers must reach the partition meanwhile — to wait for it, or to answer BUSY once it passes busy-reply-threshold.
    /// </summary>
    public ValueTask<Reply> ExecuteAlone(Command command)
    {
        if (local?.Find(partition) is { } activation && TryTakeLane())
        {
            // The lane was free: run here, at once, with nothing allocated around the reply.
            Reply? reply;
            try { reply = activation.TryExecute(command); }
            finally { ReleaseLane(activation); }
            if (reply is not null) return activation.AfterEventsPublished(reply);
        }
        return First(Submitted(new LaneItem(command)));
    }

    private Task<Reply[]> Submitted(LaneItem item)
    {
        Submit(item);
        return item.Task;
    }

    private static async ValueTask<Reply> First(Task<Reply[]> replies) => (await replies.ConfigureAwait(false))[0];

    /// <summary>Scripts of one pipeline for this partition, run in order in the lane; replies go to <paramref name="sink"/>.</summary>
    public void EnqueueScripts(List<Command> commands, IReplySink sink, int token) => Submit(new LaneItem(commands, sink, token));

    /// <summary>SCRIPT KILL / FUNCTION KILL on this partition's running script, around its lock.</summary>
    public ValueTask<Reply> KillScript(bool function) =>
        local?.Find(partition) is { } activation ? ValueTask.FromResult(activation.KillScript(function)) : grain.KillScript(function);

    /// <summary>EXEC on this partition: one atomic run, or a nil array when a watched key changed.</summary>
    public ValueTask<Reply> ExecuteTransaction(TransactionBatch transaction) => First(Submitted(new LaneItem(transaction)));

    // ---- the lane: scripts and transactions from this silo, one at a time per partition ----

    /// <summary>
    /// A script, a pipeline's scripts for this partition, or a transaction. It completes its task, or hands its replies
    /// to a sink, once the keyspace events its run raised are published.
    /// </summary>
    private sealed class LaneItem : TaskCompletionSource<Reply[]>
    {
        private readonly IReadOnlyList<Command>? _commands;
        private readonly TransactionBatch? _transaction;
        private readonly IReplySink? _sink;
        private readonly int _token;

        public LaneItem(Command command) => _commands = [command];
        public LaneItem(List<Command> commands, IReplySink sink, int token) => (_commands, _sink, _token) = (commands, sink, token);
        public LaneItem(TransactionBatch transaction) => _transaction = transaction;

        public int Count => _commands?.Count ?? 1;

        // The replies of the commands run so far on the activation, when it closed in the middle.
        private Reply[]? _replies;
        private int _ran;

        /// <summary>Runs on the activation: the replies, or null when it closed first (then <see cref="Send"/> does the rest).</summary>
        public Reply[]? Run(PartitionEngine activation)
        {
            if (_transaction is { } t) return activation.TryExecuteTransaction(t.Commands, t.Watches) is { } reply ? [reply] : null;
            // A pipeline's scripts for this partition run in one turn of its lock (one clock read, one round of
            // after-write work), one after another, as the commands of a batch do.
            if (_commands!.Count > 1) return _replies = activation.TryExecute(_commands);
            var replies = _replies = new Reply[_commands.Count];
            for (; _ran < replies.Length; _ran++)
                if ((replies[_ran] = activation.TryExecute(_commands[_ran])!) is null) return null;
            return replies;
        }

        /// <summary>Sends what did not run here to the grain (all of it when there is no activation here).</summary>
        public async Task Send(IPartitionGrain grain, int partition, TimeProvider time, TimeSpan failoverWait)
        {
            Activity? activity = null;
            try
            {
                if (_transaction is { } t)
                {
                    activity = CacheTelemetry.StartGrainCall(partition, t.Commands, name: "EXEC");
                    Complete([await SiloFaults.RetryAsync(() => grain.ExecuteTransaction(t), harmless: false, time, failoverWait).ConfigureAwait(false)]);
                    return;
                }
                var batch = new CommandBatch([.. _commands!.Skip(_ran)]);
                activity = CacheTelemetry.StartGrainCall(partition, batch.Commands);
                var rest = (await SiloFaults.RetryAsync(() => grain.Execute(batch), harmless: false, time, failoverWait).ConfigureAwait(false)).Replies;
                if (_ran == 0) { Complete(rest); return; }
                rest.CopyTo(_replies!, _ran);
                Complete(_replies!);
            }
            catch (Exception e)
            {
                CacheTelemetry.Failed(activity, e);
                Fail(e);
            }
            finally
            {
                activity?.Dispose();
            }
        }

        public void Complete(Reply[] replies)
        {
            if (_sink is { } sink) sink.OnReplies(replies, _token);
            else TrySetResult(replies);
        }

        public void Fail(Exception error)
        {
            if (_sink is { } sink) sink.OnFailure(error, _token);
            else TrySetException(error);
        }
    }

    private readonly Queue<LaneItem> _lane = new();
    private bool _laneTaken;
    // While items wait behind a running script, a poll answers them BUSY once it passes busy-reply-threshold, as Redis
    // answers the clients it serves between a slow script's instructions.
    // It stays armed while scripts keep queuing (re-arming a timer takes the runtime's timer lock, contended under load)
    // and stops after IdlePolls polls in a row found nothing waiting.
    private ITimer? _busyPoll;
    private bool _busyPollArmed;
    private int _idlePolls;
    private static readonly TimeSpan BusyPoll = TimeSpan.FromMilliseconds(5);
    private const int IdlePolls = 40;

    private bool TryTakeLane()
    {
        lock (_lock)
        {
            if (_laneTaken) return false;
            return _laneTaken = true;
        }
    }

    private void Submit(LaneItem item)
    {
        if (local?.Find(partition) is not { } activation)
        {
            _ = item.Send(grain, partition, time, failoverWait);
            return;
        }
        Reply? busy = null;
        lock (_lock)
        {
            if (!_laneTaken) _laneTaken = true;
            else if ((busy = activation.Busy) is null)
            {
                _lane.Enqueue(item);
                _idlePolls = 0;
                if (!_busyPollArmed)
                {
                    _busyPollArmed = true;
                    (_busyPoll ??= time.CreateTimer(static q => ((PartitionQueue)q!).PollBusy(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan))
                        .Change(BusyPoll, BusyPoll);
                }
                return;
            }
        }
        // Answered outside the lock: the caller's continuation may run on this thread.
        if (busy is not null)
        {
            item.Complete(Filled(busy, item.Count));
            return;
        }
        RunItem(activation, item);
        ReleaseLane(activation);
    }

    /// <summary>Runs what queued in the lane meanwhile (a few in a row, then on the thread pool), or frees it.</summary>
    private void ReleaseLane(PartitionEngine activation)
    {
        for (int n = 1; ; n++)
        {
            LaneItem? next;
            lock (_lock)
            {
                if (!_lane.TryDequeue(out next))
                {
                    _laneTaken = false;
                    return;
                }
            }
            if (n % RunsInARow == 0)
            {
                // Let this caller go on; the lane stays taken by the run that continues on the thread pool.
                ThreadPool.UnsafeQueueUserWorkItem(static s =>
                {
                    s.Queue.RunItem(s.Activation, s.Next);
                    s.Queue.ReleaseLane(s.Activation);
                }, (Queue: this, Activation: activation, Next: next), preferLocal: false);
                return;
            }
            RunItem(activation, next);
        }
    }

    private void RunItem(PartitionEngine activation, LaneItem item)
    {
        Reply[]? replies;
        try { replies = item.Run(activation); }
        catch (Exception e)
        {
            item.Fail(e);
            return;
        }
        if (replies is null)
        {
            _ = item.Send(grain, partition, time, failoverWait); // the activation is closing
            return;
        }
        var published = activation.AfterEventsPublished(replies);
        if (published.IsCompletedSuccessfully) item.Complete(published.Result);
        else _ = Later(published, item);

        static async Task Later(ValueTask<Reply[]> published, LaneItem item) => item.Complete(await published.ConfigureAwait(false));
    }

    /// <summary>The busy poll: answers every waiting item BUSY once the running script is past the threshold; stops when none has waited for a while.</summary>
    private void PollBusy()
    {
        LaneItem[] answered;
        Reply? busy;
        lock (_lock)
        {
            if (_lane.Count == 0)
            {
                if (++_idlePolls < IdlePolls) return;
                _busyPollArmed = false;
                _busyPoll!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }
            busy = local?.Find(partition)?.Busy;
            if (busy is null) return;
            answered = [.. _lane];
            _lane.Clear();
        }
        foreach (var item in answered) item.Complete(Filled(busy, item.Count));
    }

    private static Reply[] Filled(Reply reply, int count)
    {
        var replies = new Reply[count];
        Array.Fill(replies, reply);
        return replies;
    }

    /// <summary>A command the grain must run in its own turn (no Core handler: SAVE, BGSAVE, LASTSAVE).</summary>
    public static bool InTurn(Command command) => command.Info.Kind == CommandKind.Partition;

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

    /// <summary>Completes a batch once the events of the runs so far are published (a grain call's reply already waited for its own).</summary>
    private void CompleteAfterEvents(Pending batch, Reply[]? replies, Exception? error)
    {
        if (error is null && local?.Find(partition) is { } activation)
        {
            var published = activation.AfterEventsPublished(replies!);
            if (!published.IsCompleted)
            {
                _ = Later(published, batch);
                return;
            }
        }
        Complete(batch, replies, error);

        static async Task Later(ValueTask<Reply[]> published, Pending batch) => Complete(batch, await published.ConfigureAwait(false), null);
    }

    /// <summary>Runs <paramref name="batch"/>, then whatever queued meanwhile, until nothing is left.</summary>
    private async Task Run(Pending batch)
    {
        var run = Start(batch);
        for (int round = 1; ; round++)
        {
            Reply[]? replies = null;
            Exception? error = null;
            try { replies = await run.ConfigureAwait(false); }
            catch (Exception e) { error = e; }

            var next = TakeNext();
            // A grain call for the next batch is sent before this batch's callers resume; a direct run comes after.
            bool direct = next is not null && RunsHere(next);
            if (next is not null && !direct) run = Start(next);

            CompleteAfterEvents(batch, replies, error);

            if (next is null) return;
            if (direct)
            {
                if (round % RunsInARow == 0) await Task.Yield();
                run = Start(next);
            }
            batch = next;
        }
    }

    private bool RunsHere(Pending batch) => !batch.InTurn && local?.Find(partition) is not null;

    /// <summary>Runs a batch directly when the partition is here, else sends it; never throws (a failure is the result).</summary>
    private ValueTask<Reply[]> Start(Pending batch)
    {
        try
        {
            if (!batch.InTurn && local?.Find(partition) is { } activation && activation.TryExecute(batch.Commands) is { } replies)
                return ValueTask.FromResult(replies);
            return Send(batch);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<Reply[]>(e);
        }
    }

    private async ValueTask<Reply[]> Send(Pending batch)
    {
        var commands = new CommandBatch([.. batch.Commands]);
        using var activity = CacheTelemetry.StartGrainCall(partition, commands.Commands, batch.Parent);
        try
        {
            return (await SiloFaults.RetryAsync(() => grain.Execute(commands), SiloFaults.Harmless(commands.Commands), time, failoverWait).ConfigureAwait(false)).Replies;
        }
        catch (Exception e) when (CacheTelemetry.Failed(activity, e)) { throw; }
    }
}

/// <summary>Receives the replies of commands queued with <see cref="PartitionQueue.Enqueue(List{Command}, bool, IReplySink, int)"/>.</summary>
internal interface IReplySink
{
    void OnReplies(ReadOnlySpan<Reply> replies, int token);
    void OnFailure(Exception error, int token);
}
