using System.Threading.RateLimiting;
using Orleans.Cache.Client;
using Orleans.Cache.Core;

namespace Orleans.Cache.AspNetCore;

/// <summary>What every Orleans.Cache rate limiter needs: the cache, and the clock its windows are measured on.</summary>
public abstract class CacheRateLimiterOptions
{
    /// <summary>The typed client the decisions run through (each one script in the partition of the limiter's key).</summary>
    public ICache Cache { get; set; } = null!;

    /// <summary>The clock; the system clock when null.</summary>
    public TimeProvider? Time { get; set; }
}

/// <summary>At most <see cref="PermitLimit"/> permits per <see cref="Window"/>; the window starts with its first permit.</summary>
public sealed class CacheFixedWindowRateLimiterOptions : CacheRateLimiterOptions
{
    /// <summary>Permits per window.</summary>
    public int PermitLimit { get; set; }

    /// <summary>The window's length.</summary>
    public TimeSpan Window { get; set; }
}

/// <summary>At most <see cref="PermitLimit"/> permits in any <see cref="Window"/> that ends now (a log of the permits given).</summary>
public sealed class CacheSlidingWindowRateLimiterOptions : CacheRateLimiterOptions
{
    /// <summary>Permits in any window.</summary>
    public int PermitLimit { get; set; }

    /// <summary>The window's length.</summary>
    public TimeSpan Window { get; set; }
}

/// <summary>A bucket of <see cref="TokenLimit"/> tokens, refilled by <see cref="TokensPerPeriod"/> every <see cref="ReplenishmentPeriod"/>.</summary>
public sealed class CacheTokenBucketRateLimiterOptions : CacheRateLimiterOptions
{
    /// <summary>The bucket's size (and its content when first used).</summary>
    public int TokenLimit { get; set; }

    /// <summary>Tokens added each period.</summary>
    public int TokensPerPeriod { get; set; }

    /// <summary>The refill period.</summary>
    public TimeSpan ReplenishmentPeriod { get; set; }
}

/// <summary>At most <see cref="PermitLimit"/> leases held at once; a lease not returned within <see cref="LeaseTimeout"/> is given back by itself.</summary>
public sealed class CacheConcurrencyRateLimiterOptions : CacheRateLimiterOptions
{
    /// <summary>Leases held at once.</summary>
    public int PermitLimit { get; set; }

    /// <summary>When a holder that never returned its lease (it died) stops counting. Default 5 minutes.</summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Orleans.Cache rate limiters for <see cref="PartitionedRateLimiter"/>: one per partition key, shared by every app instance.</summary>
public static class CacheRateLimitPartition
{
    /// <summary>A fixed-window limiter for <paramref name="partitionKey"/>.</summary>
    public static RateLimitPartition<TKey> GetFixedWindowLimiter<TKey>(TKey partitionKey, Func<TKey, CacheFixedWindowRateLimiterOptions> factory) =>
        RateLimitPartition.Get(partitionKey, key => new CacheRateLimiter(Key("fixed", key), factory(key)));

    /// <summary>A sliding-window limiter for <paramref name="partitionKey"/>.</summary>
    public static RateLimitPartition<TKey> GetSlidingWindowLimiter<TKey>(TKey partitionKey, Func<TKey, CacheSlidingWindowRateLimiterOptions> factory) =>
        RateLimitPartition.Get(partitionKey, key => new CacheRateLimiter(Key("sliding", key), factory(key)));

    /// <summary>A token-bucket limiter for <paramref name="partitionKey"/>.</summary>
    public static RateLimitPartition<TKey> GetTokenBucketLimiter<TKey>(TKey partitionKey, Func<TKey, CacheTokenBucketRateLimiterOptions> factory) =>
        RateLimitPartition.Get(partitionKey, key => new CacheRateLimiter(Key("bucket", key), factory(key)));

    /// <summary>A concurrency limiter for <paramref name="partitionKey"/>.</summary>
    public static RateLimitPartition<TKey> GetConcurrencyLimiter<TKey>(TKey partitionKey, Func<TKey, CacheConcurrencyRateLimiterOptions> factory) =>
        RateLimitPartition.Get(partitionKey, key => new CacheRateLimiter(Key("concurrency", key), factory(key)));

    private static string Key<TKey>(string kind, TKey key) => $"rate-limit:{kind}:{key}";
}

/// <summary>
/// One limiter: each decision is one script in the partition of its key, so every app instance and silo sees one count.
/// A refused lease says when to retry (<see cref="MetadataName.RetryAfter"/>) where the algorithm knows.
/// </summary>
internal sealed class CacheRateLimiter : RateLimiter
{
    // Every script: KEYS[1] the limiter's key; ARGV[1] permits asked, ARGV[2] now (Unix ms), then the algorithm's own.
    // It answers {1} when granted, {0, retry-after ms} when refused. Asked for 0, it grants when one is left and takes none.
    private const string FixedWindow = """
        local want, limit, window = tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local used = tonumber(redis.call('GET', KEYS[1]) or '0')
        if used + math.max(want, 1) > limit then return {0, redis.call('PTTL', KEYS[1])} end
        if want > 0 and redis.call('INCRBY', KEYS[1], want) == want then redis.call('PEXPIRE', KEYS[1], window) end
        return {1}
        """;

    // A sorted set of the permits given, scored by when; ARGV[5] names this request's permits.
    private const string SlidingWindow = """
        local want, now, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        local used = redis.call('ZCARD', KEYS[1])
        if used + math.max(want, 1) > limit then
          local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          return {0, oldest[2] and (tonumber(oldest[2]) + window - now) or window}
        end
        for i = 1, want do redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. i) end
        redis.call('PEXPIRE', KEYS[1], window)
        return {1}
        """;

    // A hash {tokens, at}: the tokens left, and the start of the current period.
    private const string TokenBucket = """
        local want, now, limit, per, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens, at = tonumber(s[1]), tonumber(s[2])
        if not tokens then tokens, at = limit, now end
        local periods = math.floor((now - at) / period)
        if periods > 0 then
          tokens = math.min(limit, tokens + periods * per)
          at = at + periods * period
        end
        local granted = tokens >= math.max(want, 1)
        if granted then tokens = tokens - want end
        redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', at)
        redis.call('PEXPIRE', KEYS[1], (math.ceil((limit - tokens) / per) + 1) * period)
        if granted then return {1} end
        return {0, math.ceil((math.max(want, 1) - tokens) / per) * period - (now - at)}
        """;

    // A sorted set of the leases held, scored by when each stops counting; ARGV[5] names this lease.
    private const string Concurrency = """
        local want, now, limit, timeout = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) + math.max(want, 1) > limit then return {0} end
        for i = 1, want do redis.call('ZADD', KEYS[1], now + timeout, ARGV[5] .. ':' .. i) end
        redis.call('PEXPIRE', KEYS[1], timeout)
        return {1}
        """;

    private const string ReturnLease = """
        for i = 1, tonumber(ARGV[1]) do redis.call('ZREM', KEYS[1], ARGV[2] .. ':' .. i) end
        return 1
        """;

    private readonly string _key, _script;
    private readonly ICache _cache;
    private readonly TimeProvider _time;
    private readonly int _limit;
    private readonly long[] _parameters;
    private readonly bool _leases;
    private long _idleSince;
    private long _granted, _refused;

    public CacheRateLimiter(string key, CacheFixedWindowRateLimiterOptions o)
        : this(key, o, FixedWindow, o.PermitLimit, [o.PermitLimit, Replies.Milliseconds(o.Window)]) { }

    public CacheRateLimiter(string key, CacheSlidingWindowRateLimiterOptions o)
        : this(key, o, SlidingWindow, o.PermitLimit, [o.PermitLimit, Replies.Milliseconds(o.Window)]) { }

    public CacheRateLimiter(string key, CacheTokenBucketRateLimiterOptions o)
        : this(key, o, TokenBucket, o.TokenLimit, [o.TokenLimit, o.TokensPerPeriod, Replies.Milliseconds(o.ReplenishmentPeriod)]) { }

    public CacheRateLimiter(string key, CacheConcurrencyRateLimiterOptions o)
        : this(key, o, Concurrency, o.PermitLimit, [o.PermitLimit, Replies.Milliseconds(o.LeaseTimeout)], leases: true) { }

    private CacheRateLimiter(string key, CacheRateLimiterOptions options, string script, int limit, long[] parameters, bool leases = false)
    {
        ArgumentNullException.ThrowIfNull(options.Cache);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(parameters[^1], 0);
        (_key, _cache, _time, _script, _limit, _parameters, _leases) = (key, options.Cache, options.Time ?? TimeProvider.System, script, limit, parameters, leases);
        _idleSince = _time.GetTimestamp();
    }

    public override TimeSpan? IdleDuration => _time.GetElapsedTime(Interlocked.Read(ref _idleSince));

    public override RateLimiterStatistics? GetStatistics() => new()
    {
        TotalSuccessfulLeases = Interlocked.Read(ref _granted),
        TotalFailedLeases = Interlocked.Read(ref _refused),
    };

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => AcquireAsyncCore(permitCount, default).AsTask().GetAwaiter().GetResult();

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _limit);
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Exchange(ref _idleSince, _time.GetTimestamp());
        string id = Guid.NewGuid().ToString("N");
        var args = new List<object> { _script, 1, _key, permitCount, _time.GetUtcNow().ToUnixTimeMilliseconds() };
        args.AddRange(_parameters.Cast<object>());
        args.Add(id);
        var items = (await _cache.ExecuteAsync("EVAL", [.. args]).ConfigureAwait(false)).Checked().Items!;
        if (items[0].Integer != 1)
        {
            Interlocked.Increment(ref _refused);
            return new Lease(false, items.Length > 1 ? TimeSpan.FromMilliseconds(Math.Max(0, items[1].Integer)) : null, null);
        }
        Interlocked.Increment(ref _granted);
        return new Lease(true, null, _leases && permitCount > 0 ? () => Return(id, permitCount) : null);
    }

    private async Task Return(string id, int count) => await _cache.ExecuteAsync("EVAL", ReturnLease, 1, _key, count, id).ConfigureAwait(false);

    private sealed class Lease(bool acquired, TimeSpan? retryAfter, Func<Task>? onDispose) : RateLimitLease
    {
        private Func<Task>? _onDispose = onDispose;

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }

        protected override void Dispose(bool disposing)
        {
            // A concurrency lease goes back to the cache; the call is not waited for (a lost one ends at its timeout).
            if (disposing) _ = Interlocked.Exchange(ref _onDispose, null)?.Invoke();
            base.Dispose(disposing);
        }
    }
}
