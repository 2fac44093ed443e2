using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Cache.Core;
using Orleans.Cache.Core.Config;
using Orleans.Cache.PubSub;
using Orleans.Concurrency;
using Orleans.Storage;

namespace Orleans.Cache.Grains;

/// <summary>
/// The distributed shell around one partition's <see cref="PartitionEngine"/>: activation, the active-expire and
/// save timers (which keep the activation alive: a partition holds data, so it must not be collected when idle),
/// snapshot storage, and the grain interface. Callers in the same silo run commands on the engine directly
/// (<see cref="LocalPartitions"/>); the engine's lock keeps them and the grain's own turns apart. The grain is reentrant and its turn never waits for a script: a
/// script, and any call that arrives while one runs, runs on the thread pool, so that other calls still reach the engine
/// (and answer BUSY once the script passes busy-reply-threshold) and SCRIPT KILL reaches the script. Every command still
/// runs under the engine's lock.
/// </summary>
[PartitionPlacement, Reentrant]
internal sealed partial class PartitionGrain(
    IOptions<CacheOptions> options, IOptions<SnapshotOptions> snapshotOptions, CacheClock clock, ILogger<PartitionGrain> logger,
    IOptions<PubSubOptions> pubSubOptions, PubSubHub? hub = null, LocalPartitions? local = null, SiloShutdown? shutdown = null,
    LastPartitionSettings? lastSettings = null,
    Observability.ServerNodes? nodes = null,
    LocalReplicas? replicas = null,
    Orleans.Runtime.IClusterMembershipService? membership = null,
    Orleans.Runtime.ILocalSiloDetails? siloDetails = null,
    SiloMemory? siloMemory = null,
    CacheMetrics? metrics = null,
    Core.Scripting.ScriptVmPool? scriptVms = null)
    : Grain, IPartitionGrain
{
    /// <summary>The partition: a fresh one, or the copy of this silo's replica when it is promoted (failover, handover).</summary>
    private PartitionEngine _engine = new(clock.Time);
    private PartitionReplication? _replication;
    private string Silo => siloDetails?.SiloAddress.ToParsableString() ?? RuntimeIdentity;
    private readonly CacheOptions _options = options.Value;
    private readonly SnapshotOptions _snapshots = snapshotOptions.Value;
    private SnapshotStore? _store;
    private Task _saving = Task.CompletedTask;
    /// <summary>When the last save began, on the partition clock (the <c>save</c> rules count from it).</summary>
    private long _lastSaveTimestamp;
    /// <summary>Tries of a snapshot load that failed for a reason that may pass (storage unreachable): 0.5 s doubling to 30 s.</summary>
    private Backoff? _loadRetry;
    /// <summary>After a failed save the save rules wait 5 s before the next try, as Redis's CONFIG_BGSAVE_RETRY_DELAY.</summary>
    private Backoff? _saveRetry;
    private IGrainTimer? _loadTimer;

    private long Partition => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var storage = ServiceProvider.GetKeyedService<IGrainStorage>(SnapshotOptions.StorageName);
        if (storage is not null) _store = new SnapshotStore(storage, this.GetGrainId(), _snapshots.ChunkBytes, _options.Partitions);
        var promoted = await TakeReplicaAsync();
        if (promoted is not null) _engine = new PartitionEngine(clock.Time, promoted.Promote());
        _engine.CommandFailed = (e, command) => LogCommandFailed(e, command.Name);
        _engine.AfterWritesFailed = e => LogAfterWritesFailed(e, Partition);
        _engine.BusyThreshold = _options.BusyReplyThreshold;
        if (siloMemory is not null) _engine.Locked(k => k.Memory = siloMemory); // counts toward this silo's maxmemory
        var map = new PartitionMap(_options.Partitions);
        int partition = (int)Partition;
        _engine.Keyspace.OwnsSlot = slot => map.PartitionOfSlot(slot) == partition;
        _engine.Keyspace.ScriptVms = scriptVms; // EVAL runs on the silo's VMs, lent per run
        var sweep = _options.ExpireSweepInterval;
        this.RegisterGrainTimer(SweepTick, new GrainTimerCreationOptions(sweep, sweep) { KeepAlive = true });

        if (_store is not null)
        {
            _engine.SnapshotSegmentBytes = _snapshots.ChunkBytes; // each chunk is one segment, stored without a copy
            if (promoted is null) await LoadAsync(); // a promoted copy is here already (TakeReplicaAsync read the manifest's ETag)
            _saveRetry = new Backoff(clock.Time, SaveRetryDelay, SaveRetryDelay);
            _engine.SaveRulesConfigured = _snapshots.SaveRules().Count > 0;
            if (_engine.SaveRulesConfigured)
                this.RegisterGrainTimer(SaveTick, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { KeepAlive = true });
        }
        var keyspace = _engine.Keyspace;
        keyspace.LastSave = keyspace.Now / 1000;
        _lastSaveTimestamp = clock.Time.GetTimestamp();
        await LoadKeyspaceEventsAsync();
        await LoadSettingsAsync();
        StartReplication();
        CheckGoodReplicas();
        using var timeoutFence = RegisterLocally(cancellationToken);
        if (promoted is not null) LogPromoted(Partition, Silo, promoted.Offset, keyspace.Count);
        metrics?.Activated(promoted is not null);
        LogActivated(Partition, RuntimeIdentity, keyspace.Count);
    }

    // ---- replication ----

    /// <summary>
    /// This silo's copy of the partition, when it has one that is not behind the stored snapshot (a primary that stopped
    /// gracefully before its replica caught up saved more than the copy holds): placement put the activation here for
    /// it. The replica grain that held it goes away either way.
    /// </summary>
    private async Task<PartitionReplica?> TakeReplicaAsync()
    {
        int partition = (int)Partition;
        var copy = replicas?.TakeForPromotion(partition);
        if (copy is null) return null;
        long stored = 0;
        try
        {
            if (_store is not null) stored = await _store.ReadManifestAsync();
        }
        catch
        {
            replicas!.Add(partition, copy); // still this silo's copy: the next activation tries again
            throw;
        }
        _ = DropAsync(GrainFactory.GetGrain<IPartitionReplicaGrain>(IPartitionReplicaGrain.Key(partition, Silo)));
        if (stored <= copy.Offset) return copy;
        LogCopyBehindSnapshot(Partition, copy.Offset, stored);
        return null;
    }

    /// <summary>Replicas on the next silos in address order, re-chosen when membership changes (checked every second).</summary>
    private void StartReplication()
    {
        if (membership is null || replicas is null || _options.Replicas == 0) return;
        _replication = new PartitionReplication((int)Partition, _engine, GrainFactory, clock.Time, logger);
        metrics?.Replicating((int)Partition, _replicationState ??= State);
        ChooseReplicaSilos();
        this.RegisterGrainTimer(() => { ChooseReplicaSilos(); CheckGoodReplicas(); return Task.CompletedTask; },
            new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { KeepAlive = true });
    }

    /// <summary>
    /// The replica silos: the next ones after this silo in address order among the active silos, skipping those whose
    /// replica kept failing lately (it is replaced by the next silo). Checked every second; changes only what differs.
    /// </summary>
    private void ChooseReplicaSilos()
    {
        var active = membership!.CurrentSnapshot.Members.Values.Where(m => m.Status == Orleans.Runtime.SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString()).Append(Silo).Distinct().Order(StringComparer.Ordinal).ToList();
        int me = active.IndexOf(Silo);
        var silos = Enumerable.Range(1, active.Count - 1).Select(i => active[(me + i) % active.Count])
            .Where(s => !_replication!.Avoids(s)).Take(_options.Replicas ?? 1).ToList();
        if (silos.Count > 0 && _engine.Keyspace.Effects.Capacity == 0)
            _engine.Locked(k => k.Effects.Capacity = _options.ReplicationBacklog); // before any link reads the log
        _replication!.SetReplicaSilos(silos);
    }

    /// <summary>min-replicas-to-write: NOREPLICAS while too few good replicas — always, when this partition has none at all.</summary>
    private void CheckGoodReplicas()
    {
        if (_replication is not null) _replication.CheckGoodReplicas();
        else _engine.TooFewReplicas = _engine.MinReplicasToWrite > 0;
    }

    private async Task DropAsync(IPartitionReplicaGrain replica)
    {
        try { await replica.Drop(); }
        catch (Exception e) { LogDropFailed(e, Partition); }
    }

    public async ValueTask<int> WaitReplicas(int needed, long timeoutMilliseconds) =>
        _replication is null ? 0 : await _replication.WaitAsync(needed, TimeSpan.FromMilliseconds(timeoutMilliseconds));

    public ValueTask<ReplicationState> ReplicationState() => ValueTask.FromResult(State());

    /// <summary>This primary's offset and its replicas' acknowledged offsets (ROLE, INFO replication, the lag gauge).</summary>
    private ReplicationState State()
    {
        var links = _replication?.Replicas ?? [];
        return new ReplicationState(_engine.Locked(k => k.Effects.Offset), Silo,
            [.. links.Select(l => l.Silo)], [.. links.Select(l => l.Acked)], _replication?.GoodReplicas ?? 0);
    }

    private Func<ReplicationState>? _replicationState;

    /// <summary>
    /// Serves direct local calls from now on, unless Orleans gave up on this activation (its activation timeout passed):
    /// then another activation may already serve the partition, and this copy must never take a command.
    /// </summary>
    private CancellationTokenRegistration RegisterLocally(CancellationToken activation)
    {
        if (local is null) return default;
        int partition = (int)Partition;
        local.Add(partition, _engine);
        // A timeout from here to the end of OnActivateAsync (which disposes the registration) withdraws the copy too.
        var fence = activation.Register(() => Withdraw(partition));
        if (activation.IsCancellationRequested)
        {
            fence.Dispose();
            Withdraw(partition);
            activation.ThrowIfCancellationRequested();
        }
        return fence;
    }

    private void Withdraw(int partition)
    {
        local?.Remove(partition, _engine);
        if (_replicationState is not null) metrics?.StoppedReplicating(partition, _replicationState);
        _engine.Close();
        _engine.Locked(k => k.Memory = new SiloMemory());
        LogActivationTimedOut(Partition);
    }

    private async Task LoadAsync()
    {
        nodes?.BeginLoading(); // INFO's loading:1 meanwhile, and for as long as a failed load is being retried
        if (await TryLoadAsync()) nodes?.EndLoading();
        else
        {
            _loadRetry = new Backoff(clock.Time, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));
            _loadRetry.Failed();
            // Checked often on Orleans's clock; the back-off itself runs on the partition clock.
            _loadTimer = this.RegisterGrainTimer(RetryLoadTick, new GrainTimerCreationOptions(LoadRetryPoll, LoadRetryPoll) { KeepAlive = true });
        }
    }

    private static readonly TimeSpan SaveRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LoadRetryPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Loads the stored snapshot into the keyspace. False when storage failed in a way that may pass: commands then
    /// answer LOADING and the load is tried again. A snapshot that cannot be read (corrupt, truncated, a newer format)
    /// is not retried: the partition answers an error until it is repaired or removed, and is never overwritten.
    /// </summary>
    private async Task<bool> TryLoadAsync()
    {
        try
        {
            var sw = Stopwatch.StartNew();
            var data = await _store!.LoadAsync();
            var info = _engine.Locked(k =>
            {
                SnapshotInfo? loaded = data is null ? null : Snapshot.Load(data, k);
                _engine.LoadError = null; // in the same lock: no command sees the keyspace half loaded
                return loaded;
            });
            if (info is { } i) LogLoaded(Partition, _engine.Keyspace.Count, data!.Length, sw.ElapsedMilliseconds, i.Version);
            return true;
        }
        catch (Exception e) when (IsTransient(e))
        {
            _engine.LoadError = $"LOADING partition {Partition} could not read its snapshot from storage yet and keeps trying: {e.Message}";
            _engine.Locked(k => { k.Flush(); return 0; });
            LogLoadRetrying(e, Partition);
            return false;
        }
        catch (Exception e)
        {
            _engine.LoadError = $"ERR partition {Partition} snapshot could not be loaded: {e.Message}";
            _engine.Locked(k => { k.Flush(); return 0; });
            LogLoadFailed(e, Partition);
            return true;
        }
    }

    /// <summary>
    /// Storage errors that may pass (I/O, a timeout, the database unreachable); a snapshot's own damage (format, checksum,
    /// missing chunks, a record the serializer cannot read) and anything unknown do not: those keep today's refusal.
    /// </summary>
    private static bool IsTransient(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is SnapshotFormatException or InvalidDataException or EndOfStreamException or PartitionCountMismatchException
                or Orleans.Serialization.SerializerException) return false;
            if (x is IOException or TimeoutException or System.Data.Common.DbException or System.Net.Sockets.SocketException
                or OperationCanceledException or UnauthorizedAccessException) return true;
        }
        return false;
    }

    private async Task RetryLoadTick(CancellationToken cancellationToken)
    {
        if (_loadRetry is not { Due: true } retry) return;
        if (!await TryLoadAsync())
        {
            retry.Failed();
            return;
        }
        _loadTimer?.Dispose();
        _loadTimer = null;
        _loadRetry = null;
        nodes?.EndLoading();
        _engine.Locked(k => k.LastSave = k.Now / 1000);
        _lastSaveTimestamp = clock.Time.GetTimestamp();
        if (_engine.LoadError is null) LogLoadHealed(Partition, retry.Failures + 1);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A script that has not written is stopped, as SHUTDOWN stops it in Redis; one that wrote runs to its end.
        _engine.KillScript(function: false);
        _engine.KillScript(function: true);
        _engine.ReleaseBlocked();
        _engine.Close();
        local?.Remove((int)Partition, _engine);
        _engine.Locked(k => k.Memory = new SiloMemory()); // no longer this silo's memory
        if (_replication is not null)
        {
            // Handover: the next activation goes to the replica that has every write, and promotes it.
            if (await _replication.CatchUpAsync(HandoverTimeout) == 0 && _replication.Replicas.Count > 0) LogHandoverIncomplete(Partition);
            _replication.Stop();
            metrics?.StoppedReplicating((int)Partition, _replicationState!);
        }
        if (_loadRetry is not null) { _loadRetry = null; nodes?.EndLoading(); }
        // Graceful shutdown snapshots whatever changed, like Redis's SHUTDOWN SAVE; after SHUTDOWN NOSAVE nothing is saved.
        if (shutdown?.SkipSave == true)
        {
            if (_engine.Keyspace.Dirty > 0) LogUnsavedDropped(Partition, _engine.Keyspace.Dirty);
            await _saving;
        }
        else if (_engine.Keyspace.Dirty > 0) await SaveAsync();
        else await _saving;
    }

    public ValueTask<ReplyBatch> Execute(CommandBatch batch)
    {
        var commands = batch.Commands;
        var replies = new Reply[commands.Length];
        if (_engine.ScriptRunning || RunsScript(commands)) return RunOffTurn(commands, replies);
        int ran = _engine.Execute(commands, replies, 0);
        return ran == commands.Length ? _engine.AfterEventsPublished(new ReplyBatch(replies)) : ExecuteRest(commands, replies, ran);
    }

    private static bool RunsScript(Command[] commands)
    {
        foreach (var command in commands)
            if (command.Info.RunsScript) return true;
        return false;
    }

    /// <summary>A batch with a script, or one that would wait for a script, runs on the thread pool: the turn stays free for KILL.</summary>
    private async ValueTask<ReplyBatch> RunOffTurn(Command[] commands, Reply[] replies)
    {
        int ran = await Task.Run(() => _engine.Execute(commands, replies, 0));
        return ran == commands.Length ? await _engine.AfterEventsPublished(new ReplyBatch(replies)) : await ExecuteRest(commands, replies, ran);
    }

    /// <summary>The rest of a batch that contains a command the grain runs itself (SAVE may await storage).</summary>
    private async ValueTask<ReplyBatch> ExecuteRest(Command[] commands, Reply[] replies, int from)
    {
        for (int i = from; i < commands.Length;)
        {
            var (command, argv) = commands[i];
            replies[i++] = command.Name switch
            {
                "SAVE" => await Save(),
                "BGSAVE" => BackgroundSave(argv),
                "LASTSAVE" => Reply.Int(_engine.Locked(k => k.LastSave)),
                _ => throw new InvalidOperationException($"{command.Name} has no handler in the partition"),
            };
            i = _engine.Execute(commands, replies, i);
        }
        return await _engine.AfterEventsPublished(new ReplyBatch(replies));
    }

    public async ValueTask<BlockResult> Block(Command command, long waitedMilliseconds, Guid waiter)
    {
        var (reply, retry, waited) = _engine.ScriptRunning
            ? await Task.Run(() => _engine.Block(command, waitedMilliseconds, IPartitionGrain.MaxBlockMilliseconds, waiter).AsTask())
            : await _engine.Block(command, waitedMilliseconds, IPartitionGrain.MaxBlockMilliseconds, waiter);
        return await _engine.AfterEventsPublished(new BlockResult(reply, retry, waited));
    }

    public ValueTask CancelBlock(Guid waiter)
    {
        _engine.CancelBlock(waiter);
        return ValueTask.CompletedTask;
    }

    public ValueTask<long> Watch(byte[] key) => OffTurnWhileScriptRuns(() => _engine.Watch(key));

    public Task Unwatch(byte[][] keys) => OffTurnWhileScriptRuns(() =>
    {
        _engine.Unwatch(keys);
        return true;
    }).AsTask();

    /// <summary>In this turn, or on the thread pool while a script holds the engine (the turn must stay free for KILL).</summary>
    private ValueTask<T> OffTurnWhileScriptRuns<T>(Func<T> call) => _engine.ScriptRunning ? new(Task.Run(call)) : ValueTask.FromResult(call());

    public async ValueTask<Reply> ExecuteTransaction(TransactionBatch transaction) =>
        await _engine.AfterEventsPublished(_engine.ScriptRunning || RunsScript(transaction.Commands)
            ? await Task.Run(() => _engine.ExecuteTransaction(transaction.Commands, transaction.Watches))
            : _engine.ExecuteTransaction(transaction.Commands, transaction.Watches));

    public ValueTask<Reply> KillScript(bool function) => ValueTask.FromResult(_engine.KillScript(function));

    private async Task<Reply> Save()
    {
        if (_store is null) return Reply.Error("ERR snapshots are not configured");
        if (_engine.LoadError is { } loadError) return Reply.Error(loadError);
        try
        {
            await SaveAsync();
            return Reply.Ok;
        }
        catch (Exception e)
        {
            return Reply.Error("ERR snapshot failed: " + e.Message);
        }
    }

    private Reply BackgroundSave(byte[][] argv)
    {
        if (argv.Length > 2 || argv.Length == 2 && !Args.Is(argv[1], "SCHEDULE")) return Errors.Syntax;
        if (_store is null) return Reply.Error("ERR snapshots are not configured");
        if (_engine.LoadError is { } loadError) return Reply.Error(loadError);
        if (!_saving.IsCompleted) return Reply.Error("ERR Background save already in progress");
        _saving = SaveAsync();
        return Reply.Simple("Background saving started");
    }

    /// <summary>
    /// Serializes the keyspace in this turn (the "fork"), then writes it while commands keep running: the
    /// storage I/O is awaited on the thread pool, outside the grain's turn. The task ends after LASTSAVE moved,
    /// so a SAVE that replied OK is already visible to LASTSAVE, as in Redis.
    /// </summary>
    private Task SaveAsync()
    {
        if (_store is null || _engine.LoadError is not null) return Task.CompletedTask;
        var previous = _saving;
        long lastSave = _lastSaveTimestamp;
        var sw = Stopwatch.StartNew();
        try
        {
            var (data, dirtyAtFork) = _engine.Fork();
            _lastSaveTimestamp = clock.Time.GetTimestamp();
            var saving = WriteAsync(_store.SaveInBackground(previous, data), data.Length, dirtyAtFork, lastSave, sw);
            _saving = saving;
            return saving;
        }
        catch (Exception e)
        {
            SaveFailed(e, 0, lastSave);
            return Task.FromException(e);
        }
    }

    /// <summary>Awaits the storage write in the grain's context, then records its outcome.</summary>
    private async Task WriteAsync(Task write, long bytes, long dirtyAtFork, long lastSave, Stopwatch sw)
    {
        try
        {
            await write;
        }
        catch (Exception e)
        {
            SaveFailed(e, dirtyAtFork, lastSave);
            throw;
        }
        _engine.LastSaveFailed = false;
        _saveRetry?.Succeeded();
        _engine.Locked(k => k.LastSave = clock.Time.GetUtcNow().ToUnixTimeSeconds());
        LogSaved(Partition, bytes, sw.ElapsedMilliseconds);
    }

    /// <summary>
    /// A failed save: its changes count as unsaved again, the save rules count from the last save that worked (as Redis's
    /// lastsave) and wait the retry delay, INFO says err, and writes answer MISCONF if stop-writes-on-bgsave-error.
    /// </summary>
    private void SaveFailed(Exception e, long dirtyAtFork, long lastSave)
    {
        _engine.Locked(k => k.Dirty += dirtyAtFork);
        _lastSaveTimestamp = lastSave;
        _engine.LastSaveFailed = true;
        _saveRetry?.Failed();
        LogSaveFailed(e, Partition);
    }

    private Task SaveTick(CancellationToken cancellationToken)
    {
        if (_engine.ScriptRunning || shutdown?.SkipSave == true) return Task.CompletedTask; // the next tick saves; NOSAVE saves nothing
        long dirty = _engine.Locked(k => k.Dirty);
        if (dirty == 0 || !_saving.IsCompleted || _saveRetry is { Due: false }) return Task.CompletedTask;
        if (_snapshots.SaveIsDue(clock.Time.GetElapsedTime(_lastSaveTimestamp), dirty)) _saving = SaveAsync();
        return Task.CompletedTask;
    }

    public ValueTask<int> SweepExpired(int maxKeys) => OffTurnWhileScriptRuns(() => _engine.SweepExpired(maxKeys));

    public ValueTask SetKeyspaceEvents(int flags)
    {
        var f = (KeyspaceEventFlags)flags;
        var events = hub is not null && KeyspaceEvents.AnyPublished(f) ? new PartitionEvents(f, (int)Partition, hub, e => LogEventsFailed(e, Partition)) : null;
        _engine.SetEvents(events, events is null ? null : events.Flush);
        return ValueTask.CompletedTask;
    }

    /// <summary>Notifications as the cluster has them (CONFIG SET) or as configured, read once at activation.</summary>
    private async Task LoadKeyspaceEventsAsync()
    {
        if (hub is null) return;
        int? flags = null;
        try { flags = await GrainFactory.GetGrain<IKeyspaceEventsGrain>(0).Get(); }
        catch (Exception e) { LogEventsUnavailable(e, Partition); }
        if (flags is null && KeyspaceEvents.TryParse(pubSubOptions.Value.NotifyKeyspaceEvents, out var configured)) flags = (int)configured;
        await SetKeyspaceEvents(flags ?? 0);
    }

    public ValueTask ApplySettings(PartitionSettings settings)
    {
        _engine.Apply(settings);
        CheckGoodReplicas();
        if (lastSettings is not null) lastSettings.Latest = settings;
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Encoding thresholds and busy-reply-threshold as the cluster has them (CONFIG SET), read once at activation; when the
    /// settings grain has none (never set, or its silo stopped), the last ones this silo's partitions received.
    /// </summary>
    private async Task LoadSettingsAsync()
    {
        PartitionSettings? settings = null;
        try { settings = await GrainFactory.GetGrain<IPartitionSettingsGrain>(0).Get(); }
        catch (Exception e) { LogSettingsUnavailable(e, Partition); }
        if ((settings ?? lastSettings?.Latest) is { } known) _engine.Apply(known);
    }

    public ValueTask<string> GetSilo() => ValueTask.FromResult(RuntimeIdentity);

    private Task SweepTick(CancellationToken cancellationToken) =>
        _engine.ScriptRunning ? Task.CompletedTask : SweepExpired(_options.ExpireSweepMaxKeys).AsTask(); // the next cycle sweeps

    /// <summary>How long a partition going away waits for a replica to have all its writes.</summary>
    private static readonly TimeSpan HandoverTimeout = TimeSpan.FromSeconds(10);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} promoted its replica on {Silo} at offset {Offset} ({Keys} keys)")]
    private partial void LogPromoted(long partition, string silo, long offset, int keys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} loads its snapshot (offset {Stored}) rather than this silo's replica, which is behind it (offset {Copy})")]
    private partial void LogCopyBehindSnapshot(long partition, long copy, long stored);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} is going away before any replica acknowledged all its writes")]
    private partial void LogHandoverIncomplete(long partition);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition} could not drop the replica it was promoted from")]
    private partial void LogDropFailed(Exception exception, long partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} outlived its activation timeout; this copy serves nothing")]
    private partial void LogActivationTimedOut(long partition);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition} activated on {Silo} with {Keys} keys")]
    private partial void LogActivated(long partition, string silo, int keys);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} loaded {Keys} keys from a {Bytes}-byte snapshot (format {Version}) in {Ms} ms")]
    private partial void LogLoaded(long partition, int keys, long bytes, long ms, int version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition} could not load its snapshot; it answers errors until the snapshot is repaired or removed")]
    private partial void LogLoadFailed(Exception exception, long partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} could not read its snapshot from storage; it answers LOADING and tries again")]
    private partial void LogLoadRetrying(Exception exception, long partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} loaded its snapshot after {Tries} tries and serves again")]
    private partial void LogLoadHealed(long partition, int tries);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition} saved a {Bytes}-byte snapshot in {Ms} ms")]
    private partial void LogSaved(long partition, long bytes, long ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} deactivated after SHUTDOWN NOSAVE: {Changes} unsaved changes dropped")]
    private partial void LogUnsavedDropped(long partition, long changes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition} failed to save its snapshot")]
    private partial void LogSaveFailed(Exception exception, long partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} could not read the cluster's notify-keyspace-events; using the configured value")]
    private partial void LogEventsUnavailable(Exception exception, long partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} could not read the cluster's configuration; using the configured values")]
    private partial void LogSettingsUnavailable(Exception exception, long partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} could not publish keyspace events")]
    private partial void LogEventsFailed(Exception exception, long partition);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition} could not serve blocked clients or publish events after a batch")]
    private partial void LogAfterWritesFailed(Exception exception, long partition);

    [LoggerMessage(Level = LogLevel.Error, Message = "Command {Command} failed inside a partition")]
    private partial void LogCommandFailed(Exception exception, string command);
}

/// <summary>The clock partitions read for expiry; tests put a fake one here without touching Orleans's own timers.</summary>
internal sealed class CacheClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
