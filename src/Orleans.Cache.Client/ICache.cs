using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

/// <summary>When a write applies, as SET's NX / XX.</summary>
public enum When { Always, NotExists, Exists }

/// <summary>EXPIRE's conditions (Redis 7): NX, XX, GT, LT.</summary>
public enum ExpireWhen { Always, HasNoExpiry, HasExpiry, GreaterThanCurrent, LessThanCurrent }

/// <summary>Typed commands for strings, counters, keys and TTLs. Keys are UTF-8 strings; values are bytes or UTF-8 strings.</summary>
public partial interface ICacheCommands
{
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);
    Task<string?> GetStringAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>SET; returns false when <paramref name="when"/> prevented the write.</summary>
    Task<bool> SetAsync(string key, byte[] value, TimeSpan? expiry = null, When when = When.Always, bool keepTtl = false, CancellationToken cancellationToken = default);
    Task<bool> SetAsync(string key, string value, TimeSpan? expiry = null, When when = When.Always, bool keepTtl = false, CancellationToken cancellationToken = default);
    Task<byte[]?> GetSetAsync(string key, byte[] value, CancellationToken cancellationToken = default);
    Task<byte[]?> GetDeleteAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>GETEX: reads the value and sets its TTL (or removes it with <paramref name="persist"/>).</summary>
    Task<byte[]?> GetWithExpiryAsync(string key, TimeSpan? expiry, bool persist = false, CancellationToken cancellationToken = default);
    Task<byte[]?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);
    Task SetManyAsync(IEnumerable<KeyValuePair<string, byte[]>> values, CancellationToken cancellationToken = default);
    /// <summary>MSETNX: all keys must share a hash slot (use a {hash tag}).</summary>
    Task<bool> SetManyIfNoneExistAsync(IEnumerable<KeyValuePair<string, byte[]>> values, CancellationToken cancellationToken = default);
    Task<long> IncrementAsync(string key, long by = 1, CancellationToken cancellationToken = default);
    Task<long> DecrementAsync(string key, long by = 1, CancellationToken cancellationToken = default);
    Task<double> IncrementAsync(string key, double by, CancellationToken cancellationToken = default);
    Task<long> AppendAsync(string key, byte[] value, CancellationToken cancellationToken = default);
    Task<long> StringLengthAsync(string key, CancellationToken cancellationToken = default);
    Task<byte[]> GetRangeAsync(string key, long start, long end, CancellationToken cancellationToken = default);
    Task<long> SetRangeAsync(string key, long offset, byte[] value, CancellationToken cancellationToken = default);

    Task<long> DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);
    Task<long> ExistsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);
    Task<long> TouchAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);
    /// <summary>TYPE: "none", "string", "hash", …</summary>
    Task<string> TypeAsync(string key, CancellationToken cancellationToken = default);
    Task<bool> ExpireAsync(string key, TimeSpan ttl, ExpireWhen when = ExpireWhen.Always, CancellationToken cancellationToken = default);
    Task<bool> ExpireAtAsync(string key, DateTimeOffset at, ExpireWhen when = ExpireWhen.Always, CancellationToken cancellationToken = default);
    /// <summary>PTTL: null when the key is missing or has no TTL.</summary>
    Task<TimeSpan?> TimeToLiveAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>PEXPIRETIME: null when the key is missing or has no TTL.</summary>
    Task<DateTimeOffset?> ExpireTimeAsync(string key, CancellationToken cancellationToken = default);
    Task<bool> PersistAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>RENAME: both keys must share a hash slot.</summary>
    Task RenameAsync(string key, string newKey, CancellationToken cancellationToken = default);
    Task<bool> RenameIfAbsentAsync(string key, string newKey, CancellationToken cancellationToken = default);
    Task<bool> CopyAsync(string source, string destination, bool replace = false, CancellationToken cancellationToken = default);

    /// <summary>Runs any data command, e.g. <c>ExecuteAsync("HSET", "h", "f", "v")</c>; arguments are strings, byte[] or numbers.</summary>
    Task<Reply> ExecuteAsync(string command, params object[] args);
}

/// <summary>The Orleans.Cache client: typed commands, whole-keyspace operations and batches.</summary>
public interface ICache : ICacheCommands
{
    /// <summary>A batch: commands queued on it are sent together (grouped per partition) by <see cref="ICacheBatch.ExecuteAsync"/>.</summary>
    ICacheBatch CreateBatch();

    /// <summary>
    /// A transaction (MULTI/EXEC): commands queued on it run atomically in one partition when <see cref="ICacheTransaction.ExecuteAsync"/>
    /// finds every condition holding; their keys must share a hash slot.
    /// </summary>
    ICacheTransaction CreateTransaction();

    /// <summary>Every key matching <paramref name="pattern"/>, page by page with SCAN (safe on big keyspaces).</summary>
    IAsyncEnumerable<string> ScanAsync(string pattern = "*", int pageSize = 250, string? type = null, CancellationToken cancellationToken = default);
    Task<long> CountAsync(CancellationToken cancellationToken = default);
    Task<string?> RandomKeyAsync(CancellationToken cancellationToken = default);
    Task FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Commands queued on a batch return tasks that complete after <see cref="ExecuteAsync"/>; the commands for one
/// partition run in the order they were queued.
/// </summary>
public interface ICacheBatch : ICacheCommands
{
    Task ExecuteAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Commands queued on a transaction return tasks that complete once it committed, or are cancelled when a condition
/// failed or a watched key changed (then <see cref="ExecuteAsync"/> answers false and nothing ran).
/// </summary>
public interface ICacheTransaction : ICacheCommands
{
    /// <summary>A condition checked (and its key watched) before the commands run.</summary>
    void AddCondition(CacheCondition condition);

    /// <summary>Commits: true when the commands ran, false when a condition failed or a watched key changed.</summary>
    Task<bool> ExecuteAsync(CancellationToken cancellationToken = default);
}

/// <summary>An error reply from the cache (e.g. WRONGTYPE, CROSSSLOT).</summary>
public sealed class CacheException(string message) : Exception(message);
