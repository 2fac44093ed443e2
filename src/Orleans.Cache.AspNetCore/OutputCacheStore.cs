using Microsoft.AspNetCore.OutputCaching;
using Orleans.Cache.Client;
using Orleans.Cache.Core;

namespace Orleans.Cache.AspNetCore;

/// <summary>
/// <see cref="IOutputCacheStore"/> on the typed client: a response is a string key that expires after its validFor; a
/// tag is a sorted set of the keys tagged with it, scored by when each expires, so eviction by tag deletes the live ones
/// and the set sheds expired members as it is written.
/// </summary>
internal sealed class OutputCacheStore(ICache cache, TimeProvider time, string prefix) : IOutputCacheStore
{
    // KEYS[1] the tag's set; ARGV the entry's key, when it expires (Unix ms), now (Unix ms), its validFor (ms). The set
    // lives as long as its longest-lived entry.
    private const string TagScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl == -1 or ttl < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
        return 1
        """;

    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tag);
        string set = TagKey(tag);
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var keys = (await cache.ExecuteAsync("ZRANGE", set, now, "+inf", "BYSCORE").ConfigureAwait(false)).Checked().Items ?? [];
        if (keys.Length > 0) await cache.DeleteAsync([.. keys.Select(k => k.Text!)], cancellationToken).ConfigureAwait(false);
        await cache.DeleteAsync(set, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return await cache.GetAsync(EntryKey(key), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        string entry = EntryKey(key);
        long ms = Replies.Milliseconds(validFor);
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // Tags first: an entry is never live without being findable by its tags.
        foreach (var tag in tags ?? [])
            (await cache.ExecuteAsync("EVAL", TagScript, 1, TagKey(tag), entry, now + ms, now, ms).ConfigureAwait(false)).Checked();
        await cache.SetAsync(entry, value, TimeSpan.FromMilliseconds(ms), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private string EntryKey(string key) => prefix + "oc:" + key;

    private string TagKey(string tag) => prefix + "oc-tag:" + tag;
}
