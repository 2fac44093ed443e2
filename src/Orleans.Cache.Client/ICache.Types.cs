namespace Orleans.Cache.Client;

/// <summary>An element of a sorted set with its score.</summary>
public readonly record struct ScoredMember(string Member, double Score);

/// <summary>Typed commands for hashes, lists, sets and sorted sets (session objects, queues, tags, leaderboards).</summary>
public partial interface ICacheCommands
{
    /// <summary>HSET: returns how many fields were added (not updated).</summary>
    Task<long> HashSetAsync(string key, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken cancellationToken = default);
    /// <summary>HGET: the field's value, or null when the key or field is missing.</summary>
    Task<string?> HashGetAsync(string key, string field, CancellationToken cancellationToken = default);
    /// <summary>HGETALL: every field and value (empty when the key is missing).</summary>
    Task<Dictionary<string, string>> HashGetAllAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>HDEL: how many of the fields existed and were removed.</summary>
    Task<long> HashDeleteAsync(string key, IReadOnlyList<string> fields, CancellationToken cancellationToken = default);
    /// <summary>HINCRBY: the field's value after adding <paramref name="by"/>.</summary>
    Task<long> HashIncrementAsync(string key, string field, long by = 1, CancellationToken cancellationToken = default);

    /// <summary>LPUSH (left) or RPUSH; returns the new length.</summary>
    Task<long> ListPushAsync(string key, IReadOnlyList<string> values, bool left = false, CancellationToken cancellationToken = default);
    /// <summary>LPOP (left) or RPOP; null when the list is empty.</summary>
    Task<string?> ListPopAsync(string key, bool left = true, CancellationToken cancellationToken = default);
    /// <summary>BLPOP / BRPOP on one key: waits up to <paramref name="timeout"/> (null = forever) for an element.</summary>
    Task<string?> ListBlockingPopAsync(string key, TimeSpan? timeout, bool left = true, CancellationToken cancellationToken = default);
    /// <summary>LRANGE: the elements from <paramref name="start"/> to <paramref name="stop"/> inclusive (negative counts from the end).</summary>
    Task<string[]> ListRangeAsync(string key, long start = 0, long stop = -1, CancellationToken cancellationToken = default);
    /// <summary>LLEN: the list's length, 0 when the key is missing.</summary>
    Task<long> ListLengthAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>SADD: how many members were added (not already present).</summary>
    Task<long> SetAddAsync(string key, IReadOnlyList<string> members, CancellationToken cancellationToken = default);
    /// <summary>SREM: how many members were present and removed.</summary>
    Task<long> SetRemoveAsync(string key, IReadOnlyList<string> members, CancellationToken cancellationToken = default);
    /// <summary>SISMEMBER: whether <paramref name="member"/> is in the set.</summary>
    Task<bool> SetContainsAsync(string key, string member, CancellationToken cancellationToken = default);
    /// <summary>SMEMBERS: every member, in no particular order.</summary>
    Task<string[]> SetMembersAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>ZADD; returns how many members were added.</summary>
    Task<long> SortedSetAddAsync(string key, IEnumerable<ScoredMember> members, CancellationToken cancellationToken = default);
    /// <summary>ZINCRBY: the member's score after adding <paramref name="by"/>.</summary>
    Task<double> SortedSetIncrementAsync(string key, string member, double by, CancellationToken cancellationToken = default);
    /// <summary>ZSCORE: the member's score, or null when it is absent.</summary>
    Task<double?> SortedSetScoreAsync(string key, string member, CancellationToken cancellationToken = default);
    /// <summary>ZRANK / ZREVRANK (descending): 0-based, null when the member is absent.</summary>
    Task<long?> SortedSetRankAsync(string key, string member, bool descending = false, CancellationToken cancellationToken = default);
    /// <summary>ZRANGE … WITHSCORES by rank (REV when <paramref name="descending"/>): a leaderboard page.</summary>
    Task<ScoredMember[]> SortedSetRangeAsync(string key, long start, long stop, bool descending = false, CancellationToken cancellationToken = default);
}
