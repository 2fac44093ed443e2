namespace Orleans.Cache.Core;

/// <summary>
/// One partition's state and the one lock around it (Redis's single thread, per partition): the keyspace, the
/// clients blocked on its keys, its keyspace events, WATCH versions, the snapshot fork and atomic execution of a
/// batch or a transaction. Both the direct local path (the caller's thread) and grain calls run through here; the
/// grain around it keeps only activation, timers, storage and the grain interface.
/// </summary>
internal sealed class PartitionEngine : IKeyChangeListener
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly BlockedClients _blocked = new();
    private readonly HashSet<byte[]> _ready = new(BytesComparer.Instance);
    private readonly Dictionary<byte[], WatchedKey> _watched = new(BytesComparer.Instance);
    // WATCH versions: the next one; starts at a random point so that a version from an earlier activation of this
    // partition (whose watches are gone) never matches one of this activation.
    private long _watchClock = Random.Shared.NextInt64(1L << 40, 1L << 62);
    private bool _closed;
    private volatile bool _releasingBlocked;
    private IKeyspaceEventSink? _events;
    private Func<Task>? _flushEvents;
    private Task _eventsPublished = Task.CompletedTask;

    public PartitionEngine(TimeProvider? time = null, Keyspace? keyspace = null)
    {
        _time = time ?? TimeProvider.System;
        Keyspace = keyspace ?? new Keyspace(_time);
        Keyspace.KeyChanges = this;
    }

    /// <summary>
    /// Called under the lock after a batch that appended effects (replication sends them on); it must only signal. Set it
    /// before commands may arrive.
    /// </summary>
    public Action? EffectsAppended { get; set; }
    private long _notifiedOffset;

    /// <summary>The keys. Touch it only under <see cref="Locked{T}"/> once commands may arrive.</summary>
    public Keyspace Keyspace { get; }

    /// <summary>Set when the stored snapshot could not be read: commands then answer it rather than serve an empty partition.</summary>
    public string? LoadError { get; set; }

    /// <summary>Called (under the lock) when a handler throws: the command answers an error, nothing else fails.</summary>
    public Action<Exception, CommandInfo>? CommandFailed { get; set; }

    /// <summary>Called (under the lock) when serving blocked clients or publishing events fails after a batch; its replies stand.</summary>
    public Action<Exception>? AfterWritesFailed { get; set; }

    /// <summary>How long a script may hold the partition before other commands to it answer BUSY (busy-reply-threshold).</summary>
    public TimeSpan BusyThreshold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Applies the configuration that acts inside the partition (encoding thresholds, busy-reply-threshold, stop-writes-on-bgsave-error).</summary>
    public void Apply(Config.PartitionSettings settings)
    {
        Keyspace.Encodings = settings.Encodings;
        BusyThreshold = TimeSpan.FromMilliseconds(settings.BusyReplyThresholdMs);
        StopWritesOnSaveError = settings.StopWritesOnBgsaveError;
        MinReplicasToWrite = settings.MinReplicasToWrite;
        MinReplicasMaxLag = TimeSpan.FromSeconds(settings.MinReplicasMaxLagSeconds);
        lock (_gate) Keyspace.Eviction = settings.Eviction ?? EvictionSettings.Default;
    }

    /// <summary>min-replicas-to-write: writes answer NOREPLICAS while fewer good replicas have this partition (0: off).</summary>
    public int MinReplicasToWrite { get; private set; }

    /// <summary>min-replicas-max-lag: a replica is good while it is caught up or acknowledged within this time.</summary>
    public TimeSpan MinReplicasMaxLag { get; private set; } = TimeSpan.FromSeconds(10);

    /// <summary>Too few good replicas (set by the shell that replicates, from <see cref="MinReplicasToWrite"/>).</summary>
    public bool TooFewReplicas
    {
        get => _tooFewReplicas;
        set { _tooFewReplicas = value; RefuseWritesIfMisconfigured(); }
    }
    private bool _tooFewReplicas;

    /// <summary>The partition's last save failed (INFO's <c>rdb_last_bgsave_status:err</c>); set by the shell that saves.</summary>
    public bool LastSaveFailed
    {
        get => _lastSaveFailed;
        set { _lastSaveFailed = value; RefuseWritesIfMisconfigured(); }
    }

    /// <summary>Automatic saves are configured (Redis's <c>save</c> rules): only then does a failed save refuse writes.</summary>
    public bool SaveRulesConfigured
    {
        get => _saveRulesConfigured;
        set { _saveRulesConfigured = value; RefuseWritesIfMisconfigured(); }
    }

    /// <summary>stop-writes-on-bgsave-error (Redis's default, yes).</summary>
    public bool StopWritesOnSaveError
    {
        get => _stopWritesOnSaveError;
        set { _stopWritesOnSaveError = value; RefuseWritesIfMisconfigured(); }
    }

    private bool _lastSaveFailed, _saveRulesConfigured, _stopWritesOnSaveError = true;

    /// <summary>
    /// Write commands (and scripts' writes) answer MISCONF, as Redis's do while its last background save failed, or
    /// NOREPLICAS while too few good replicas have the partition.
    /// </summary>
    private void RefuseWritesIfMisconfigured() =>
        Keyspace.WritesRefused = _lastSaveFailed && _saveRulesConfigured && _stopWritesOnSaveError ? Errors.MisconfSave
            : _tooFewReplicas ? Errors.NoReplicas : null;

    /// <summary>How often a command waiting for a script re-checks whether the script has become busy.</summary>
    private static readonly TimeSpan BusyPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>A script is running (it holds the lock for as long as it runs); readable without the lock.</summary>
    public bool ScriptRunning => Keyspace.RunningScripts?.IsRunningFor(Keyspace.ScriptHost) == true;

    /// <summary>Redis's BUSY reply while a script has held the partition for <see cref="BusyThreshold"/> or more; else null.</summary>
    public Reply? Busy => Keyspace.RunningScripts?.BusyReply(BusyThreshold, Keyspace.ScriptHost);

    /// <summary>
    /// Takes the lock (null); or, while a script holds it past <see cref="BusyThreshold"/>, answers BUSY without it, as
    /// Redis answers the clients it serves between a slow script's instructions. The caller exits the lock.
    /// </summary>
    private Reply? Enter()
    {
        if (_gate.TryEnter()) return null;
        while (true)
        {
            if (Busy is { } busy) return busy;
            if (_gate.TryEnter(BusyPoll)) return null;
        }
    }

    /// <summary>
    /// SCRIPT KILL (<paramref name="function"/> false) or FUNCTION KILL: reaches the running script without the lock (the
    /// script holds it) and answers Redis's reply — OK, NOTBUSY, UNKILLABLE, or BUSY for the other kind of script.
    /// </summary>
    public Reply KillScript(bool function) => Keyspace.RunningScripts?.Kill(function, Keyspace.ScriptHost) ?? Scripting.ScriptErrors.NotBusy;

    /// <summary>Stops the running script at its next hook even if it wrote (SHUTDOWN NOSAVE); without the lock, as KILL.</summary>
    public void AbortScript() => Keyspace.RunningScripts?.Abort(Keyspace.ScriptHost);

    /// <summary>Runs <paramref name="action"/> under the partition's lock.</summary>
    public T Locked<T>(Func<Keyspace, T> action)
    {
        lock (_gate) return action(Keyspace);
    }

    /// <summary>
    /// Installs (or with null removes) the keyspace-event sink; <paramref name="flush"/> runs after each batch and answers
    /// when everything flushed so far is published (see <see cref="AfterEventsPublished{T}"/>).
    /// </summary>
    public void SetEvents(IKeyspaceEventSink? sink, Func<Task>? flush)
    {
        lock (_gate)
        {
            _events = sink;
            _flushEvents = flush;
            Keyspace.Events = sink; // null when off: commands then skip event work entirely
        }
    }

    /// <summary>Refuses direct calls from now on (the activation is going away; callers fall back to grain calls).</summary>
    public void Close()
    {
        lock (_gate) _closed = true;
    }

    // ---- batches ----

    /// <summary>
    /// The direct path: runs keyspace commands in order, atomically, on the caller's thread; null when closed. Commands
    /// the grain runs in its own turn (<see cref="CommandKind.Partition"/>) never come here.
    /// </summary>
    public Reply[]? TryExecute(IReadOnlyList<Command> commands)
    {
        var replies = new Reply[commands.Count];
        if (Enter() is { } busy)
        {
            Array.Fill(replies, busy);
            return replies;
        }
        try
        {
            if (_closed) return null;
            int ran = RunUntilPartitionCommand(commands, replies, 0);
            if (ran != commands.Count) throw new InvalidOperationException($"{commands[ran]} runs in the partition grain's turn");
            return replies;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary><see cref="TryExecute(IReadOnlyList{Command})"/> for one command, with nothing allocated around its reply.</summary>
    public Reply? TryExecute(Command command)
    {
        if (command.Info.Kind != CommandKind.Keyspace) throw new InvalidOperationException($"{command} runs in the partition grain's turn");
        if (Enter() is { } busy) return busy;
        try
        {
            if (_closed) return null;
            var reply = Run(command, tick: true);
            AfterWrites();
            return reply;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// The grain path: runs commands from <paramref name="from"/> in order, atomically, up to the first one the grain runs
    /// itself (not run); returns where it stopped.
    /// </summary>
    public int Execute(IReadOnlyList<Command> commands, Reply[] replies, int from)
    {
        if (Enter() is { } busy)
        {
            replies.AsSpan(from, commands.Count - from).Fill(busy);
            return commands.Count;
        }
        try
        {
            return RunUntilPartitionCommand(commands, replies, from);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private int RunUntilPartitionCommand(IReadOnlyList<Command> commands, Reply[] replies, int from)
    {
        int i = from;
        for (; i < commands.Count; i++)
        {
            var command = commands[i];
            if (command.Info.Kind != CommandKind.Keyspace) break;
            if ((i - from) % Keyspace.CommandsPerTick == 0) Keyspace.Tick();
            replies[i] = Run(command, tick: false);
        }
        AfterWrites();
        return i;
    }

    /// <summary>Runs one command; the caller holds the lock.</summary>
    private Reply Run(CommandInfo command, byte[][] argv, bool tick)
    {
        if (LoadError is not null) return Reply.Error(LoadError);
        if (command.IsWrite && Keyspace.WritesRefused is { } refused) return refused;
        try
        {
            return tick ? Keyspace.Execute(command, argv) : Keyspace.ExecuteAtLastTick(command, argv);
        }
        catch (Exception e)
        {
            // A bug in one command must not fail the other commands of the batch or the partition.
            CommandFailed?.Invoke(e, command);
            return Reply.Error("ERR internal error: " + e.Message);
        }
    }

    private Reply Run(CommandInfo command, byte[][] argv) => Run(command, argv, tick: true);

    /// <summary>Runs one command of a CLIENT NO-TOUCH client without touching what it reads (TOUCH itself still touches).</summary>
    private Reply Run(in Command command, bool tick)
    {
        if (!command.NoTouch || command.Info.Name == "TOUCH") return Run(command.Info, command.Argv, tick);
        Keyspace.NoTouch = true;
        try { return Run(command.Info, command.Argv, tick); }
        finally { Keyspace.NoTouch = false; }
    }

    /// <summary>Serves the blocked clients whose keys the writes made ready, and publishes the events raised. Holds the lock.</summary>
    private void AfterWrites()
    {
        Keyspace.PublishAfterBatch();
        if (EffectsAppended is { } appended && Keyspace.Effects.Offset != _notifiedOffset)
        {
            _notifiedOffset = Keyspace.Effects.Offset;
            appended();
        }
        try
        {
            if (_ready.Count > 0) _blocked.Serve(_ready, Run);
            if (_events is not null && _flushEvents is not null) Volatile.Write(ref _eventsPublished, _flushEvents());
        }
        catch (Exception e)
        {
            // The batch's writes are done and their replies stand: a failure here must not turn them into errors.
            _ready.Clear();
            AfterWritesFailed?.Invoke(e);
        }
    }

    /// <summary>
    /// <paramref name="result"/> once the keyspace events raised by every batch run so far have been published (counted by
    /// pub/sub): callers hold a batch's replies until then, because Redis delivers a write's events before its reply, so a
    /// client that read the reply of SUBSCRIBE before the write gets the event, and one that read the reply of UNSUBSCRIBE
    /// after the write's reply does not. Completed at once while notifications are off.
    /// </summary>
    public ValueTask<T> AfterEventsPublished<T>(T result)
    {
        var published = Volatile.Read(ref _eventsPublished);
        return published.IsCompleted ? ValueTask.FromResult(result) : Await(published, result);

        static async ValueTask<T> Await(Task published, T result)
        {
            await published.ConfigureAwait(false);
            return result;
        }
    }

    // ---- the change seam ----

    void IKeyChangeListener.OnKeyChanged(byte[] key)
    {
        if (_watched.Count > 0 && _watched.TryGetValue(key, out var w)) w.Version = ++_watchClock;
        if (_blocked.Count > 0 && _blocked.IsWaitedOn(key)) _ready.Add(key);
    }

    void IKeyChangeListener.OnFlushed()
    {
        foreach (var w in _watched.Values) w.Version = ++_watchClock;
    }

    // ---- WATCH and transactions ----

    private sealed class WatchedKey(long version)
    {
        public long Version = version;
        public int Watchers = 1;
    }

    /// <summary>
    /// WATCH: registers one watcher of <paramref name="key"/> and returns the key's version; any change to the key (a
    /// write from any client, expiry, FLUSHDB) moves the version, and an EXEC holding the old one fails.
    /// </summary>
    public long Watch(byte[] key)
    {
        lock (_gate)
        {
            Keyspace.Tick();
            Keyspace.Peek(key); // a key whose TTL passed before the WATCH is simply absent, not a change
            if (_watched.TryGetValue(key, out var w))
            {
                w.Watchers++;
                return w.Version;
            }
            _watched[key] = w = new WatchedKey(++_watchClock);
            return w.Version;
        }
    }

    /// <summary>Drops one watcher of each key (UNWATCH, DISCARD, a closed connection).</summary>
    public void Unwatch(IEnumerable<byte[]> keys)
    {
        lock (_gate) UnwatchLocked(keys);
    }

    private void UnwatchLocked(IEnumerable<byte[]> keys)
    {
        foreach (var key in keys)
            if (_watched.TryGetValue(key, out var w) && --w.Watchers <= 0) _watched.Remove(key);
    }

    /// <summary>
    /// EXEC: when every watched key still has its version, runs the commands as one atomic batch and answers their
    /// replies; otherwise runs nothing and answers a nil array. Either way the watches are released. Null when closed.
    /// </summary>
    public Reply? TryExecuteTransaction(IReadOnlyList<Command> commands, IReadOnlyList<WatchedVersion> watches) =>
        ExecuteTransaction(commands, watches, evenIfClosed: false);

    /// <summary><see cref="TryExecuteTransaction"/> on the grain path (runs even while closing).</summary>
    public Reply ExecuteTransaction(IReadOnlyList<Command> commands, IReadOnlyList<WatchedVersion> watches) =>
        ExecuteTransaction(commands, watches, evenIfClosed: true)!;

    private Reply? ExecuteTransaction(IReadOnlyList<Command> commands, IReadOnlyList<WatchedVersion> watches, bool evenIfClosed)
    {
        if (Enter() is { } busy) return busy;
        try
        {
            return _closed && !evenIfClosed ? null : ExecuteTransactionLocked(commands, watches);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private Reply ExecuteTransactionLocked(IReadOnlyList<Command> commands, IReadOnlyList<WatchedVersion> watches)
    {
        Keyspace.Tick();
        bool unchanged = true;
        foreach (var w in watches)
        {
            Keyspace.Peek(w.Key); // expired since WATCH: the lazy delete moves the version
            if (!_watched.TryGetValue(w.Key, out var current) || current.Version != w.Version) unchanged = false;
        }
        UnwatchLocked(watches.Select(w => w.Key));
        if (!unchanged) return Reply.NilArray;
        if (LoadError is not null) return Reply.Error(LoadError);
        var replies = new Reply[commands.Count];
        for (int i = 0; i < commands.Count; i++)
        {
            var c = commands[i];
            replies[i] = c.Info.Kind == CommandKind.Keyspace ? Run(c, tick: false)
                : Reply.Error($"ERR {c.Info.Name} is not allowed in a transaction here");
        }
        AfterWrites();
        return Reply.Array(replies);
    }

    // ---- blocking commands ----

    /// <summary>
    /// A blocking command (BLPOP, BLMOVE, BZPOPMIN …): tries it at once and, when it must wait, queues it — in one hold of
    /// the lock, so no write slips between the try and the queue. The result: the reply, or null with Retry when this
    /// call's longest wait (<paramref name="maxWaitMilliseconds"/>) ran out first, or null without it when cancelled.
    /// False when closed.
    /// </summary>
    public bool TryBlock(Command command, long waitedMilliseconds, long maxWaitMilliseconds, Guid waiterId, out ValueTask<(Reply? Reply, bool Retry, long Waited)> result)
    {
        result = Block(command, waitedMilliseconds, maxWaitMilliseconds, waiterId, evenIfClosed: false, out bool ran);
        return ran;
    }

    /// <summary><see cref="TryBlock"/> on the grain path.</summary>
    public ValueTask<(Reply? Reply, bool Retry, long Waited)> Block(Command command, long waitedMilliseconds, long maxWaitMilliseconds, Guid waiterId) =>
        Block(command, waitedMilliseconds, maxWaitMilliseconds, waiterId, evenIfClosed: true, out _);

    private ValueTask<(Reply?, bool, long)> Block(Command command, long waitedMilliseconds, long maxWaitMilliseconds, Guid waiterId, bool evenIfClosed, out bool ran)
    {
        ran = true;
        if (Enter() is { } busy) return ValueTask.FromResult<(Reply?, bool, long)>((busy, false, 0));
        try
        {
            if (_closed && !evenIfClosed)
            {
                ran = false;
                return default;
            }
            return StartBlock(command, waitedMilliseconds, maxWaitMilliseconds, waiterId);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private ValueTask<(Reply?, bool, long)> StartBlock(Command command, long waitedMilliseconds, long maxWaitMilliseconds, Guid waiterId)
    {
        var (info, argv) = command;
        var first = Run(info, argv);
        AfterWrites();
        if (!BlockedClients.IsEmpty(first)) return ValueTask.FromResult<(Reply?, bool, long)>((first, false, 0));
        if (_blocked.WasCancelled(waiterId)) return ValueTask.FromResult<(Reply?, bool, long)>((null, false, 0)); // gone or unblocked already

        // The handler already validated the timeout; 0 means forever.
        long timeout = (long)(BlockingArgs.Timeout(argv[BlockingArgs.TimeoutIndex(info, argv.Length)]) * 1000);
        long remaining = timeout == 0 ? long.MaxValue : timeout - waitedMilliseconds;
        if (remaining <= 0) return ValueTask.FromResult<(Reply?, bool, long)>((Reply.NilArray, false, 0));
        if (_releasingBlocked) return RetryLater(); // the partition is going away: wait at its next activation
        long wait = Math.Min(remaining, maxWaitMilliseconds);
        return WaitAsync(_blocked.Add(waiterId, info, argv), wait, remaining);
    }

    /// <summary>A wait asked for while the partition lets its blocked clients go: "retry" after a short pause (no busy loop).</summary>
    private static async ValueTask<(Reply?, bool, long)> RetryLater()
    {
        await Task.Delay(RetryPause).ConfigureAwait(false);
        return (null, true, 0);
    }

    /// <summary>Real time on purpose: the pause only spaces out retries until the activation is gone.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Waits to be served; a timeout answers Redis's timed-out reply, a null array (BLMOVE's non-blocking nil is a bulk). Also
    /// says how long it waited, for a wait cut short by <see cref="ReleaseBlocked"/>.
    /// </summary>
    private async ValueTask<(Reply?, bool, long)> WaitAsync(BlockedClients.Waiter waiter, long wait, long remaining)
    {
        long started = _time.GetTimestamp();
        using var expiry = new CancellationTokenSource(TimeSpan.FromMilliseconds(wait), _time);
        using var _ = expiry.Token.Register(() => waiter.Done.TrySetResult(null));
        try
        {
            var reply = await waiter.Done.Task.ConfigureAwait(false);
            long waited = (long)_time.GetElapsedTime(started).TotalMilliseconds;
            if (reply is not null) return (reply, false, waited);
            if (waiter.Cancelled) return (null, false, waited);
            if (_releasingBlocked && !expiry.IsCancellationRequested) return (null, true, waited);
            return wait < remaining ? (null, true, wait) : (Reply.NilArray, false, waited);
        }
        finally
        {
            lock (_gate) _blocked.Remove(waiter);
        }
    }

    /// <summary>
    /// The silo is stopping (or the activation is going away): every blocked client's wait here ends with "retry", and new
    /// waits are refused the same way, so that no grain call stays open and the shutdown save is not held up. The callers
    /// go on waiting at the partition's next activation, with the time they already waited counted.
    /// </summary>
    public void ReleaseBlocked()
    {
        BlockedClients.Waiter[] waiting;
        lock (_gate)
        {
            _releasingBlocked = true;
            waiting = _blocked.All();
            foreach (var waiter in waiting) _blocked.Remove(waiter); // no write serves them after this: nothing taken is lost
        }
        foreach (var waiter in waiting) waiter.Done.TrySetResult(null);
    }

    /// <summary>Clients waiting here now.</summary>
    public int BlockedCount
    {
        get { lock (_gate) return _blocked.Count; }
    }

    /// <summary>
    /// The client of <paramref name="waiterId"/> went away or was unblocked (CLIENT UNBLOCK): its wait ends with nothing
    /// taken; one that has not begun waiting yet will not.
    /// </summary>
    public void CancelBlock(Guid waiterId)
    {
        lock (_gate) _blocked.Cancel(waiterId);
    }

    // ---- INFO ----

    /// <summary>
    /// This partition's share of INFO (keys, expires, hits, misses, expired, changes since the last save …), read without
    /// waiting: a script holding the lock does not delay INFO (the counters are read as they are; avg_ttl is then 0).
    /// </summary>
    public KeyspaceStats Stats()
    {
        var k = Keyspace;
        long avgTtl = 0;
        if (_gate.TryEnter())
        {
            try { avgTtl = k.AverageTtl(); }
            finally { _gate.Exit(); }
        }
        return new KeyspaceStats(k.Count, k.ExpiringCount, avgTtl, k.Hits, k.Misses, k.ExpiredTotal, k.EvictedTotal, k.Dirty, k.LastSave, LastSaveFailed,
            k.UsedMemory);
    }

    /// <summary>CONFIG RESETSTAT for this partition: hits, misses, expired and evicted keys back to 0.</summary>
    public void ResetStats()
    {
        lock (_gate) Keyspace.ResetStats();
    }

    // ---- expiry and snapshots ----

    /// <summary>One active-expire cycle and, while the silo is over maxmemory, one eviction round; returns the keys expiry reclaimed.</summary>
    public int SweepExpired(int maxKeys)
    {
        if (Enter() is not null) return 0; // a busy script: the next cycle sweeps
        try
        {
            int reclaimed = Keyspace.ActiveExpire(maxKeys);
            // Background eviction (Redis's evictionTimeProc): a silo over maxmemory — after CONFIG SET lowered it, or
            // an eviction cut short by maxmemory-eviction-tenacity — gets back under it even while no one writes here.
            if (Keyspace.Memory.MaxMemory != 0) Keyspace.MakeRoom();
            AfterWrites();
            return reclaimed;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// The effects after <paramref name="offset"/> (at most <paramref name="max"/>), for a replica; false when they are no
    /// longer kept and the replica needs a full sync. <paramref name="current"/> is the offset the partition stands at.
    /// </summary>
    public bool TryReadEffects(long offset, List<Effect> into, int max, out long current)
    {
        lock (_gate)
        {
            current = Keyspace.Effects.Offset;
            return Keyspace.Effects.TryReadSince(offset, into, max);
        }
    }

    /// <summary>A full copy for a replica: the keyspace serialized at its current offset, and the clock it was taken at.</summary>
    public (SnapshotData Data, long At) ForkForReplica()
    {
        lock (_gate)
        {
            Keyspace.Tick();
            return (Snapshot.WriteSegments(Keyspace, segmentBytes: SnapshotSegmentBytes), Keyspace.Now);
        }
    }

    /// <summary>The largest buffer a snapshot is serialized into (the storage chunk size, so that chunks need no copy).</summary>
    public int SnapshotSegmentBytes { get; set; } = SnapshotData.DefaultSegmentBytes;

    /// <summary>
    /// The snapshot "fork": serializes the keyspace at its current effect offset and resets the change count; returns
    /// the bytes and how many changes they cover (to add back if the write fails).
    /// </summary>
    public (SnapshotData Data, long Changes) Fork()
    {
        lock (_gate)
        {
            var data = Snapshot.WriteSegments(Keyspace, segmentBytes: SnapshotSegmentBytes);
            long changes = Keyspace.Dirty;
            Keyspace.Dirty = 0;
            return (data, changes);
        }
    }
}

/// <summary>
/// One partition's INFO counters (see <see cref="PartitionEngine.Stats"/>); <c>AverageTtl</c> in ms, <c>LastSave</c> in Unix seconds,
/// <c>UsedMemory</c> the partition's memory estimate in bytes.
/// </summary>
internal readonly record struct KeyspaceStats(long Keys, long Expires, long AverageTtl, long Hits, long Misses, long Expired, long Evicted,
    long Dirty, long LastSave, bool LastSaveFailed = false, long UsedMemory = 0);

/// <summary>A key a transaction watched and the version WATCH answered for it.</summary>
internal readonly record struct WatchedVersion(byte[] Key, long Version);
