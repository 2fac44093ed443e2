namespace Orleans.Cache.Core;

/// <summary>
/// One LATENCY event's history, as Redis's latency monitor keeps it: at most one sample per second (the highest of that
/// second), the last <see cref="Capacity"/> seconds with a sample, and the all-time maximum. Not thread-safe.
/// </summary>
internal sealed class LatencySeries
{
    /// <summary>Redis's LATENCY_TS_LEN.</summary>
    public const int Capacity = 160;

    private readonly Queue<(long Time, long Milliseconds)> _samples = new();
    private (long Time, long Milliseconds) _last = (-1, 0);

    public long Max { get; private set; }

    /// <summary>Adds a sample at <paramref name="unixSeconds"/>; within the same second the higher one stays.</summary>
    public void Add(long unixSeconds, long milliseconds)
    {
        if (milliseconds > Max) Max = milliseconds;
        if (_last.Time == unixSeconds)
        {
            if (milliseconds <= _last.Milliseconds) return;
            // Replace the newest sample: rebuild the queue without it (at most Capacity entries, and only on a new high).
            var kept = _samples.ToArray();
            _samples.Clear();
            for (int i = 0; i < kept.Length - 1; i++) _samples.Enqueue(kept[i]);
        }
        _last = (unixSeconds, milliseconds);
        _samples.Enqueue(_last);
        while (_samples.Count > Capacity) _samples.Dequeue();
    }

    /// <summary>The samples, oldest first.</summary>
    public IReadOnlyList<(long Time, long Milliseconds)> Samples => [.. _samples];

    /// <summary>The newest sample.</summary>
    public (long Time, long Milliseconds) Latest => _last;
}
