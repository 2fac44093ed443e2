namespace Orleans.Cache.Core;

/// <summary>
/// The clients blocked on keys of one partition (Redis's blocking.c): per key, waiters in arrival order.
/// After a write makes keys ready, the waiters on those keys re-run their command as its non-blocking form; the
/// first that gets an answer is served and leaves every queue it was in. Used under the engine's lock only.
/// </summary>
internal sealed class BlockedClients
{
    internal sealed class Waiter(Guid id, CommandInfo command, byte[][] argv, byte[][] keys)
    {
        public Guid Id { get; } = id;
        public bool Cancelled { get; set; }
        public CommandInfo Command { get; } = command;
        public byte[][] Argv { get; } = argv;
        public byte[][] Keys { get; } = keys;
        /// <summary>The answer, or null when the wait ended without one (timeout or cancellation).</summary>
        public TaskCompletionSource<Reply?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Dictionary<byte[], LinkedList<Waiter>> _byKey = new(BytesComparer.Instance);
    private readonly Dictionary<Guid, Waiter> _byId = [];
    // Cancellations that found no waiter: the client went away or was unblocked while its Block call was on its way,
    // or after it was served. The latest few are kept, so that a Block arriving after its cancellation does not wait.
    private readonly HashSet<Guid> _cancelledEarly = [];
    private readonly Queue<Guid> _cancelledOrder = new();
    private const int CancelledEarlyKept = 1024;

    public int Count { get; private set; }

    public Waiter Add(Guid id, CommandInfo command, byte[][] argv)
    {
        var keys = BlockingArgs.WaitKeys(command, argv).Distinct(BytesComparer.Instance).ToArray();
        var waiter = new Waiter(id, command, argv, keys);
        _byId[id] = waiter;
        foreach (var key in keys)
        {
            if (!_byKey.TryGetValue(key, out var queue)) _byKey[key] = queue = new LinkedList<Waiter>();
            queue.AddLast(waiter);
        }
        Count++;
        return waiter;
    }

    /// <summary>Ends a waiter's wait with nothing taken, if it is still waiting; else remembers that it must not wait.</summary>
    public void Cancel(Guid id)
    {
        if (!_byId.TryGetValue(id, out var waiter))
        {
            if (!_cancelledEarly.Add(id)) return;
            _cancelledOrder.Enqueue(id);
            if (_cancelledOrder.Count > CancelledEarlyKept) _cancelledEarly.Remove(_cancelledOrder.Dequeue());
            return;
        }
        waiter.Cancelled = true;
        Remove(waiter);
        waiter.Done.TrySetResult(null);
    }

    public void Remove(Waiter waiter)
    {
        _byId.Remove(waiter.Id);
        bool found = false;
        foreach (var key in waiter.Keys)
        {
            if (!_byKey.TryGetValue(key, out var queue)) continue;
            found |= queue.Remove(waiter);
            if (queue.Count == 0) _byKey.Remove(key);
        }
        if (found) Count--;
    }

    /// <summary>Every waiter, to let them all go (the partition is going away).</summary>
    public Waiter[] All() => [.. _byId.Values];

    /// <summary>True (once) when <paramref name="id"/> was cancelled before it started to wait.</summary>
    public bool WasCancelled(Guid id) => _cancelledEarly.Remove(id);

    /// <summary>True when someone waits on <paramref name="key"/>: a write to it makes it ready.</summary>
    public bool IsWaitedOn(byte[] key) => _byKey.ContainsKey(key);

    /// <summary>
    /// Serves, oldest first per key, the waiters on the keys in <paramref name="ready"/>, until no key is ready: serving
    /// one (BLMOVE) may make another key ready, which the run adds to the set.
    /// </summary>
    public void Serve(HashSet<byte[]> ready, Func<CommandInfo, byte[][], Reply> run)
    {
        while (ready.Count > 0 && Count > 0)
        {
            var keys = ready.ToArray();
            ready.Clear();
            foreach (var key in keys)
            {
                while (_byKey.TryGetValue(key, out var queue) && queue.First is { } node)
                {
                    var waiter = node.Value;
                    var reply = run(waiter.Command, waiter.Argv);
                    if (IsEmpty(reply)) break;
                    Remove(waiter);
                    waiter.Done.TrySetResult(reply);
                }
            }
        }
        ready.Clear();
    }

    /// <summary>A blocking command's "nothing yet" answer (its non-blocking form found nothing).</summary>
    public static bool IsEmpty(Reply reply) => reply.Kind is ReplyKind.Null or ReplyKind.NullArray;
}
