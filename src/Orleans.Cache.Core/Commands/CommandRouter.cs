using System.Globalization;

namespace Orleans.Cache.Core;

/// <summary>One piece of a routed request: the command to run on a partition, and for split commands which keys it carries.</summary>
internal readonly record struct RoutedPart(int Partition, byte[][] Argv, int[]? KeyOrder);

/// <summary>
/// Where a command goes, computed once: an immediate reply (an error), one partition, or several parts whose replies
/// <see cref="CommandRouter.Finish"/> merges.
/// </summary>
internal readonly record struct CommandPlan(Reply? Reply, Command Command, int Partition, List<RoutedPart>? Parts, int KeyCount)
{
    public static CommandPlan Answer(Reply reply) => new(reply, default, 0, null, 0);
}

/// <summary>
/// Decides where a command runs (Redis Cluster's rules, minus redirects): single-slot commands go to their
/// slot's partition or get CROSSSLOT, EachKey commands are split per partition and merged back in key order,
/// AllPartitions commands go everywhere. Pure: the caller makes the calls.
/// </summary>
internal sealed class CommandRouter(PartitionMap partitions)
{
    public PartitionMap Partitions { get; } = partitions;

    /// <summary>
    /// Resolves a request once: its row in the one command table and the arity check. Null with Redis's error for an
    /// empty request, an unknown command or a wrong number of arguments.
    /// </summary>
    public static Command? Resolve(byte[][] argv, out Reply? error)
    {
        error = null;
        if (argv.Length == 0) { error = Errors.Syntax; return null; }
        var info = CommandTable.Find(argv[0]);
        if (info is null) { error = Errors.UnknownCommand(Args.Text(argv[0]), argv.Skip(1).Select(Args.Text)); return null; }
        if (!info.AcceptsArgCount(argv.Length)) { error = Errors.WrongArity(info.Name); return null; }
        return new Command(info, argv);
    }

    /// <summary>
    /// Routes a resolved command: its partition, or its parts (split per key, or every partition), or an error
    /// (CROSSSLOT; front-door commands, which no partition runs, answer unknown command).
    /// </summary>
    public CommandPlan Plan(Command command)
    {
        var (info, argv) = command;
        if (info.Kind == CommandKind.FrontDoor)
            return CommandPlan.Answer(Errors.UnknownCommand(Args.Text(argv[0]), argv.Skip(1).Select(Args.Text)));
        switch (info.Routing)
        {
            case Routing.EachKey:
                var parts = Split(info, argv);
                if (parts.Count == 1) return new CommandPlan(null, command, parts[0].Partition, null, 0);
                return new CommandPlan(null, command, 0, parts, info.Keys(argv.Length).Count);
            case Routing.AllPartitions when info.Name == "SCAN":
                return PlanScan(command);
            case Routing.AllPartitions:
                var all = new List<RoutedPart>(Partitions.Count);
                for (int p = 0; p < Partitions.Count; p++) all.Add(new RoutedPart(p, argv, null));
                return new CommandPlan(null, command, 0, all, 0);
            default:
                int partition = PartitionOf(info, argv, out var error);
                return error is not null ? CommandPlan.Answer(error) : new CommandPlan(null, command, partition, null, 0);
        }
    }

    /// <summary>
    /// The cursor clients see folds in the partition: cursor = local × partitions + partition. A scan walks
    /// partition 0 to the end, then 1, and so on; 0 again means done.
    /// </summary>
    private CommandPlan PlanScan(Command command)
    {
        var argv = command.Argv;
        if (!ulong.TryParse(argv[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong cursor))
            return CommandPlan.Answer(Errors.InvalidCursor);
        int count = Partitions.Count;
        int partition = (int)(cursor % (ulong)count);
        var local = (byte[][])argv.Clone();
        local[1] = Args.Bytes((cursor / (ulong)count).ToString(CultureInfo.InvariantCulture));
        return new CommandPlan(null, command, 0, [new RoutedPart(partition, local, null)], 0);
    }

    /// <summary>The one reply of a planned command with parts, from the parts' replies.</summary>
    public Reply Finish(CommandPlan plan, Reply[] replies)
    {
        if (plan.Command.Info.Name == "SCAN") return FinishScan(plan.Parts![0].Partition, replies[0]);
        return Merge(plan.Command.Info, plan.Parts!, replies, plan.KeyCount);
    }

    private Reply FinishScan(int partition, Reply reply)
    {
        if (reply.IsError) return reply;
        ulong local = ulong.Parse(reply.Items![0].Bytes!, CultureInfo.InvariantCulture);
        ulong count = (ulong)Partitions.Count;
        ulong next = local != 0 ? local * count + (ulong)partition
            : partition + 1 < Partitions.Count ? (ulong)partition + 1 : 0;
        return Reply.Array([Reply.Bulk(next.ToString(CultureInfo.InvariantCulture)), reply.Items[1]]);
    }

    /// <summary>The one hash slot of all of a command's keys; -1 when it has none; CROSSSLOT when they differ.</summary>
    public static int SlotOf(CommandInfo command, byte[][] argv, out Reply? error)
    {
        error = null;
        int slot = -1;
        if (command.HasFixedKeyPositions)
        {
            // Most commands: keys at fixed positions, checked without allocating.
            var keys = command.Keys(argv.Length);
            for (int i = keys.First; !keys.IsEmpty && i <= keys.Last; i += keys.Step)
            {
                int s = HashSlot.Of(argv[i]);
                if (slot < 0) slot = s;
                else if (s != slot) { error = Errors.CrossSlot; return -1; }
            }
            return slot;
        }
        foreach (int i in command.KeyIndexes(argv))
        {
            int s = HashSlot.Of(argv[i]);
            if (slot < 0) slot = s;
            else if (s != slot) { error = Errors.CrossSlot; return -1; }
        }
        return slot;
    }

    /// <summary>
    /// The partition a Slot-routed command runs on, or an error reply (CROSSSLOT). Commands without keys run on
    /// partition 0.
    /// </summary>
    public int PartitionOf(CommandInfo command, byte[][] argv, out Reply? error)
    {
        int slot = SlotOf(command, argv, out error);
        return error is not null ? -1 : slot < 0 ? 0 : Partitions.PartitionOfSlot(slot);
    }

    /// <summary>
    /// Splits an EachKey command (MGET, MSET, DEL, …) into one command per partition. Each part keeps the keys
    /// (with their values, for MSET) in request order and records which key positions it carries.
    /// </summary>
    public List<RoutedPart> Split(CommandInfo command, byte[][] argv)
    {
        var keys = command.Keys(argv.Length);
        int step = keys.Step;
        // A key without its value (MSET a 1 b) must fail as a whole, writing nothing: send it unsplit to one
        // partition, whose handler answers the arity error.
        if ((argv.Length - keys.First) % step != 0)
            return [new RoutedPart(Partitions.PartitionOfKey(argv[keys.First]), argv, null)];
        var byPartition = new Dictionary<int, (List<byte[]> Args, List<int> Order)>();
        int ordinal = 0;
        for (int i = keys.First; i <= keys.Last; i += step, ordinal++)
        {
            int p = Partitions.PartitionOfKey(argv[i]);
            if (!byPartition.TryGetValue(p, out var part))
            {
                part = ([argv[0]], []);
                byPartition[p] = part;
            }
            for (int j = 0; j < step && i + j < argv.Length; j++) part.Args.Add(argv[i + j]);
            part.Order.Add(ordinal);
        }
        var parts = new List<RoutedPart>(byPartition.Count);
        foreach (var (p, part) in byPartition) parts.Add(new RoutedPart(p, [.. part.Args], [.. part.Order]));
        return parts;
    }

    /// <summary>Combines the replies of a split or broadcast command; the first error wins.</summary>
    public static Reply Merge(CommandInfo command, IReadOnlyList<RoutedPart> parts, IReadOnlyList<Reply> replies, int keyCount)
    {
        foreach (var r in replies) if (r.IsError) return r;
        switch (command.Merge)
        {
            case Core.Merge.Sum:
                long sum = 0;
                foreach (var r in replies) sum += r.Integer;
                return Reply.Int(sum);
            case Core.Merge.Ok:
                return Reply.Ok;
            case Core.Merge.Min:
                return Reply.Int(replies.Min(r => r.Integer));
            case Core.Merge.Concat when parts.Count > 0 && parts[0].KeyOrder is not null:
                var ordered = new Reply[keyCount];
                for (int i = 0; i < parts.Count; i++)
                {
                    var order = parts[i].KeyOrder!;
                    var items = replies[i].Items!;
                    for (int k = 0; k < order.Length; k++) ordered[order[k]] = items[k];
                }
                return Reply.Array(ordered);
            case Core.Merge.Concat:
                return Reply.Array([.. replies.SelectMany(r => r.Items ?? [])]);
            default:
                // One partition's answer; for a broadcast like RANDOMKEY, any partition that has one.
                var answers = replies.Where(r => r.Kind is not (ReplyKind.Null or ReplyKind.NullArray)).ToList();
                return answers.Count > 0 ? answers[Random.Shared.Next(answers.Count)] : replies.Count > 0 ? replies[0] : Reply.Nil;
        }
    }
}
