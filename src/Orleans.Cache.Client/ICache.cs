using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

/// <summary>When a write applies, as SET's NX / XX.</summary>
public enum When
{
    /// <summary>Whether or not the key exists.</summary>
    Always,
    /// <summary>Only when the key does not exist (NX).</summary>
    NotExists,
    /// <summary>Only when the key exists (XX).</summary>
    Exists,
}

/// <summary>EXPIRE's conditions (Redis 7): NX, XX, GT, LT.</summary>
public enum ExpireWhen
{
    /// <summary>Whatever TTL the key has.</summary>
    Always,
    /// <summary>Only when the key has no TTL (NX).</summary>
    HasNoExpiry,
    /// <summary>Only when the key has a TTL (XX).</summary>
    HasExpiry,
    /// <summary>Only when the new expiry is later than the current one (GT; no TTL counts as infinite).</summary>
    GreaterThanCurrent,
    /// <summary>Only when the new expiry is earlier than the current one (LT; no TTL counts as infinite).</summary>
    LessThanCurrent,
}

/// <summary>Typed commands for strings, counters, keys and TTLs. Keys are UTF-8 strings; values are bytes or UTF-8 strings.</summary>
public partial interface ICacheCommands
{
    /// <summary>GET: the value, or null when the key is missing.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>GET as UTF-8 text, or null when the key is missing.</summary>
    Task<string?> GetStringAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>SET; returns false when <paramref name="when"/> prevented the write.</summary>
    Task<bool> SetAsync(string key, byte[] value, TimeSpan? expiry = null, When when = When.Always, bool keepTtl = false, CancellationToken cancellationToken = default);
    /// <summary>SET of <paramref name="value"/>'s UTF-8 bytes; returns false when <paramref name="when"/> prevented the write.</summary>
    Task<bool> SetAsync(string key, string value, TimeSpan? expiry = null, When when = When.Always, bool keepTtl = false, CancellationToken cancellationToken = default);
    /// <summary>GETSET: sets the value and returns the old one (null when the key was missing).</summary>
    Task<byte[]?> GetSetAsync(string key, byte[] value, CancellationToken cancellationToken = default);
    /// <summary>GETDEL: the value (null when missing), and the key deleted.</summary>
    Task<byte[]?> GetDeleteAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>GETEX: reads the value and sets its TTL (or removes it with <paramref name="persist"/>).</summary>
    Task<byte[]?> GetWithExpiryAsync(string key, TimeSpan? expiry, bool persist = false, CancellationToken cancellationToken = default);
    /// <summary>MGET: one value per key, in order, null where a key is missing (keys may be in any slot).</summary>
    Task<byte[]?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);
    /// <summary>MSET: sets every key (keys may be in any slot).</summary>
    Task SetManyAsync(IEnumerable<KeyValuePair<string, byte[]>> values, CancellationToken cancellationToken = default);
    /// <summary>MSETNX: all keys must share a hash slot (use a {hash tag}).</summary>
    Task<bool> SetManyIfNoneExistAsync(IEnumerable<KeyValuePair<string, byte[]>> values, CancellationToken cancellationToken = default);
    /// <summary>INCRBY: the value after adding <paramref name="by"/> (a missing key counts as 0).</summary>
    Task<long> IncrementAsync(string key, long by = 1, CancellationToken cancellationToken = default);
    /// <summary>DECRBY: the value after subtracting <paramref name="by"/> (a missing key counts as 0).</summary>
    Task<long> DecrementAsync(string key, long by = 1, CancellationToken cancellationToken = default);
    /// <summary>INCRBYFLOAT: the value after adding <paramref name="by"/>.</summary>
    Task<double> IncrementAsync(string key, double by, CancellationToken cancellationToken = default);
    /// <summary>APPEND: the length of the string after appending.</summary>
    Task<long> AppendAsync(string key, byte[] value, CancellationToken cancellationToken = default);
    /// <summary>STRLEN: the length of the value, 0 when the key is missing.</summary>
    Task<long> StringLengthAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>GETRANGE: the bytes from <paramref name="start"/> to <paramref name="end"/> inclusive (negative counts from the end).</summary>
    Task<byte[]> GetRangeAsync(string key, long start, long end, CancellationToken cancellationToken = default);
    /// <summary>SETRANGE: overwrites from <paramref name="offset"/>; returns the new length.</summary>
    Task<long> SetRangeAsync(string key, long offset, byte[] value, CancellationToken cancellationToken = default);

    /// <summary>DEL: how many of the keys existed and were deleted.</summary>
    Task<long> DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);
    /// <summary>DEL: whether the key existed and was deleted.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>EXISTS: how many of the keys exist.</summary>
    Task<long> ExistsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);
    /// <summary>EXISTS: whether the key exists.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>TOUCH: how many of the keys exist (their last access time is updated).</summary>
    Task<long> TouchAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);
    /// <summary>TYPE: "none", "string", "hash", …</summary>
    Task<string> TypeAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>PEXPIRE: true when the TTL was set, false when the key is missing or <paramref name="when"/> was not met.</summary>
    Task<bool> ExpireAsync(string key, TimeSpan ttl, ExpireWhen when = ExpireWhen.Always, CancellationToken cancellationToken = default);
    /// <summary>PEXPIREAT: true when the expiry time was set, false when the key is missing or <paramref name="when"/> was not met.</summary>
    Task<bool> ExpireAtAsync(string key, DateTimeOffset at, ExpireWhen when = ExpireWhen.Always, CancellationToken cancellationToken = default);
    /// <summary>PTTL: null when the key is missing or has no TTL.</summary>
    Task<TimeSpan?> TimeToLiveAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>PEXPIRETIME: null when the key is missing or has no TTL.</summary>
    Task<DateTimeOffset?> ExpireTimeAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>PERSIST: true when the key had a TTL and it was removed.</summary>
    Task<bool> PersistAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>RENAME: both keys must share a hash slot.</summary>
    Task RenameAsync(string key, string newKey, CancellationToken cancellationToken = default);
    /// <summary>RENAMENX: false when <paramref name="newKey"/> exists; both keys must share a hash slot.</summary>
    Task<bool> RenameIfAbsentAsync(string key, string newKey, CancellationToken cancellationToken = default);
    /// <summary>COPY: false when nothing was copied (source missing, or destination exists without <paramref name="replace"/>).</summary>
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

    /// <summary>
    /// Cache-aside with stampede protection: the value at <paramref name="key"/>, or else the one <paramref name="factory"/>
    /// makes, stored for <paramref name="ttl"/>. While a key is missing, one caller in the whole cluster runs the factory
    /// and every other caller waits for its value (up to <see cref="CacheAsideOptions.FillTimeout"/>, then runs it too).
    /// </summary>
    Task<T> GetOrSetAsync<T>(string key, Func<CancellationToken, Task<T>> factory, TimeSpan ttl, CacheAsideOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Every key matching <paramref name="pattern"/>, page by page with SCAN (safe on big keyspaces).</summary>
    IAsyncEnumerable<string> ScanAsync(string pattern = "*", int pageSize = 250, string? type = null, CancellationToken cancellationToken = default);
    /// <summary>DBSIZE: how many keys the cache holds.</summary>
    Task<long> CountAsync(CancellationToken cancellationToken = default);
    /// <summary>RANDOMKEY: some key, or null when the cache is empty.</summary>
    Task<string?> RandomKeyAsync(CancellationToken cancellationToken = default);
    /// <summary>FLUSHDB: deletes every key.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Commands queued on a batch return tasks that complete after <see cref="ExecuteAsync"/>; the commands for one
/// partition run in the order they were queued.
/// </summary>
public interface ICacheBatch : ICacheCommands
{
    /// <summary>Sends the queued commands; their tasks complete as their replies arrive.</summary>
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
