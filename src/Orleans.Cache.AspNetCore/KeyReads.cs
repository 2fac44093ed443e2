namespace Orleans.Cache.AspNetCore;

/// <summary>
/// The second-level reads in flight, by key, so that a change announced while one runs makes it read again: HybridCache
/// stores what a read returns in its L1, and a value read before a write elsewhere but returned after that write's
/// invalidation arrived would otherwise stay there, stale, until the L1 entry expires.
/// </summary>
internal sealed class KeyReads
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Read>> _reading = new(StringComparer.Ordinal);

    /// <summary>One read of one key: <see cref="Changed"/> once the key changed while it ran.</summary>
    internal sealed class Read(string key)
    {
        public string Key { get; } = key;
        public bool Changed => Volatile.Read(ref _changed);
        private bool _changed;
        public void MarkChanged() => Volatile.Write(ref _changed, true);
    }

    public Read Begin(string key)
    {
        var read = new Read(key);
        lock (_lock)
        {
            if (!_reading.TryGetValue(key, out var reads)) _reading[key] = reads = new List<Read>(1);
            reads.Add(read);
        }
        return read;
    }

    public void End(Read read)
    {
        lock (_lock)
        {
            if (!_reading.TryGetValue(read.Key, out var reads)) return;
            reads.Remove(read);
            if (reads.Count == 0) _reading.Remove(read.Key);
        }
    }

    /// <summary><paramref name="key"/> changed: its reads in flight read again.</summary>
    public void Changed(string key)
    {
        lock (_lock)
        {
            if (_reading.TryGetValue(key, out var reads))
                foreach (var read in reads) read.MarkChanged();
        }
    }

    /// <summary>Every key changed (a flush).</summary>
    public void ChangedAll()
    {
        lock (_lock)
        {
            foreach (var reads in _reading.Values)
                foreach (var read in reads) read.MarkChanged();
        }
    }
}
