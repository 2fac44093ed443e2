using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Orleans.Cache.Core;
using Orleans.Cache.Execution;
using Orleans.Cache.Resp.Commands;
using Orleans.Cache.Resp.Protocol;

namespace Orleans.Cache.Resp;

/// <summary>
/// One client connection. Each round: read everything available, parse every complete request, answer server
/// commands in place and collect the data commands, run all of those with one executor call (the executor
/// groups them per partition), then write every reply in request order and flush once.
/// </summary>
internal sealed class RespConnection(RespNode node, ServerCommands commands, RespSession client, IDuplexPipe transport, ILogger logger)
{
    private readonly RespParser _parser = new();
    private readonly List<Command> _pipeline = [];
    private Slot[] _slots = new Slot[16];
    private int _count;
    private bool _endRound;
    // Replies and pub/sub messages share the socket: whoever writes holds this.
    private readonly SemaphoreSlim _output = new(1, 1);
    private Task _pump = Task.CompletedTask;
    private CancellationToken _cancellation;

    /// <summary>One request's place in the reply order.</summary>
    private struct Slot
    {
        public Reply? Reply;
        public byte[][]? Deferred;  // INFO and pub/sub commands, answered after the data commands
        public CommandInfo? Command; // of a deferred request
        public Reply[]? Many;       // (un)subscribe confirmations: one reply per channel
        public Task? Wait;          // CONFIG SET's push of notify-keyspace-events to the partitions
        public int Pipeline;        // index in _pipeline, or -1
        public byte Protocol;       // the protocol in force when the request was read (HELLO may change it mid-pipeline)
        public CommandInfo? Stat;   // the command this request counts as a call of (commandstats, slowlog), or null
        public byte[][]? Argv;      // its arguments, for the slowlog
        public long Ticks;          // its run time (Stopwatch ticks); pipelined data commands share the executor call's
        public bool Rejected;       // refused before running (arity, auth, subscribed mode): rejected_calls
        public bool Silent;         // CLIENT REPLY OFF / SKIP: run it, write nothing
        public bool Track;          // CLIENT TRACKING: remember the keys this read command read
    }

    private long _pipelineTicks;
    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _cancellation = cancellationToken;
        try
        {
            await RunLoopAsync(cancellationToken);
        }
        finally
        {
            node.Retire(client.Stats);
            commands.StopMonitor(client);
            commands.Unwatch(client);
            if (client.Tracking is not null) node.Tracking.Table.Forget(client.Id);
            if (client.Subscriber is { } sub)
            {
                sub.Close();
                // Removed from every shard before the connection is forgotten: a later PUBLISH does not count it.
                if (node.Broker is { } broker) await broker.RemoveClientAsync(sub);
            }
        }
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        var input = transport.Input;
        var output = transport.Output;
        // The cluster's users are loaded at start; a connection that arrives before waits for them (briefly).
        if (!node.AclReady.Task.IsCompleted)
        {
            try { await node.AclReady.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken); }
            catch (TimeoutException) { }
        }
        client.User = node.Acl.Current.Default;
        client.Authenticated = client.User.LogsInWithoutPassword;
        bool close = false;
        while (!close)
        {
            var result = await input.ReadAsync(cancellationToken);
            // CLIENT PAUSE ALL: nothing this client sent runs until the pause ends (CLIENT UNPAUSE included, as in Redis).
            if (node.Pause.All) await node.Pause.WaitAsync(writes: false, cancellationToken);
            var buffer = result.Buffer;
            node.CountInput(buffer.Length); // counts bytes seen, including bytes re-seen after a partial frame

            close = Parse(buffer, out var consumed, out bool full);
            long pending = buffer.Slice(consumed).Length + _parser.PendingBytes;
            input.AdvanceTo(consumed, full ? consumed : buffer.End);

            if (!close && pending > node.Config.ClientQueryBufferLimit)
            {
                Log.QueryBufferLimit(logger, client.Id, client.Address, pending);
                close = true;
                _count = 0; // Redis closes such a client without replying to the rest
            }
            if (_count > 0)
            {
                client.LastInteraction = node.NowMs;
                node.CountCommands(_count);
                if (node.Pause.Active && RoundLeftToRun()) await node.Pause.WaitAsync(RoundWrites(), cancellationToken);
                await RunDataCommandsAsync(cancellationToken);
                Account();
                if (!await WriteAndFlushAsync(output, cancellationToken)) break;
                if (client.MonitorRequested) StartMonitor();
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                if (!full) break;
            }
        }
    }

    /// <summary>
    /// Parses complete requests from <paramref name="buffer"/> and dispatches them (synchronously: spans and the
    /// reader don't survive an await). Returns true when the connection must close after the replies.
    /// </summary>
    private bool Parse(ReadOnlySequence<byte> buffer, out SequencePosition consumed, out bool full)
    {
        var reader = new SequenceReader<byte>(buffer);
        _count = 0;
        full = false;
        _parser.MaxBulkLength = node.Config.ProtoMaxBulkLen;
        int max = node.Options.MaxBatch;
        try
        {
            while (true)
            {
                if (_count >= max) { full = true; return false; }
                var status = _parser.TryRead(ref reader, client.Authenticated || node.Acl.Current.Default.LogsInWithoutPassword, out var argv);
                if (status == ParseResult.Incomplete) return false;
                if (status == ParseResult.ProtocolError)
                {
                    Log.ProtocolError(logger, client.Id, client.Address, _parser.Error!);
                    Add(Reply.Error(_parser.Error!));
                    return true;
                }
                if (Dispatch(argv!)) return true;
                if (_endRound)
                {
                    // A subscription change decides how the next request is treated (RESP2 subscribed mode).
                    _endRound = false;
                    full = true;
                    return false;
                }
            }
        }
        finally
        {
            consumed = reader.Position;
        }
    }

    /// <summary>
    /// The round still has commands to run (data commands, or front-door commands answered after them). A pause that
    /// began in this round (CLIENT PAUSE itself) holds only those: the front-door replies already given go out.
    /// </summary>
    private bool RoundLeftToRun()
    {
        if (_pipeline.Count > 0) return true;
        for (int i = 0; i < _count; i++) if (_slots[i].Deferred is not null && _slots[i].Reply is null) return true;
        return false;
    }

    /// <summary>CLIENT PAUSE WRITE holds this round: it has a command that writes or may write.</summary>
    private bool RoundWrites()
    {
        foreach (var command in _pipeline) if (ClientPause.PausedByWrite(command.Info)) return true;
        for (int i = 0; i < _count; i++) if (_slots[i].Command is { } c && ClientPause.PausedByWrite(c)) return true;
        return false;
    }

    /// <summary>Looks the request up in the command table and answers or queues it. True means close after replying.</summary>
    private bool Dispatch(byte[][] argv)
    {
        if (client.Tracking is null)
        {
            bool closing = DispatchCommand(argv);
            if (client.Tracking is not null && client.Subscriber is null) CreateSubscriber(); // CLIENT TRACKING ON
            return closing;
        }
        // CLIENT CACHING YES|NO lasts for the one command after it.
        bool? caching = client.CachingNext;
        bool close = DispatchCommand(argv);
        // As Redis's resetClient: any CLIENT subcommand, and commands queued in MULTI, keep it for the next command.
        if (caching is not null && client.Multi is null && !Args.Is(argv[0], "CLIENT")) client.CachingNext = null;
        if (client.Subscriber is null && client.Tracking is not null) CreateSubscriber(); // where its invalidations are written
        return close;
    }

    /// <summary>CLIENT TRACKING: whether the keys of this read command are remembered (default mode, OPTIN / OPTOUT).</summary>
    private bool Tracks(CommandInfo command) =>
        client.Tracking is { Broadcast: false } mode && (command.Flags & CommandFlags.ReadOnly) != 0
        && (mode.OptIn ? client.CachingNext == true : !mode.OptOut || client.CachingNext != false);

    private bool DispatchCommand(byte[][] argv)
    {
        var command = CommandTable.Find(argv[0]);
        if (command is null)
        {
            if (IsHttp(argv[0]))
            {
                // Someone is talking HTTP to us (a browser, or a cross-protocol attack): drop it, as Redis does.
                Log.SecurityAttack(logger, client.Address);
                _count = 0;
                return true;
            }
            ServerCommands.Abort(client);
            Add(Errors.UnknownCommand(Args.Text(argv[0]), ArgsForError(argv)));
            return false;
        }
        client.LastCommand = command.Name;
        if (!command.AcceptsArgCount(argv.Length))
        {
            ServerCommands.Abort(client);
            Reject(command, Errors.WrongArity(command.Name));
            return false;
        }
        if (!client.Authenticated && (command.Flags & CommandFlags.NoAuth) == 0 && !node.Acl.Current.Default.LogsInWithoutPassword)
        {
            ServerCommands.Abort(client);
            Reject(command, ServerCommands.NoAuth);
            return false;
        }
        // ACL: one flag for a user that may do everything (default, as shipped); the full check for the others.
        if (!client.User.Unrestricted && commands.CheckAcl(client, command, argv) is { } denied)
        {
            ServerCommands.Abort(client);
            Reject(command, denied);
            return false;
        }
        if (client.InSubscribedMode && !ServerCommands.AllowedInSubscribedMode(command))
        {
            ServerCommands.Abort(client);
            Reject(command, ServerCommands.SubscribedModeError(command));
            return false;
        }
        if (node.Monitors.Active && ServerCommands.ShowsInMonitor(command)) node.Monitors.Feed(client, ServerCommands.Redacted(command, argv));
        if (client.Multi is not null && !ServerCommands.ControlsTransaction(command))
        {
            Add(ServerCommands.Queue(client, new Command(command, argv) { NoTouch = client.NoTouch }));
            return false;
        }
        if (command.Group == "pubsub" || command.Name == "RESET" && client.Subscriber is { IsSubscribed: true })
        {
            ref var deferred = ref Next();
            deferred.Deferred = argv;
            deferred.Command = command;
            deferred.Stat = command;
            deferred.Argv = argv;
            _endRound = ServerCommands.ChangesSubscriptions(command) || command.Name == "RESET";
            return false;
        }
        if (command.IsBlocking)
        {
            // It waits after the round's other commands, alone (the client is blocked); what follows waits for its answer.
            ref var blocking = ref Next();
            blocking.Deferred = argv;
            blocking.Command = command;
            blocking.Stat = command; // its time is its run, not its wait: 0 here
            blocking.Argv = argv;
            _endRound = true;
            return false;
        }
        if (command.Routing != Routing.Server)
        {
            ref var slot = ref Next();
            slot.Pipeline = _pipeline.Count;
            slot.Stat = command;
            slot.Argv = argv;
            if (client.Tracking is not null) slot.Track = Tracks(command);
            // Resolved once, here: the row travels with it.
            _pipeline.Add(new Command(command, argv) { NoTouch = client.NoTouch, ReplicaRead = client.ReadOnly });
            return false;
        }

        var after = AfterReply.None;
        long started = Stopwatch.GetTimestamp();
        var reply = commands.Execute(client, command, argv, ref after);
        ref var s = ref Next(); // after Execute: HELLO's reply already speaks the protocol it chose
        s.Ticks = Stopwatch.GetTimestamp() - started;
        s.Stat = command;
        s.Argv = argv;
        s.Reply = reply;
        if (after == AfterReply.Deferred)
        {
            s.Deferred = argv;
            s.Command = command;
            // A deferred command (INFO, WATCH, EXEC, SCRIPT) runs after the round's data commands, so it ends the round:
            // it sees the writes this connection sent before it, and what follows it (EVALSHA after SCRIPT LOAD, a
            // write after WATCH) runs after it.
            _endRound = true;
        }
        if (command.Name == "CONFIG" && node.Config.LastPush is { IsCompleted: false } push) s.Wait = push;
        if (client.AwaitBeforeReply is { } wait)
        {
            if (!wait.IsCompleted) s.Wait = wait;
            client.AwaitBeforeReply = null;
        }
        return after == AfterReply.Close;
    }

    private static IEnumerable<string> ArgsForError(byte[][] argv)
    {
        for (int i = 1; i < argv.Length; i++)
            yield return Args.Text(argv[i].Length > 128 ? argv[i][..128] : argv[i]);
    }

    private static bool IsHttp(byte[] name) => Args.Is(name, "POST") || Args.Is(name, "HOST:");

    private void Add(Reply reply) => Next().Reply = reply;

    /// <summary>A request refused before it ran: Redis counts it in rejected_calls, not calls.</summary>
    private void Reject(CommandInfo command, Reply error)
    {
        ref var slot = ref Next();
        slot.Reply = error;
        slot.Stat = command;
        slot.Rejected = true; // argv left out: a refused container command counts under the container
    }

    /// <summary>
    /// The round's bookkeeping, before its replies are written: commandstats (calls, µs, histogram, failed and rejected
    /// calls) on this connection's own counters, errorstats for each error reply, and the slowlog and latency monitor for
    /// commands over their thresholds, and the latency histogram while it is listened to. A pipeline's data commands run
    /// as one executor call; each gets an even share of its time. No lock, no allocation unless an error, a slow command or
    /// a new command row.
    /// </summary>
    private void Account()
    {
        var stats = client.Stats;
        int epoch = node.StatsEpoch;
        if (stats.Epoch != epoch) stats.Clear(epoch);
        long slower = node.SlowlogSlowerThan, latency = node.LatencyThreshold;
        var histogram = node.CommandLatency is { Enabled: true } listened ? listened : null;
        long share = _pipeline.Count > 0 ? _pipelineTicks / _pipeline.Count : 0;
        for (int i = 0; i < _count; i++)
        {
            ref var slot = ref _slots[i];
            bool failed = slot.Reply is { Kind: ReplyKind.Error };
            if (failed) node.CountError(slot.Reply!);
            if (slot.Stat is not { } command) continue;
            if (slot.Rejected || failed && IsRejection(slot.Reply!))
            {
                stats.Reject(command, slot.Argv);
                continue;
            }
            long micros = (long)((slot.Pipeline >= 0 ? share : slot.Ticks) * MicrosPerTick);
            stats.Record(command, slot.Argv, micros, failed);
            histogram?.Record(command, micros);
            if (slower >= 0 && micros >= slower && slot.Argv is { } argv && ServerCommands.ShowsInSlowlog(command))
                node.Slowlog.Add(argv, (node.Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10, micros, client, (int)node.SlowlogMaxLen);
            if (latency > 0 && micros / 1000 >= latency)
                node.Latency.Add((command.Flags & CommandFlags.Fast) != 0 ? "fast-command" : "command",
                    node.Time.GetUtcNow().ToUnixTimeSeconds(), micros / 1000);
        }
        _pipeline.Clear();
    }

    /// <summary>
    /// A subcommand's arity or name error: Redis refuses those before running the command (rejected_calls); here the
    /// container's handler answers them.
    /// </summary>
    private static bool IsRejection(Reply error)
    {
        var text = error.Bytes.AsSpan();
        return text.StartsWith("ERR wrong number of arguments for '"u8) || text.StartsWith("ERR unknown subcommand '"u8);
    }

    /// <summary>Marks the partitions the round's write commands went to, for WAIT (a write across partitions marks them all).</summary>
    private void RememberWrites()
    {
        CommandRouter? router = null;
        foreach (var command in _pipeline)
        {
            if (!command.Info.IsWrite) continue;
            router ??= node.Executor.Router;
            var written = client.WrotePartitions ??= new bool[router.Partitions.Count];
            Reply? error = null;
            int partition = command.Info.FirstKey > 0 ? router.PartitionOf(command.Info, command.Argv, out error) : -1;
            if (partition >= 0 && error is null) written[partition] = true;
            else Array.Fill(written, true);
        }
    }

    /// <summary>MONITOR's +OK is written: the lines its monitor collected since, and all later ones, go to the socket.</summary>
    private void StartMonitor()
    {
        client.MonitorRequested = false;
        if (client.Monitor is { } monitor) _ = monitor.PumpAsync(transport.Output, _output, _cancellation);
    }

    private ref Slot Next()
    {
        if (_count == _slots.Length) Array.Resize(ref _slots, _slots.Length * 2);
        ref var slot = ref _slots[_count++];
        slot = default;
        slot.Pipeline = -1;
        slot.Protocol = (byte)client.Protocol;
        if (client.ReplyMode == ReplyMode.Off) slot.Silent = true;
        else if (client.SkipReplies > 0)
        {
            slot.Silent = true;
            client.SkipReplies--;
        }
        return ref slot;
    }

    private async ValueTask RunDataCommandsAsync(CancellationToken cancellationToken)
    {
        if (_pipeline.Count > 0)
        {
            try
            {
                long started = Stopwatch.GetTimestamp();
                if (_pipeline.Count == 1)
                {
                    var reply = await node.Executor.ExecuteAsync(_pipeline[0], cancellationToken);
                    for (int i = 0; i < _count; i++) if (_slots[i].Pipeline == 0) _slots[i].Reply = reply;
                }
                else
                {
                    var replies = await node.Executor.ExecuteAsync(_pipeline, cancellationToken);
                    for (int i = 0; i < _count; i++)
                        if (_slots[i].Pipeline >= 0) _slots[i].Reply = replies[_slots[i].Pipeline];
                }
                _pipelineTicks = Stopwatch.GetTimestamp() - started;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.ExecutorFailed(logger, e, client.Id);
                var error = SiloFaults.ErrorReply(e);
                for (int i = 0; i < _count; i++) if (_slots[i].Pipeline >= 0) _slots[i].Reply = error;
            }
            finally
            {
                RememberWrites();
                if (client.Tracking is not null) RememberReads();
                if (AnnouncesFlush()) await node.Tracking.AnnounceFlushAsync();
                // The pipeline is cleared after the round's bookkeeping (Account), which shares its time out.
            }
        }
        await RunPublishesAsync();
        for (int i = 0; i < _count; i++)
        {
            if (_slots[i].Wait is { } wait)
            {
                try { await wait; }
                catch (Exception e) { _slots[i].Reply = SiloFaults.ErrorReply(e); }
            }
            if (_slots[i].Deferred is not { } argv || _slots[i].Reply is not null) continue;
            long deferredStart = Stopwatch.GetTimestamp();
            try
            {
                if (_slots[i].Command is { IsBlocking: true } blocking)
                {
                    _slots[i].Reply = await commands.BlockAsync(client, blocking, argv, cancellationToken);
                    continue;
                }
                switch (_slots[i].Command?.Name)
                {
                    case "INFO":
                        _slots[i].Reply = await commands.InfoAsync(client, argv);
                        break;
                    case "WATCH":
                        _slots[i].Reply = await commands.WatchAsync(client, argv);
                        break;
                    case "EXEC":
                        _slots[i].Reply = await commands.ExecAsync(client);
                        break;
                    case "SCRIPT":
                        _slots[i].Reply = await commands.ScriptAsync(argv);
                        break;
                    case "PUBSUB":
                        _slots[i].Reply = await commands.PubSubAsync(argv);
                        break;
                    case "MEMORY" or "DEBUG" or "SHUTDOWN" or "CLIENT" or "SLOWLOG" or "LATENCY" or "CONFIG" or "MONITOR" or "ACL" or "WAIT" or "ROLE":
                        _slots[i].Reply = await commands.DeferredAsync(client, _slots[i].Command!, argv, cancellationToken);
                        break;
                    case "RESET":
                        if (client.Subscriber is { } sub && node.Broker is { } broker) await broker.RemoveClientAsync(sub);
                        var after = AfterReply.None;
                        _slots[i].Reply = commands.Execute(client, _slots[i].Command!, argv, ref after);
                        break;
                    default:
                        _slots[i].Many = await commands.SubscriptionAsync(client, _slots[i].Command!, argv, CreateSubscriber);
                        break;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.ExecutorFailed(logger, e, client.Id);
                _slots[i].Reply = SiloFaults.ErrorReply(e);
            }
            if (_slots[i].Command is not { IsBlocking: true }) _slots[i].Ticks += Stopwatch.GetTimestamp() - deferredStart;
        }
    }

    /// <summary>CLIENT TRACKING (default mode): the keys of the round's read commands are remembered for invalidation.</summary>
    private void RememberReads()
    {
        for (int i = 0; i < _count; i++)
        {
            if (!_slots[i].Track) continue;
            var (info, argv) = _pipeline[_slots[i].Pipeline];
            foreach (int k in info.KeyIndexes(argv)) node.Tracking.Table.Remember(client.Id, argv[k]);
        }
    }

    /// <summary>The round flushed the keyspace: tracking clients of every silo are told (a null invalidation).</summary>
    private bool AnnouncesFlush()
    {
        foreach (var command in _pipeline) if (command.Info == FlushAll || command.Info == FlushDb) return true;
        return false;
    }

    private static readonly CommandInfo FlushAll = CommandTable.Find("FLUSHALL"u8.ToArray())!;
    private static readonly CommandInfo FlushDb = CommandTable.Find("FLUSHDB"u8.ToArray())!;

    /// <summary>The round's PUBLISH and SPUBLISH requests, sent together in request order.</summary>
    private async ValueTask RunPublishesAsync()
    {
        List<(bool, byte[], byte[])>? messages = null;
        List<int>? at = null;
        for (int i = 0; i < _count; i++)
        {
            if (_slots[i].Command is not { Name: "PUBLISH" or "SPUBLISH" } c) continue;
            var argv = _slots[i].Deferred!;
            (messages ??= []).Add((c.Name == "SPUBLISH", argv[1], argv[2]));
            (at ??= []).Add(i);
        }
        if (messages is null) return;
        Reply[] replies;
        try
        {
            replies = await commands.PublishAsync(messages);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ExecutorFailed(logger, e, client.Id);
            replies = [.. messages.Select(_ => SiloFaults.ErrorReply(e))];
        }
        for (int k = 0; k < at!.Count; k++) _slots[at[k]].Reply = replies[k];
    }

    private RespSubscriber CreateSubscriber()
    {
        var sub = new RespSubscriber(client, node, logger);
        client.Subscriber = sub;
        _pump = sub.PumpAsync(transport.Output, _output, _cancellation);
        return sub;
    }

    /// <summary>
    /// Writes the round's replies after any messages already queued, then releases the messages held for new
    /// subscriptions (they must follow their confirmations), and flushes. False when the peer is gone.
    /// </summary>
    private async ValueTask<bool> WriteAndFlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        await _output.WaitAsync(cancellationToken);
        try
        {
            var sub = client.Subscriber;
            long written = sub?.Drain(output) ?? 0;
            written += WriteReplies(output);
            if (sub is { HasPending: true } && node.Broker is { } broker)
            {
                broker.Activate(sub);
                written += sub.Drain(output);
            }
            node.CountOutput(written);
            if (written > 0) client.LastInteraction = node.NowMs; // as Redis's writeToClient
            return await FlushWithinLimitsAsync(output, cancellationToken);
        }
        finally
        {
            _output.Release();
        }
    }

    /// <summary>
    /// Flushes the round's replies under client-output-buffer-limit for the client's class. The replies not yet sent
    /// are what this round wrote: the loop reads no more requests until the transport has taken them (its flush waits
    /// while more than a small window is unsent), so a client that stops reading holds one round's replies and no more.
    /// Past the hard limit it is closed at once, without sending them; past the soft limit it is closed when they are
    /// still not sent after the soft seconds (on the node's clock). False when the connection must end.
    /// </summary>
    private async ValueTask<bool> FlushWithinLimitsAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        bool pubsub = client.Subscriber is { IsSubscribed: true };
        var (hard, soft, seconds) = pubsub ? node.Config.PubSubOutputLimit : node.Config.NormalOutputLimit;
        long unsent = output.CanGetUnflushedBytes ? output.UnflushedBytes : 0;
        if (hard > 0 && unsent > hard)
        {
            CloseForOutput(unsent, pubsub, "hard");
            return false;
        }
        var pending = output.FlushAsync(cancellationToken);
        if (pending.IsCompleted) return Open(pending.Result);
        try
        {
            if (soft <= 0 || unsent <= soft)
            {
                client.UnsentReplies = unsent;
                return Open(await pending);
            }
            var wait = pending.AsTask().WaitAsync(TimeSpan.FromSeconds(Math.Max(0, seconds)), node.Time, cancellationToken);
            client.UnsentReplies = unsent; // CLIENT LIST's omem, once the soft clock runs
            return Open(await wait);
        }
        catch (TimeoutException)
        {
            CloseForOutput(unsent, pubsub, "soft");
            return false;
        }
        finally
        {
            client.UnsentReplies = 0;
        }

        static bool Open(FlushResult flushed) => !flushed.IsCompleted && !flushed.IsCanceled;
    }

    private void CloseForOutput(long unsent, bool pubsub, string which)
    {
        Log.ReplyBufferLimit(logger, client.Id, client.Address, unsent, pubsub ? "pubsub" : "normal", which);
        client.Kill();
    }

    private long WriteReplies(PipeWriter output)
    {
        long before = output.UnflushedBytes;
        for (int i = 0; i < _count; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.Silent) { slot = default; continue; }
            if (slot.Many is { } many) foreach (var r in many) RespWriter.Write(output, r, slot.Protocol);
            else RespWriter.Write(output, slot.Reply ?? Reply.Nil, slot.Protocol);
            slot = default; // drop references to replies and argv
        }
        _count = 0;
        return output.CanGetUnflushedBytes ? output.UnflushedBytes - before : 0;
    }
}
