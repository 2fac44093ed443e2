using Orleans.Cache.Core;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Resp.Commands;

/// <summary>A MULTI being queued on one connection: the commands, whether a queue-time error doomed it, and its slot.</summary>
internal sealed class Transaction
{
    public readonly List<Command> Commands = [];
    /// <summary>A command was refused while queueing: EXEC answers EXECABORT.</summary>
    public bool Aborted;
    /// <summary>The hash slot of the first key queued (-1: none yet): a transaction runs in one partition.</summary>
    public int Slot = -1;
    /// <summary>Commands queued in different slots: EXEC answers CROSSSLOT and runs nothing, as Redis Cluster does.</summary>
    public bool CrossSlot;
}

// MULTI, EXEC, DISCARD, WATCH, UNWATCH: queued here, run as one atomic batch by the partition that owns the slot.
internal sealed partial class ServerCommands
{
    private static readonly Reply ExecAbort = Reply.Error("EXECABORT Transaction discarded because of previous errors.");
    private static readonly Reply NotInTransaction = Reply.Error("ERR Command not allowed inside a transaction");

    /// <summary>Commands that act on the transaction itself; every other command sent after MULTI is queued.</summary>
    public static bool ControlsTransaction(CommandInfo command) => command.Name is "EXEC" or "DISCARD" or "MULTI" or "WATCH" or "QUIT" or "RESET";

    /// <summary>MULTI inside MULTI, and commands refused while queueing, mark the transaction so that EXEC fails.</summary>
    internal static void Abort(RespSession client)
    {
        if (client.Multi is { } multi) multi.Aborted = true;
    }

    /// <summary>
    /// Queues a command after MULTI: +QUEUED, or CROSSSLOT (which dooms the transaction) when its own keys span slots.
    /// Commands whose slots differ from each other are queued, and EXEC answers CROSSSLOT, as in Redis Cluster.
    /// </summary>
    internal static Reply Queue(RespSession client, Command command)
    {
        var multi = client.Multi!;
        if ((command.Info.Flags & CommandFlags.NoMulti) != 0)
        {
            multi.Aborted = true;
            return NotInTransaction;
        }
        int slot = CommandRouter.SlotOf(command.Info, command.Argv, out var error);
        if (error is not null)
        {
            multi.Aborted = true;
            return error;
        }
        if (slot >= 0 && multi.Slot >= 0 && slot != multi.Slot) multi.CrossSlot = true;
        else if (slot >= 0) multi.Slot = slot;
        multi.Commands.Add(command);
        return Reply.Queued;
    }

    private static Reply Multi(RespSession client)
    {
        if (client.Multi is not null) return Reply.Error("ERR MULTI calls can not be nested");
        client.Multi = new Transaction();
        return Reply.Ok;
    }

    private Reply Discard(RespSession client)
    {
        if (client.Multi is null) return Reply.Error("ERR DISCARD without MULTI");
        client.Multi = null;
        Unwatch(client);
        return Reply.Ok;
    }

    /// <summary>UNWATCH, and what DISCARD, EXEC, RESET and a closed connection do to the watches.</summary>
    internal void Unwatch(RespSession client)
    {
        if (client.Watches is not { Count: > 0 } watches) return;
        client.Watches = null;
        node.Executor.Unwatch(watches.Select(w => w.Key));
    }

    private Reply UnwatchCommand(RespSession client)
    {
        Unwatch(client);
        return Reply.Ok;
    }

    /// <summary>WATCH inside MULTI is refused at once; otherwise the keys are registered after the round's earlier commands ran.</summary>
    private static Reply? Watch(RespSession client, byte[][] argv, ref AfterReply after)
    {
        if (client.Multi is not null) return Reply.Error("ERR WATCH inside MULTI is not allowed");
        for (int i = 2; i < argv.Length; i++)
            if (HashSlot.Of(argv[i]) != HashSlot.Of(argv[1])) return Errors.CrossSlot;
        after = AfterReply.Deferred;
        return null;
    }

    private static Reply? Exec(RespSession client, ref AfterReply after)
    {
        if (client.Multi is null) return Reply.Error("ERR EXEC without MULTI");
        after = AfterReply.Deferred;
        return null;
    }

    /// <summary>WATCH key …: each key's partition records a watcher and answers the key's version.</summary>
    internal async ValueTask<Reply> WatchAsync(RespSession client, byte[][] argv)
    {
        var watches = client.Watches ??= [];
        for (int i = 1; i < argv.Length; i++) watches.Add(await node.Executor.WatchAsync(argv[i]));
        return Reply.Ok;
    }

    /// <summary>
    /// EXEC: the queued keyspace commands run as one atomic batch in their partition, which first checks the watched
    /// keys (a nil array when one changed); connection and server commands queued with them are answered here.
    /// A transaction with commands that span partitions (FLUSHALL, DBSIZE …) runs them one after the other.
    /// </summary>
    internal async ValueTask<Reply> ExecAsync(RespSession client)
    {
        var multi = client.Multi!;
        client.Multi = null;
        var watches = client.Watches ?? [];
        client.Watches = null;
        if (multi.Aborted || multi.CrossSlot)
        {
            node.Executor.Unwatch(watches.Select(w => w.Key));
            return multi.Aborted ? ExecAbort : Errors.CrossSlot;
        }

        var router = node.Executor.Router;
        int partition = multi.Slot >= 0 ? router.Partitions.PartitionOfSlot(multi.Slot) : watches.Count > 0 ? router.Partitions.PartitionOfKey(watches[0].Key) : 0;
        if (watches.Any(w => router.Partitions.PartitionOfKey(w.Key) != partition))
        {
            node.Executor.Unwatch(watches.Select(w => w.Key));
            return Errors.CrossSlot;
        }

        // The user's rules may have changed since the commands were queued: those no longer allowed answer NOPERM.
        var refused = RecheckAcl(client, multi.Commands);
        List<Command> commands = refused is null ? multi.Commands : [.. multi.Commands.Where((_, i) => refused[i] is null)];
        bool atomic = commands.All(c => c.Info.Kind == CommandKind.FrontDoor
            || c.Info.Kind == CommandKind.Keyspace && router.Plan(c) is { Reply: null, Parts: null });
        var inPartition = atomic ? commands.Where(c => c.Info.Kind == CommandKind.Keyspace).ToList() : [];
        var result = await node.Executor.ExecuteTransactionAsync(partition, inPartition, watches);
        if (result.Kind == ReplyKind.NullArray || result.IsError) return result;

        var replies = new Reply[commands.Count];
        for (int i = 0, k = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            replies[i] = atomic && command.Info.Kind == CommandKind.Keyspace ? result.Items![k++]
                : command.Info.Kind == CommandKind.FrontDoor ? await FrontDoorInTransaction(client, command)
                : await node.Executor.ExecuteAsync(command);
        }
        if (refused is null) return Reply.Array(replies);
        var all = new Reply[refused.Length];
        for (int i = 0, k = 0; i < all.Length; i++) all[i] = refused[i] ?? replies[k++];
        return Reply.Array(all);
    }

    /// <summary>A connection or server command queued in a transaction, answered at EXEC in its place.</summary>
    private async ValueTask<Reply> FrontDoorInTransaction(RespSession client, Command command)
    {
        var (info, argv) = command;
        if (info.Name is "PUBLISH" or "SPUBLISH") return (await PublishAsync([(info.Name == "SPUBLISH", argv[1], argv[2])]))[0];
        if (info.Group == "pubsub" && info.Name != "PUBSUB") return NotInTransaction; // (un)subscribing inside MULTI
        if (info.Name == "PUBSUB") return await PubSubAsync(argv);
        var after = AfterReply.None;
        var reply = Execute(client, info, argv, ref after);
        if (client.AwaitBeforeReply is { } wait)
        {
            client.AwaitBeforeReply = null;
            await wait;
        }
        if (after == AfterReply.Deferred && info.Name == "INFO") return await InfoAsync(client, argv);
        if (after == AfterReply.Deferred && info.Name == "SCRIPT") return await ScriptAsync(argv);
        if (after == AfterReply.Deferred && info.Name is "MEMORY" or "DEBUG" or "CLIENT" or "ACL") return await DeferredAsync(client, info, argv);
        return reply ?? NotInTransaction;
    }
}
