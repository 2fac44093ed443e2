using Orleans.Cache.Core;
using Orleans.Cache.Observability;

namespace Orleans.Cache.Resp;

/// <summary>This node's LATENCY events (<c>command</c>, <c>fast-command</c>): only samples over the threshold take its lock.</summary>
internal sealed class LatencyMonitor
{
    private readonly Dictionary<string, LatencySeries> _events = new(StringComparer.Ordinal);

    public void Add(string name, long unixSeconds, long milliseconds)
    {
        lock (_events)
        {
            if (!_events.TryGetValue(name, out var series)) _events[name] = series = new LatencySeries();
            series.Add(unixSeconds, milliseconds);
        }
    }

    public LatencyEvent[] Events()
    {
        lock (_events)
            return [.. _events.Select(e => new LatencyEvent
            {
                Name = e.Key,
                Max = e.Value.Max,
                Samples = [.. e.Value.Samples.Select(s => new LatencySample(s.Time, s.Milliseconds))],
            })];
    }

    /// <summary>LATENCY RESET: the named events, or all when none are named; how many were reset.</summary>
    public int Reset(string[]? names)
    {
        lock (_events)
        {
            if (names is null || names.Length == 0)
            {
                int all = _events.Count;
                _events.Clear();
                return all;
            }
            int n = 0;
            foreach (var name in names) if (_events.Remove(name)) n++;
            return n;
        }
    }
}
