using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;
using Orleans.Cache.Client;
using Orleans.Cache.Core;

namespace Orleans.Cache.AspNetCore;

/// <summary>Options of the Orleans.Cache <see cref="IDistributedCache"/>.</summary>
public sealed class OrleansCacheDistributedCacheOptions
{
    /// <summary>A prefix for every key this cache writes (as RedisCacheOptions.InstanceName): apps sharing a cluster keep apart.</summary>
    public string? InstanceName { get; set; }
}

/// <summary>
/// <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/> on the typed client. An entry is a hash with
/// the fields Microsoft.Extensions.Caching.StackExchangeRedis writes (absexp and sldexp in ticks, -1 for none; data), so
/// an app on either can read what the other wrote. Every operation is one script in the key's partition: a read of a
/// sliding entry moves its expiry in the same step, never as a read followed by a write another client can slip between.
/// With <paramref name="reads"/> (HybridCache's L1 invalidation), a read during which its key changed reads again.
/// </summary>
internal sealed class DistributedCache(ICache cache, TimeProvider time, IOptions<OrleansCacheDistributedCacheOptions> options, KeyReads? reads = null)
    : IBufferDistributedCache
{
    private const long None = -1;
    private readonly string _prefix = options.Value.InstanceName ?? "";

    /// <summary>
    /// Set while HybridCache replays a tag invalidation another instance announced (<see cref="HybridCacheInvalidation"/>):
    /// its write of the tag's time to L2 is skipped — the announcing instance wrote it, and writing it again would be
    /// announced again, to every instance, forever.
    /// </summary>
    internal static readonly AsyncLocal<bool> ReplayingTagInvalidation = new();

    /// <summary>Reads that began before a change and ended after it, read again at most this many times.</summary>
    private const int RereadsAfterChange = 3;

    // KEYS[1] the entry; ARGV absexp, sldexp, data, then the expiry in milliseconds or -1. A new entry takes no TTL of the old.
    private const string SetScript = """
        redis.call('HSET', KEYS[1], 'absexp', ARGV[1], 'sldexp', ARGV[2], 'data', ARGV[3])
        if ARGV[4] ~= '-1' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) else redis.call('PERSIST', KEYS[1]) end
        return 1
        """;

    // KEYS[1] the entry; ARGV now in ticks, then '1' to answer the data (Get) or '0' (Refresh). A sliding entry's expiry
    // becomes the sliding window from now, cut at its absolute expiration; past that, the entry is gone.
    private const string GetScript = """
        local r = redis.call('HMGET', KEYS[1], 'absexp', 'sldexp', 'data')
        if not r[3] then return false end
        local abs, sld = tonumber(r[1]), tonumber(r[2])
        if sld and sld ~= -1 then
          local ttl = sld
          if abs and abs ~= -1 and abs - tonumber(ARGV[1]) < ttl then ttl = abs - tonumber(ARGV[1]) end
          local ms = math.floor(ttl / 10000)
          if ms <= 0 then
            redis.call('DEL', KEYS[1])
            return false
          end
          redis.call('PEXPIRE', KEYS[1], ms)
        end
        if ARGV[2] == '1' then return r[3] end
        return 1
        """;

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default) => (await Read(key, data: true, token).ConfigureAwait(false)).Bytes;

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public async Task RefreshAsync(string key, CancellationToken token = default) => await Read(key, data: false, token).ConfigureAwait(false);

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public Task RemoveAsync(string key, CancellationToken token = default) => cache.DeleteAsync(_prefix + key, token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        token.ThrowIfCancellationRequested();
        if (ReplayingTagInvalidation.Value) return;
        var now = time.GetUtcNow();
        var absolute = Absolute(options, now);
        long sliding = options.SlidingExpiration?.Ticks ?? None;
        TimeSpan? ttl = absolute - now;
        if (options.SlidingExpiration is { } window && (ttl is null || window < ttl)) ttl = window;
        long ms = ttl is { } t ? Replies.Milliseconds(t) : None;
        (await cache.ExecuteAsync("EVAL", SetScript, 1, _prefix + key, absolute?.UtcTicks ?? None, sliding, value, ms).ConfigureAwait(false)).Checked();
    }

    public bool TryGet(string key, IBufferWriter<byte> destination) => TryGetAsync(key, destination).AsTask().GetAwaiter().GetResult();

    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        if ((await Read(key, data: true, token).ConfigureAwait(false)).Bytes is not { } data) return false;
        destination.Write(data);
        return true;
    }

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) => Set(key, value.ToArray(), options);

    public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        new(SetAsync(key, value.ToArray(), options, token));

    private async Task<Reply> Read(string key, bool data, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(key);
        token.ThrowIfCancellationRequested();
        string entry = _prefix + key;
        if (reads is null) return await ReadOnce(entry, data).ConfigureAwait(false);
        for (int reread = 0; ; reread++)
        {
            var read = reads.Begin(entry);
            Reply reply;
            try { reply = await ReadOnce(entry, data).ConfigureAwait(false); }
            finally { reads.End(read); }
            if (!read.Changed || reread == RereadsAfterChange) return reply;
        }
    }

    private async Task<Reply> ReadOnce(string entry, bool data) =>
        (await cache.ExecuteAsync("EVAL", GetScript, 1, entry, time.GetUtcNow().UtcTicks, data ? "1" : "0").ConfigureAwait(false)).Checked();

    /// <summary>The absolute expiration of an entry set now, as RedisCache computes it (one in the past is refused).</summary>
    private static DateTimeOffset? Absolute(DistributedCacheEntryOptions options, DateTimeOffset now)
    {
        if (options.AbsoluteExpiration is { } at && at <= now)
            throw new ArgumentOutOfRangeException(nameof(options), at, "The absolute expiration value must be in the future.");
        return options.AbsoluteExpirationRelativeToNow is { } relative ? now + relative : options.AbsoluteExpiration;
    }
}
