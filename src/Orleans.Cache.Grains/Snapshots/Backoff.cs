namespace Orleans.Cache.Grains;

/// <summary>
/// Doubling delays between the tries of a failing storage operation (<see cref="First"/>, twice that, … up to
/// <see cref="Max"/>), measured on the partition clock so that tests drive it with a fake one.
/// </summary>
internal sealed class Backoff(TimeProvider time, TimeSpan first, TimeSpan max)
{
    private long _failedAt;

    public TimeSpan First { get; } = first;
    public TimeSpan Max { get; } = max;

    /// <summary>The wait after the last failure before the next try; <see cref="First"/> until something failed.</summary>
    public TimeSpan Delay { get; private set; } = first;

    /// <summary>How many tries failed in a row.</summary>
    public int Failures { get; private set; }

    /// <summary>Records a failure now: the next try waits the current delay, and the one after it twice as long.</summary>
    public void Failed()
    {
        Delay = Failures == 0 ? First : TimeSpan.FromTicks(Math.Min(Delay.Ticks * 2, Max.Ticks));
        Failures++;
        _failedAt = time.GetTimestamp();
    }

    /// <summary>Back to the first delay after a success.</summary>
    public void Succeeded()
    {
        Failures = 0;
        Delay = First;
    }

    /// <summary>True when nothing failed, or the delay since the last failure has passed.</summary>
    public bool Due => Failures == 0 || time.GetElapsedTime(_failedAt) >= Delay;
}
