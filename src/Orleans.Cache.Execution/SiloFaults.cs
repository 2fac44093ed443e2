using Orleans.Cache.Core;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Orleans.Cache.Execution;

/// <summary>
/// Grain calls that fail because a silo stopped or died, and what a client is told. A call that surely did not run
/// (rejected by a stopping silo, never delivered) is sent again with back-off until the partition's new activation
/// answers, for up to a budget (<see cref="CacheOptions.FailoverWait"/>); so is one whose fate is unknown (the silo died while it ran, a time-out) when
/// it changes nothing. Otherwise the client gets <c>-TRYAGAIN</c>, never Orleans's own text.
/// </summary>
internal static class SiloFaults
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromSeconds(1);

    /// <summary>The reply when the call was not applied and the partition did not come back within the budget.</summary>
    public static readonly Reply NotApplied = Reply.Error("TRYAGAIN the partition is moving to another silo and was not reached; the command was not applied");

    /// <summary>The reply when the partition's silo went away while the call ran.</summary>
    public static readonly Reply FateUnknown = Reply.Error("TRYAGAIN the partition's silo went away while the command ran; it may or may not have been applied");

    /// <summary>The call was refused or never sent: it did not run, and can be sent again.</summary>
    public static bool NotDelivered(Exception e) => e.GetBaseException() switch
    {
        SiloUnavailableException => false, // a rejection too, but sent to a silo that died: it may have run
        OrleansMessageRejectionException or ConnectionFailedException => true,
        _ => false,
    };

    /// <summary>The silo went away while the call ran, or no answer came in time: it may or may not have run.</summary>
    public static bool Unknown(Exception e) => e.GetBaseException() is SiloUnavailableException or TimeoutException;

    /// <summary>The reply for a failed call: Redis's -TRYAGAIN for a silo fault, else -ERR with the message.</summary>
    public static Reply ErrorReply(Exception e) =>
        NotDelivered(e) ? NotApplied : Unknown(e) ? FateUnknown : Reply.Error("ERR " + e.GetBaseException().Message);

    /// <summary>
    /// Runs <paramref name="call"/>, and again after a silo fault while it surely did not run (or, when it is
    /// <paramref name="harmless"/> to repeat, whatever its fate), with back-off on <paramref name="time"/>, for up to
    /// <paramref name="budget"/> (<see cref="CacheOptions.DefaultFailoverWait"/> when not given).
    /// </summary>
    public static async ValueTask<T> RetryAsync<T>(Func<ValueTask<T>> call, bool harmless, TimeProvider time, TimeSpan? budget = null)
    {
        var limit = budget ?? CacheOptions.DefaultFailoverWait;
        long started = time.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception e) when ((NotDelivered(e) || harmless && Unknown(e)) && time.GetElapsedTime(started) < limit)
            {
                await Task.Delay(delay, time).ConfigureAwait(false);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }
    }

    /// <summary>Whether sending these commands twice changes nothing (none writes).</summary>
    public static bool Harmless(IEnumerable<Command> commands)
    {
        foreach (var command in commands)
            if (command.Info.IsWrite || command.Info.RunsScript) return false;
        return true;
    }
}
