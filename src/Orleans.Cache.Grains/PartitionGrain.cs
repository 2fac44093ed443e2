using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Cache.Core;
using Orleans.Cache.PubSub;
using Orleans.Storage;

namespace Orleans.Cache.Grains;

/// <summary>
/// The distributed shell around one partition's <see cref="Keyspace"/>: runs command batches in order, runs
/// the active-expire cycle on a grain timer, and loads/saves snapshots. The timers keep the activation
/// alive: a partition holds data, so it must not be collected when idle. Callers in the same silo may run
/// commands directly (<see cref="ILocalPartition"/>): everything that touches the keyspace holds <c>_gate</c>,
/// so a direct batch and the grain's own turns never overlap.
/// </summary>
[PartitionPlacement]
public sealed partial class PartitionGrain(
    IOptions<CacheOptions> options, IOptions<SnapshotOptions> snapshotOptions, CacheClock clock, ILogger<PartitionGrain> logger,
    IOptions<PubSubOptions> pubSubOptions, PubSubHub? hub = null, LocalPartitions? local = null)
    : Grain, IPartitionGrain, ILocalPartition
{
    private readonly Lock _gate = new();
    /// <summary>Set (under the gate) when deactivation begins: direct callers then fall back to grain calls.</summary>
    private bool _closed;
    private readonly Keyspace _keyspace = new(clock.Time);
    private readonly CacheOptions _options = options.Value;
    private readonly SnapshotOptions _snapshots = snapshotOptions.Value;
    private readonly BlockedClients _blocked = new();
    private SnapshotStore? _store;
    private Task _saving = Task.CompletedTask;
    /// <summary>When the last save began, on the partition clock (the <c>save</c> rules count from it).</summary>
    private long _lastSaveTimestamp;
    /// <summary>Set when the stored snapshot could not be read: commands then fail rather than serve (and later overwrite) an empty partition.</summary>
    private string? _loadError;

    private long Partition => this.GetPrimaryKeyLong();
    private PartitionEvents? _events;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var sweep = _options.ExpireSweepInterval;
        this.RegisterGrainTimer(SweepTick, new GrainTimerCreationOptions(sweep, sweep) { KeepAlive = true });

        var storage = ServiceProvider.GetKeyedService<IGrainStorage>(SnapshotOptions.StorageName);
        if (storage is not null)
        {
            _store = new SnapshotStore(storage, this.GetGrainId(), _snapshots.ChunkBytes);
            await LoadAsync();
            if (_snapshots.SaveRules().Count > 0)
                this.RegisterGrainTimer(SaveTick, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { KeepAlive = true });
        }
        _keyspace.LastSave = _keyspace.Now / 1000;
        _lastSaveTimestamp = clock.Time.GetTimestamp();
        await LoadKeyspaceEventsAsync();
        local?.Add((int)Partition, this);
        LogActivated(Partition, RuntimeIdentity, _keyspace.Count);
    }

    private async Task LoadAsync()
    {
        try
        {
            var sw = Stopwatch.StartNew();
            var data = await _store!.LoadAsync();
            if (data is null) return;
            var info = Snapshot.Load(data, _keyspace);
            LogLoaded(Partition, _keyspace.Count, data.Length, sw.ElapsedMilliseconds, info.Version);
        }
        catch (Exception e)
        {
            _loadError = $"ERR partition {Partition} snapshot could not be loaded: {e.Message}";
            _keyspace.Flush();
            LogLoadFailed(e, Partition);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        lock (_gate) _closed = true;
        local?.Remove((int)Partition, this);
        // Graceful shutdown snapshots whatever changed, like Redis's SHUTDOWN SAVE.
        if (_keyspace.Dirty > 0) await SaveAsync();
        else await _saving;
    }

    public ValueTask<ReplyBatch> Execute(CommandBatch batch)
    {
        var commands = batch.Commands;
        var replies = new Reply[commands.Length];
        int ran;
        lock (_gate) ran = RunUntilGrainCommand(commands, replies);
        return ran == commands.Length ? ValueTask.FromResult(new ReplyBatch(replies)) : ExecuteRest(commands, replies, ran);
    }

    public Reply? TryExecute(byte[][] command)
    {
        lock (_gate)
        {
            if (_closed) return null;
            var info = command.Length > 0 ? CommandTable.Find(command[0]) : null;
            Debug.Assert(info is not { Handler: null, Routing: not Routing.Server }, "callers send commands that need the grain's turn as grain calls");
            var reply = Run(info, command);
            AfterWrites();
            return reply;
        }
    }

    public Reply[]? TryExecute(IReadOnlyList<byte[][]> commands)
    {
        var replies = new Reply[commands.Count];
        lock (_gate)
        {
            if (_closed) return null;
            int ran = RunUntilGrainCommand(commands, replies);
            Debug.Assert(ran == commands.Count, "callers send commands that need the grain's turn as grain calls");
            return replies;
        }
    }

    /// <summary>
    /// Runs commands in order up to the first one the grain must run in its own turn (SAVE may await storage),
    /// without running it or anything after it when it is not the first; returns how many ran. Holds the gate.
    /// </summary>
    private int RunUntilGrainCommand(IReadOnlyList<byte[][]> commands, Reply[] replies)
    {
        int i = 0;
        for (; i < commands.Count; i++)
        {
            var argv = commands[i];
            var command = argv.Length > 0 ? CommandTable.Find(argv[0]) : null;
            if (command is { Handler: null, Routing: not Routing.Server }) break;
            if (i % Keyspace.CommandsPerTick == 0) _keyspace.Tick();
            replies[i] = Run(command, argv, tick: false);
        }
        AfterWrites();
        return i;
    }

    /// <summary>Serves blocked clients the writes made ready, and publishes the keyspace events raised. Holds the gate.</summary>
    private void AfterWrites()
    {
        if (_blocked.Count > 0) _blocked.Serve(Run);
        _events?.Flush();
    }

    public ValueTask<BlockResult> Block(byte[][] argv, long waitedMilliseconds, Guid waiterId)
    {
        lock (_gate) return StartBlock(argv, waitedMilliseconds, waiterId);
    }

    public bool TryBlock(byte[][] argv, long waitedMilliseconds, Guid waiterId, out ValueTask<BlockResult> result)
    {
        lock (_gate)
        {
            result = _closed ? default : StartBlock(argv, waitedMilliseconds, waiterId);
            return !_closed;
        }
    }

    /// <summary>
    /// Tries a blocking command at once and, when it must wait, queues it — in one hold of the gate, so that no
    /// write slips between the try and the queue. Holds the gate.
    /// </summary>
    private ValueTask<BlockResult> StartBlock(byte[][] argv, long waitedMilliseconds, Guid waiterId)
    {
        var command = argv.Length > 0 ? CommandTable.Find(argv[0]) : null;
        var first = Run(command, argv);
        _events?.Flush();
        if (command is null || !BlockedClients.IsEmpty(first)) return ValueTask.FromResult(new BlockResult(first, false));

        // The handler already validated the timeout; 0 means forever.
        long timeout = (long)(BlockingArgs.Timeout(argv[BlockingArgs.TimeoutIndex(command, argv.Length)]) * 1000);
        long remaining = timeout == 0 ? long.MaxValue : timeout - waitedMilliseconds;
        if (remaining <= 0) return ValueTask.FromResult(new BlockResult(first, false));
        long wait = Math.Min(remaining, IPartitionGrain.MaxBlockMilliseconds);
        return WaitAsync(_blocked.Add(waiterId, command, argv), first, wait, remaining);
    }

    private async ValueTask<BlockResult> WaitAsync(BlockedClients.Waiter waiter, Reply first, long wait, long remaining)
    {
        using var expiry = new CancellationTokenSource(TimeSpan.FromMilliseconds(wait), clock.Time);
        using var _ = expiry.Token.Register(() => waiter.Done.TrySetResult(null));
        try
        {
            var reply = await waiter.Done.Task;
            if (reply is not null) return new BlockResult(reply, false);
            if (waiter.Cancelled) return new BlockResult(null, false);
            return wait < remaining ? new BlockResult(null, true) : new BlockResult(first, false);
        }
        finally
        {
            lock (_gate) _blocked.Remove(waiter);
        }
    }

    public ValueTask CancelBlock(Guid waiter)
    {
        lock (_gate) _blocked.Cancel(waiter);
        return ValueTask.CompletedTask;
    }

    /// <summary>The rest of a batch that contains a command the grain runs itself (SAVE may await storage).</summary>
    private async ValueTask<ReplyBatch> ExecuteRest(byte[][][] commands, Reply[] replies, int from)
    {
        for (int i = from; i < commands.Length; i++)
        {
            var argv = commands[i];
            var command = argv.Length > 0 ? CommandTable.Find(argv[0]) : null;
            replies[i] = command switch
            {
                { Name: "SAVE" } => await Save(),
                { Name: "BGSAVE" } => BackgroundSave(argv),
                { Name: "LASTSAVE" } => Reply.Int(_keyspace.LastSave),
                _ => RunLocked(command, argv),
            };
        }
        lock (_gate) AfterWrites();
        return new ReplyBatch(replies);
    }

    private Reply RunLocked(CommandInfo? command, byte[][] argv)
    {
        lock (_gate) return Run(command, argv);
    }

    /// <summary>Runs one command on the keyspace. Holds the gate.</summary>
    private Reply Run(CommandInfo? command, byte[][] argv) => Run(command, argv, tick: true);

    private Reply Run(CommandInfo? command, byte[][] argv, bool tick)
    {
        if (_loadError is not null) return Reply.Error(_loadError);
        try
        {
            return command?.Handler is null ? _keyspace.Execute(argv)
                : tick ? _keyspace.Execute(command, argv) : _keyspace.ExecuteAtLastTick(command, argv);
        }
        catch (Exception e)
        {
            // A bug in one command must not fail the other commands of the batch or the partition.
            LogCommandFailed(e, argv.Length > 0 ? Args.Text(argv[0]) : "");
            return Reply.Error("ERR internal error: " + e.Message);
        }
    }

    private async Task<Reply> Save()
    {
        if (_store is null) return Reply.Error("ERR snapshots are not configured");
        if (_loadError is not null) return Reply.Error(_loadError);
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
        if (_loadError is not null) return Reply.Error(_loadError);
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
        if (_store is null || _loadError is not null) return Task.CompletedTask;
        var previous = _saving;
        var sw = Stopwatch.StartNew();
        byte[] data;
        long dirtyAtFork;
        lock (_gate)
        {
            data = Snapshot.Write(_keyspace, 0);
            dirtyAtFork = _keyspace.Dirty;
            _keyspace.Dirty = 0;
        }
        _lastSaveTimestamp = clock.Time.GetTimestamp();
        var saving = WriteAsync(_store.SaveInBackground(previous, data), data.Length, dirtyAtFork, sw);
        _saving = saving;
        return saving;
    }

    /// <summary>Awaits the storage write in the grain's context, then records its outcome.</summary>
    private async Task WriteAsync(Task write, int bytes, long dirtyAtFork, Stopwatch sw)
    {
        try
        {
            await write;
        }
        catch (Exception e)
        {
            lock (_gate) _keyspace.Dirty += dirtyAtFork; // try again at the next policy tick
            LogSaveFailed(e, Partition);
            throw;
        }
        lock (_gate) _keyspace.LastSave = clock.Time.GetUtcNow().ToUnixTimeSeconds();
        LogSaved(Partition, bytes, sw.ElapsedMilliseconds);
    }

    private Task SaveTick(CancellationToken cancellationToken)
    {
        if (_keyspace.Dirty == 0 || !_saving.IsCompleted) return Task.CompletedTask;
        if (_snapshots.SaveIsDue(clock.Time.GetElapsedTime(_lastSaveTimestamp), _keyspace.Dirty)) _saving = SaveAsync();
        return Task.CompletedTask;
    }

    public ValueTask<int> SweepExpired(int maxKeys)
    {
        int reclaimed;
        lock (_gate)
        {
            reclaimed = _keyspace.ActiveExpire(maxKeys);
            _events?.Flush();
        }
        return ValueTask.FromResult(reclaimed);
    }

    public ValueTask SetKeyspaceEvents(int flags)
    {
        var f = (KeyspaceEventFlags)flags;
        lock (_gate)
        {
            _events = hub is not null && KeyspaceEvents.AnyPublished(f) ? new PartitionEvents(f, hub) : null;
            _keyspace.Events = _events; // null when off: commands then skip event work entirely
        }
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

    public ValueTask<string> GetSilo() => ValueTask.FromResult(RuntimeIdentity);

    private Task SweepTick(CancellationToken cancellationToken) => SweepExpired(_options.ExpireSweepMaxKeys).AsTask();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition} activated on {Silo} with {Keys} keys")]
    private partial void LogActivated(long partition, string silo, int keys);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} loaded {Keys} keys from a {Bytes}-byte snapshot (format {Version}) in {Ms} ms")]
    private partial void LogLoaded(long partition, int keys, int bytes, long ms, int version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition} could not load its snapshot; it answers errors until the snapshot is repaired or removed")]
    private partial void LogLoadFailed(Exception exception, long partition);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition} saved a {Bytes}-byte snapshot in {Ms} ms")]
    private partial void LogSaved(long partition, int bytes, long ms);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition} failed to save its snapshot")]
    private partial void LogSaveFailed(Exception exception, long partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} could not read the cluster's notify-keyspace-events; using the configured value")]
    private partial void LogEventsUnavailable(Exception exception, long partition);

    [LoggerMessage(Level = LogLevel.Error, Message = "Command {Command} failed inside a partition")]
    private partial void LogCommandFailed(Exception exception, string command);
}

/// <summary>The clock partitions read for expiry; tests put a fake one here without touching Orleans's own timers.</summary>
public sealed class CacheClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
