namespace Orleans.Cache.Client;

/// <summary>Reads a value from the system of record (a database) when the cache does not have it: read-through.</summary>
public interface ICacheLoader<T>
{
    /// <summary>The value of <paramref name="key"/> in the store, or null when there is none.</summary>
    Task<T?> LoadAsync(string key, CancellationToken cancellationToken);
}

/// <summary>Writes values to the system of record: write-through (at once) or write-behind (from a durable queue).</summary>
public interface ICacheWriter<T>
{
    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>.</summary>
    Task WriteAsync(string key, T value, CancellationToken cancellationToken);

    /// <summary>Removes <paramref name="key"/> from the store.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}

/// <summary>When a <see cref="CacheStore{T}"/> writes to its <see cref="ICacheWriter{T}"/>.</summary>
public enum CacheWriteMode
{
    /// <summary>Each write goes to the store first, then to the cache; a store that refuses leaves the cache untouched.</summary>
    WriteThrough,

    /// <summary>
    /// Each write goes to the cache and to a durable queue held in the cache itself; a <see cref="WriteBehindWorker{T}"/>
    /// worker hands the queued writes to the store later, the latest value of a key once, retrying with back-off.
    /// </summary>
    WriteBehind,
}

/// <summary>How a <see cref="CacheStore{T}"/> caches and writes.</summary>
public sealed class CacheStoreOptions
{
    /// <summary>How long a value stays cached after it was loaded or written. Default 5 minutes.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Write-through (default) or write-behind.</summary>
    public CacheWriteMode Mode { get; set; } = CacheWriteMode.WriteThrough;

    /// <summary>The serializer of the values; System.Text.Json when null.</summary>
    public ICacheSerializer? Serializer { get; set; }

    /// <summary>How long one caller may take to load a missing key while the others wait (see <see cref="CacheAsideOptions.FillTimeout"/>).</summary>
    public TimeSpan FillTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The write-behind queue's name; its keys are <c>{wb:Name}:…</c>. Default "default".</summary>
    public string QueueName { get; set; } = "default";

    /// <summary>The write-behind worker's first wait after a failed write; it doubles up to <see cref="MaxRetryDelay"/>. Default 100 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two tries of a failing write. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle write-behind worker looks for writes queued by other processes. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The write-behind worker's lease: one worker per queue in the whole cluster writes at a time; another takes over
    /// once a worker has not renewed its lease for this long (it died). Default 30 s.
    /// </summary>
    public TimeSpan WorkerLease { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// A cache in front of a system of record: reads are read-through (a miss loads the value once in the whole cluster,
/// as <see cref="ICache.GetOrSetAsync{T}"/>, and caches it, a missing row as null), writes are write-through or
/// write-behind (<see cref="CacheStoreOptions.Mode"/>).
/// </summary>
public sealed class CacheStore<T>
{
    private readonly ICache _cache;
    private readonly ICacheLoader<T> _loader;
    private readonly ICacheWriter<T> _writer;
    private readonly CacheStoreOptions _options;
    private readonly ICacheSerializer _serializer;
    private readonly CacheAsideOptions _aside;

    /// <summary>A store over <paramref name="cache"/>; <paramref name="time"/> is the clock of the write-behind worker's waits.</summary>
    public CacheStore(ICache cache, ICacheLoader<T> loader, ICacheWriter<T> writer, CacheStoreOptions? options = null, TimeProvider? time = null)
    {
        _cache = cache;
        _loader = loader;
        _writer = writer;
        _options = options ?? new CacheStoreOptions();
        _serializer = _options.Serializer ?? new JsonCacheSerializer();
        _aside = new CacheAsideOptions { FillTimeout = _options.FillTimeout, Serializer = _serializer };
        if (_options.Mode == CacheWriteMode.WriteBehind) WriteBehind = new WriteBehindWorker<T>(cache, writer, _options, time);
    }

    /// <summary>The write-behind queue (null in write-through mode); run its worker with <see cref="WriteBehindWorker{T}.RunAsync"/>.</summary>
    public WriteBehindWorker<T>? WriteBehind { get; }

    /// <summary>
    /// The cached value of <paramref name="key"/>, or else the one the loader finds (then cached); null when the store has
    /// none. With write-behind, a write still queued for the key wins over the store, which does not have it yet.
    /// </summary>
    public Task<T?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        _cache.GetOrSetAsync(key, ct => LoadAsync(key, ct), _options.Ttl, _aside, cancellationToken);

    private async Task<T?> LoadAsync(string key, CancellationToken cancellationToken)
    {
        if (WriteBehind is { } queue && await queue.PendingAsync(key).ConfigureAwait(false) is (true, var value)) return value;
        return await _loader.LoadAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="value"/>: to the store then the cache (write-through), or to the cache and the queue (write-behind).</summary>
    public async Task SetAsync(string key, T value, CancellationToken cancellationToken = default)
    {
        var bytes = _serializer.Serialize(value);
        if (WriteBehind is { } queue)
        {
            await _cache.SetAsync(key, bytes, _options.Ttl, cancellationToken: cancellationToken).ConfigureAwait(false);
            await queue.EnqueueWriteAsync(key, bytes).ConfigureAwait(false);
            return;
        }
        await _writer.WriteAsync(key, value, cancellationToken).ConfigureAwait(false);
        await CacheAfterStoreAsync(key, () => _cache.SetAsync(key, bytes, _options.Ttl, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Removes <paramref name="key"/>: from the store then the cache (write-through), or from the cache and, through the queue, the store.</summary>
    public async Task RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        if (WriteBehind is { } queue)
        {
            await _cache.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            await queue.EnqueueDeleteAsync(key).ConfigureAwait(false);
            return;
        }
        await _writer.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        await CacheAfterStoreAsync(key, () => _cache.DeleteAsync(key, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The cache's half of a write the store took: if it fails, the key is dropped so no stale value stays cached.</summary>
    private async Task CacheAfterStoreAsync(string key, Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch
        {
            try { await _cache.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception) { /* the first failure is the one to report */ }
            throw;
        }
    }
}
