namespace Orleans.Cache.Core;

/// <summary>Redis 7's maxmemory-policy values.</summary>
internal enum EvictionPolicy
{
    NoEviction,
    AllKeysLru,
    AllKeysLfu,
    AllKeysRandom,
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
}

/// <summary>
/// The parameters of eviction (maxmemory, maxmemory-policy, maxmemory-samples, maxmemory-eviction-tenacity,
/// lfu-log-factor, lfu-decay-time), with config.c's defaults. maxmemory is per silo; the rest act in each partition.
/// </summary>
internal sealed record EvictionSettings(long MaxMemory = 0, EvictionPolicy Policy = EvictionPolicy.NoEviction, int Samples = 5,
    int Tenacity = 10, int LfuLogFactor = 10, int LfuDecayTime = 1)
{
    public static readonly EvictionSettings Default = new();

    /// <summary>The parameters these settings come from (a CONFIG SET of one of them is pushed to the partitions).</summary>
    public static readonly string[] Parameters =
        ["maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "lfu-log-factor", "lfu-decay-time"];

    public bool Lfu => Policy is EvictionPolicy.AllKeysLfu or EvictionPolicy.VolatileLfu;

    public bool VolatileOnly => Policy is EvictionPolicy.VolatileLru or EvictionPolicy.VolatileLfu or EvictionPolicy.VolatileRandom or EvictionPolicy.VolatileTtl;

    /// <summary>The settings as <paramref name="config"/> has them.</summary>
    public static EvictionSettings From(Func<string, string?> config)
    {
        long Read(string name, long fallback) => long.TryParse(config(name), out long v) ? v : fallback;
        return new EvictionSettings(Read("maxmemory", 0), ParsePolicy(config("maxmemory-policy")), (int)Read("maxmemory-samples", 5),
            (int)Read("maxmemory-eviction-tenacity", 10), (int)Read("lfu-log-factor", 10), (int)Read("lfu-decay-time", 1));
    }

    public static EvictionPolicy ParsePolicy(string? name) => name?.ToLowerInvariant() switch
    {
        "allkeys-lru" => EvictionPolicy.AllKeysLru,
        "allkeys-lfu" => EvictionPolicy.AllKeysLfu,
        "allkeys-random" => EvictionPolicy.AllKeysRandom,
        "volatile-lru" => EvictionPolicy.VolatileLru,
        "volatile-lfu" => EvictionPolicy.VolatileLfu,
        "volatile-random" => EvictionPolicy.VolatileRandom,
        "volatile-ttl" => EvictionPolicy.VolatileTtl,
        _ => EvictionPolicy.NoEviction,
    };

    /// <summary>
    /// How long one eviction may run before the command goes ahead anyway (Redis's evictionTimeLimitUs): 50 µs per step
    /// of tenacity up to 10 (500 µs), then 15% more per step, unlimited at 100.
    /// </summary>
    public TimeSpan TimeLimit => Tenacity <= 10 ? TimeSpan.FromMicroseconds(50 * Tenacity)
        : Tenacity < 100 ? TimeSpan.FromMicroseconds(500 * Math.Pow(1.15, Tenacity - 10)) : TimeSpan.MaxValue;
}

/// <summary>
/// The memory of one silo: the sum of the estimates its partitions publish (see <see cref="Keyspace.UsedMemory"/>), its
/// peak, and the silo's maxmemory. Shared by the partitions of a silo; thread-safe. Partitions publish their changes in
/// batches (when maxmemory is set: before every write that may grow memory, and after every batch), so the sum costs one
/// interlocked add per batch, not one per write.
/// </summary>
internal sealed class SiloMemory
{
    private long _used, _peak;

    /// <summary>maxmemory in bytes; 0: unlimited (and no eviction work at all).</summary>
    public long MaxMemory;

    /// <summary>The published estimate of every partition of the silo.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>The highest <see cref="Used"/> seen (INFO's <c>used_memory_peak</c>).</summary>
    public long Peak => Math.Max(Volatile.Read(ref _peak), Used);

    public void Add(long delta)
    {
        long now = Interlocked.Add(ref _used, delta);
        long peak = Volatile.Read(ref _peak);
        while (now > peak)
        {
            long seen = Interlocked.CompareExchange(ref _peak, now, peak);
            if (seen == peak) break;
            peak = seen;
        }
    }
}
