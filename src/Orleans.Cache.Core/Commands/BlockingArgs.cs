namespace Orleans.Cache.Core;

/// <summary>
/// What the blocking commands (BLPOP, BZPOPMIN, …) share in Core. Core runs them as their non-blocking forms:
/// an answer now, or a null array meaning "would block"; the grains do the waiting and re-run them when woken.
/// </summary>
public static class BlockingArgs
{
    /// <summary>The timeout argument in seconds (0 = forever), read as Redis does.</summary>
    public static double Timeout(byte[] arg)
    {
        if (!Args.TryDouble(arg, out double seconds) || double.IsInfinity(seconds))
            throw new CommandException(Reply.Error("ERR timeout is not a float or out of range"));
        if (seconds < 0) throw new CommandException(Reply.Error("ERR timeout is negative"));
        return seconds;
    }

    /// <summary>Where the timeout is: first (BLMPOP, BZMPOP: before the key count), else last.</summary>
    public static int TimeoutIndex(CommandInfo command, int argCount) => command.NumKeysAt != 0 ? 1 : argCount - 1;
}
