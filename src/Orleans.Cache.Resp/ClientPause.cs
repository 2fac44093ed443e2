using Orleans.Cache.Core;

namespace Orleans.Cache.Resp;

/// <summary>
/// CLIENT PAUSE / UNPAUSE for one front door: until the pause ends (its timeout on the node's clock, or UNPAUSE), the
/// clients of this silo wait before running their next request: every request in ALL mode, and in WRITE mode the
/// rounds that hold a write (or a command that may write: EVAL, EVALSHA, FCALL, PUBLISH, SPUBLISH, PFCOUNT, EXEC).
/// A new pause while one is on keeps the later end and the stricter mode, as Redis does.
/// </summary>
internal sealed class ClientPause(TimeProvider time)
{
    private readonly object _lock = new();
    private long _until;                 // time.GetTimestamp() at which the pause ends; 0 when none
    private bool _all;
    private TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A pause is on (one volatile read: what every request checks).</summary>
    public bool Active => Volatile.Read(ref _until) != 0;

    /// <summary>The pause is on and stops all commands, not only writes.</summary>
    public bool All => Active && _all;

    public void Pause(TimeSpan timeout, bool all)
    {
        lock (_lock)
        {
            long until = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
            if (_until == 0)
            {
                _all = all;
                Volatile.Write(ref _until, until);
                return;
            }
            _all |= all;
            if (until > _until) Volatile.Write(ref _until, until);
        }
    }

    public void Unpause()
    {
        TaskCompletionSource ended;
        lock (_lock)
        {
            if (_until == 0) return;
            Volatile.Write(ref _until, 0);
            ended = _ended;
            _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        ended.TrySetResult();
    }

    /// <summary>True when a request of <paramref name="command"/> waits in WRITE mode.</summary>
    public static bool PausedByWrite(CommandInfo command) =>
        (command.Flags & CommandFlags.Write) != 0
        || command.Name is "EVAL" or "EVALSHA" or "FCALL" or "PUBLISH" or "SPUBLISH" or "PFCOUNT" or "EXEC";

    /// <summary>Waits until the pause ends (at once when none is on, or when <paramref name="writes"/> is false in WRITE mode).</summary>
    public async ValueTask WaitAsync(bool writes, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task ended;
            long until;
            lock (_lock)
            {
                until = _until;
                if (until == 0 || !_all && !writes) return;
                ended = _ended.Task;
            }
            var left = time.GetElapsedTime(time.GetTimestamp(), until);
            if (left <= TimeSpan.Zero)
            {
                // The timeout passed: the pause ends for everyone.
                if (ExpireIf(until)) return;
                continue;
            }
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(left, time, timer.Token);
            await Task.WhenAny(ended, delay);
            timer.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Ends the pause if its end is still <paramref name="until"/>; false when a later pause replaced it.</summary>
    private bool ExpireIf(long until)
    {
        TaskCompletionSource ended;
        lock (_lock)
        {
            if (_until != until) return _until == 0;
            Volatile.Write(ref _until, 0);
            ended = _ended;
            _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        ended.TrySetResult();
        return true;
    }
}
