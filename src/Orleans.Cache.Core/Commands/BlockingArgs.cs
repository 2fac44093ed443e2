namespace Orleans.Cache.Core;

/// <summary>
/// What the blocking commands (BLPOP, BZPOPMIN, …) share in Core. Core runs them as their non-blocking forms:
/// an answer now, or a null array meaning "would block"; the grains do the waiting and re-run them when woken.
/// </summary>
internal static class BlockingArgs
{
    /// <summary>The timeout argument in seconds (0 = forever), read as Redis does.</summary>
    public static double Timeout(byte[] arg)
    {
        if (!Args.TryDouble(arg, out double seconds) || double.IsInfinity(seconds))
            throw new CommandException(Reply.Error("ERR timeout is not a float or out of range"));
        if (seconds < 0) throw new CommandException(Reply.Error("ERR timeout is negative"));
        return seconds;
    }

    /// <summary>
    /// The keys a blocked command waits on, as Redis's blocking.c: every key it pops from; not the destination of BLMOVE
    /// and BRPOPLPUSH, whose push serves the clients waiting there, not the mover itself.
    /// </summary>
    public static IEnumerable<byte[]> WaitKeys(CommandInfo command, byte[][] argv) =>
        command.Name is "BLMOVE" or "BRPOPLPUSH" ? [argv[1]] : command.KeyIndexes(argv).Select(i => argv[i]);

    /// <summary>Where the timeout is: first (BLMPOP, BZMPOP: before the key count), else last.</summary>
    public static int TimeoutIndex(CommandInfo command, int argCount) => command.NumKeysAt != 0 ? 1 : argCount - 1;

    /// <summary>
    /// The write that puts back what a blocking pop took, for a client that went away while the reply was on its
    /// way; null when nothing needs undoing (BLMOVE and BRPOPLPUSH leave the element in their destination).
    /// </summary>
    public static byte[][]? Undo(CommandInfo command, byte[][] argv, Reply reply)
    {
        if (reply.Items is not { Length: >= 2 } items) return null;
        var key = items[0].Bytes!;
        switch (command.Name)
        {
            case "BLPOP": return [Args.Bytes("LPUSH"), key, items[1].Bytes!];
            case "BRPOP": return [Args.Bytes("RPUSH"), key, items[1].Bytes!];
            case "BLMPOP":
            {
                // Elements were popped in reply order; pushing them back in reverse restores the list.
                bool left = argv.Skip(3).Any(a => Args.Is(a, "LEFT"));
                var values = items[1].Items!.Select(v => v.Bytes!).Reverse();
                return [Args.Bytes(left ? "LPUSH" : "RPUSH"), key, .. values];
            }
            case "BZPOPMIN" or "BZPOPMAX" when items.Length == 3:
                return [Args.Bytes("ZADD"), key, ScoreBytes(items[2]), items[1].Bytes!];
            case "BZMPOP":
                return [Args.Bytes("ZADD"), key, .. items[1].Items!.SelectMany(p => new[] { ScoreBytes(p.Items![1]), p.Items[0].Bytes! })];
            default:
                return null;
        }
    }

    private static byte[] ScoreBytes(Reply score) =>
        score.Kind == ReplyKind.Double ? Args.Bytes(Args.FormatDouble(score.Double)) : score.Bytes!;
}
