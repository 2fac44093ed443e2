namespace Orleans.Cache.Core;

/// <summary>
/// Redis's client-side caching table (tracking.c), for the clients of one front door: the keys each tracking client
/// read (default mode), and the prefixes of the clients in broadcast mode. A modified key is looked up once: the
/// clients that read it are returned and forgotten (they must read it again to be told again), and every broadcast
/// client whose prefix matches is returned. Thread-safe.
/// </summary>
internal sealed class TrackingTable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, HashSet<long>> _readers = new(StringComparer.Ordinal);
    private readonly Dictionary<long, byte[][]> _broadcast = [];

    /// <summary>Keys remembered for default-mode clients (Redis's INFO <c>tracking_total_keys</c>).</summary>
    public int Keys { get { lock (_lock) return _readers.Count; } }

    /// <summary>Clients in broadcast mode.</summary>
    public int BroadcastClients { get { lock (_lock) return _broadcast.Count; } }

    /// <summary>A default-mode client read <paramref name="key"/>: tell it when the key changes.</summary>
    public void Remember(long client, byte[] key)
    {
        string k = Name(key);
        lock (_lock)
        {
            if (!_readers.TryGetValue(k, out var clients)) _readers[k] = clients = [];
            clients.Add(client);
        }
    }

    /// <summary>A client turned broadcast mode on with these prefixes (none: every key).</summary>
    public void Broadcast(long client, IReadOnlyList<byte[]> prefixes)
    {
        lock (_lock) _broadcast[client] = prefixes.Count == 0 ? [[]] : [.. prefixes];
    }

    /// <summary>A client turned tracking off or went away: it is told nothing more.</summary>
    public void Forget(long client)
    {
        lock (_lock)
        {
            _broadcast.Remove(client);
            // Redis leaves its entries for lazy removal; here they go at once (the table is per front door, and small).
            List<string>? empty = null;
            foreach (var (key, clients) in _readers)
                if (clients.Remove(client) && clients.Count == 0) (empty ??= []).Add(key);
            if (empty is not null) foreach (var key in empty) _readers.Remove(key);
        }
    }

    /// <summary>
    /// <paramref name="key"/> was modified: adds the clients to tell to <paramref name="into"/> (each once) and forgets
    /// the default-mode readers of the key.
    /// </summary>
    public void Invalidate(byte[] key, HashSet<long> into)
    {
        lock (_lock)
        {
            if (_readers.Remove(Name(key), out var readers)) into.UnionWith(readers);
            foreach (var (client, prefixes) in _broadcast)
                foreach (var prefix in prefixes)
                    if (key.AsSpan().StartsWith(prefix)) { into.Add(client); break; }
        }
    }

    /// <summary>The whole keyspace was flushed: every tracking client is told, and the remembered keys are dropped.</summary>
    public void InvalidateAll(HashSet<long> into)
    {
        lock (_lock)
        {
            foreach (var (_, readers) in _readers) into.UnionWith(readers);
            _readers.Clear();
            into.UnionWith(_broadcast.Keys);
        }
    }

    /// <summary>
    /// Redis's checkPrefixCollisionsOrReply: null when the prefixes may be used together (with the client's existing
    /// ones), otherwise Redis's error.
    /// </summary>
    public static string? PrefixCollision(IReadOnlyList<byte[]> existing, IReadOnlyList<byte[]> added)
    {
        for (int i = 0; i < added.Count; i++)
        {
            foreach (var old in existing)
                if (Overlaps(added[i], old))
                    return $"ERR Prefix '{Args.Text(added[i])}' overlaps with an existing prefix '{Args.Text(old)}'. Prefixes for a single client must not overlap.";
            for (int j = i + 1; j < added.Count; j++)
                if (Overlaps(added[i], added[j]))
                    return $"ERR Prefix '{Args.Text(added[i])}' overlaps with another provided prefix '{Args.Text(added[j])}'. Prefixes for a single client must not overlap.";
        }
        return null;
    }

    private static bool Overlaps(byte[] a, byte[] b) => a.AsSpan().StartsWith(b) || b.AsSpan().StartsWith(a);

    private static string Name(byte[] key) => System.Text.Encoding.Latin1.GetString(key);
}
