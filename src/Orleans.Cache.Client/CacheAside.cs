using System.Collections.Concurrent;
using System.Text.Json;
using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

/// <summary>Turns the values of <see cref="ICache.GetOrSetAsync{T}"/> into bytes and back.</summary>
public interface ICacheSerializer
{
    /// <summary>The bytes stored for <paramref name="value"/>.</summary>
    byte[] Serialize<T>(T value);

    /// <summary>The value stored as <paramref name="bytes"/>.</summary>
    T Deserialize<T>(byte[] bytes);
}

/// <summary>System.Text.Json, the default <see cref="ICacheSerializer"/>.</summary>
public sealed class JsonCacheSerializer(JsonSerializerOptions? options = null) : ICacheSerializer
{
    /// <inheritdoc/>
    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, options);

    /// <inheritdoc/>
    public T Deserialize<T>(byte[] bytes) => JsonSerializer.Deserialize<T>(bytes, options)!;
}

/// <summary>How <see cref="ICache.GetOrSetAsync{T}"/> fills a missing key.</summary>
public sealed class CacheAsideOptions
{
    /// <summary>
    /// How long one caller may take to fill a key while every other caller, on any silo, waits for its value; after that
    /// a waiter calls the factory itself (a filler that died or hangs does not stall the key). Default 10 s.
    /// </summary>
    public TimeSpan FillTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The serializer of the values; System.Text.Json when null.</summary>
    public ICacheSerializer? Serializer { get; set; }
}

/// <summary>
/// Cache-aside with stampede protection: in this process, callers of one key share one fill; across the cluster, the
/// fill is a lease (SET NX PX) on a companion key, so one caller in the whole cluster runs the factory while the others
/// poll the key with a back-off until the value is there.
/// </summary>
internal sealed class CacheAside(ICacheCommands cache, TimeProvider time)
{
    private static readonly ICacheSerializer Json = new JsonCacheSerializer();
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromMilliseconds(5), MaxBackOff = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> _fills = new();

    // Frees the lease only if it is still this filler's.
    private const string ReleaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    public async Task<T> GetOrSetAsync<T>(string key, Func<CancellationToken, Task<T>> factory, TimeSpan ttl, CacheAsideOptions? options, CancellationToken cancellationToken)
    {
        var serializer = options?.Serializer ?? Json;
        if (await cache.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } hit) return serializer.Deserialize<T>(hit);
        T? made = default;
        bool madeHere = false;
        var fill = _fills.GetOrAdd(key, k => new Lazy<Task<byte[]>>(() => Fill(k, async ct =>
        {
            made = await factory(ct).ConfigureAwait(false);
            madeHere = true;
            return serializer.Serialize(made);
        }, ttl, options?.FillTimeout ?? TimeSpan.FromSeconds(10), cancellationToken)));
        try
        {
            var bytes = await fill.Value.ConfigureAwait(false);
            return madeHere ? made! : serializer.Deserialize<T>(bytes);
        }
        finally
        {
            _fills.TryRemove(new KeyValuePair<string, Lazy<Task<byte[]>>>(key, fill));
        }
    }

    private async Task<byte[]> Fill(string key, Func<CancellationToken, Task<byte[]>> make, TimeSpan ttl, TimeSpan fillTimeout, CancellationToken cancellationToken)
    {
        string lease = "__fill:" + key, holder = Guid.NewGuid().ToString("N");
        long started = time.GetTimestamp();
        var backOff = FirstBackOff;
        while (true)
        {
            if (await cache.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } hit) return hit;
            bool mine = time.GetElapsedTime(started) >= fillTimeout ||
                await cache.SetAsync(lease, holder, fillTimeout, When.NotExists, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (mine)
            {
                try
                {
                    var bytes = await make(cancellationToken).ConfigureAwait(false);
                    await cache.SetAsync(key, bytes, ttl, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return bytes;
                }
                finally
                {
                    await cache.ExecuteAsync("EVAL", ReleaseScript, 1, lease, holder).ConfigureAwait(false);
                }
            }
            await Task.Delay(backOff, time, cancellationToken).ConfigureAwait(false);
            backOff = backOff * 2 < MaxBackOff ? backOff * 2 : MaxBackOff;
        }
    }
}
