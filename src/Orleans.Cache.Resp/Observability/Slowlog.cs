using Orleans.Cache.Core;
using Orleans.Cache.Observability;

namespace Orleans.Cache.Resp;

/// <summary>This node's SLOWLOG: the newest <c>slowlog-max-len</c> entries. Only slow commands take its lock.</summary>
internal sealed class Slowlog
{
    private readonly LinkedList<SlowlogEntry> _entries = new();
    private long _nextId;

    public void Add(byte[][] argv, long unixMicroseconds, long durationMicroseconds, RespSession client, int maxLen)
    {
        var entry = new SlowlogEntry
        {
            TimeMicroseconds = unixMicroseconds,
            DurationMicroseconds = durationMicroseconds,
            Argv = CommandLog.Truncate(argv),
            Client = client.Address,
            ClientName = client.Name,
        };
        lock (_entries)
        {
            entry.Id = _nextId++;
            _entries.AddFirst(entry);
            while (_entries.Count > Math.Max(maxLen, 0)) _entries.RemoveLast();
        }
    }

    /// <summary>Every entry, newest first.</summary>
    public SlowlogEntry[] Entries()
    {
        lock (_entries) return [.. _entries];
    }

    public void Reset()
    {
        lock (_entries) _entries.Clear();
    }
}
