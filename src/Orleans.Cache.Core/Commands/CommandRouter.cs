namespace Orleans.Cache.Core;

/// <summary>One piece of a routed request: the command to run on a partition, and for split commands which keys it carries.</summary>
public readonly record struct RoutedPart(int Partition, byte[][] Argv, int[]? KeyOrder);

/// <summary>
/// Decides where a command runs (Redis Cluster's rules, minus redirects): single-slot commands go to their
/// slot's partition or get CROSSSLOT, EachKey commands are split per partition and merged back in key order,
/// AllPartitions commands go everywhere. Pure: the caller makes the calls.
/// </summary>
public sealed class CommandRouter(PartitionMap partitions)
{
    public PartitionMap Partitions { get; } = partitions;

    /// <summary>
    /// The partition a Slot-routed command runs on, or an error reply (CROSSSLOT). Commands without keys run on
    /// partition 0.
    /// </summary>
    public int PartitionOf(CommandInfo command, byte[][] argv, out Reply? error)
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
            return slot < 0 ? 0 : Partitions.PartitionOfSlot(slot);
        }
        foreach (int i in command.KeyIndexes(argv))
        {
            int s = HashSlot.Of(argv[i]);
            if (slot < 0) slot = s;
            else if (s != slot)
            {
                error = Errors.CrossSlot;
                return -1;
            }
        }
        return slot < 0 ? 0 : Partitions.PartitionOfSlot(slot);
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
