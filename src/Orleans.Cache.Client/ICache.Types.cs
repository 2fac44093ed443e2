namespace Orleans.Cache.Client;

/// <summary>An element of a sorted set with its score.</summary>
public readonly record struct ScoredMember(string Member, double Score);

/// <summary>Typed commands for hashes, lists, sets and sorted sets (session objects, queues, tags, leaderboards).</summary>
public partial interface ICacheCommands
{
    /// <summary>HSET: returns how many fields were added (not updated).</summary>
    Task<long> HashSetAsync(string key, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken cancellationToken = default);
    Task<string?> HashGetAsync(string key, string field, CancellationToken cancellationToken = default);
    Task<Dictionary<string, string>> HashGetAllAsync(string key, CancellationToken cancellationToken = default);
    Task<long> HashDeleteAsync(string key, IReadOnlyList<string> fields, CancellationToken cancellationToken = default);
    Task<long> HashIncrementAsync(string key, string field, long by = 1, CancellationToken cancellationToken = default);

    /// <summary>LPUSH (left) or RPUSH; returns the new length.</summary>
    Task<long> ListPushAsync(string key, IReadOnlyList<string> values, bool left = false, CancellationToken cancellationToken = default);
    /// <summary>LPOP (left) or RPOP; null when the list is empty.</summary>
    Task<string?> ListPopAsync(string key, bool left = true, CancellationToken cancellationToken = default);
    /// <summary>BLPOP / BRPOP on one key: waits up to <paramref name="timeout"/> (null = forever) for an element.</summary>
    Task<string?> ListBlockingPopAsync(string key, TimeSpan? timeout, bool left = true, CancellationToken cancellationToken = default);
    Task<string[]> ListRangeAsync(string key, long start = 0, long stop = -1, CancellationToken cancellationToken = default);
    Task<long> ListLengthAsync(string key, CancellationToken cancellationToken = default);

    Task<long> SetAddAsync(string key, IReadOnlyList<string> members, CancellationToken cancellationToken = default);
    Task<long> SetRemoveAsync(string key, IReadOnlyList<string> members, CancellationToken cancellationToken = default);
    Task<bool> SetContainsAsync(string key, string member, CancellationToken cancellationToken = default);
    Task<string[]> SetMembersAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>ZADD; returns how many members were added.</summary>
    Task<long> SortedSetAddAsync(string key, IEnumerable<ScoredMember> members, CancellationToken cancellationToken = default);
    Task<double> SortedSetIncrementAsync(string key, string member, double by, CancellationToken cancellationToken = default);
    Task<double?> SortedSetScoreAsync(string key, string member, CancellationToken cancellationToken = default);
    /// <summary>ZRANK / ZREVRANK (descending): 0-based, null when the member is absent.</summary>
    Task<long?> SortedSetRankAsync(string key, string member, bool descending = false, CancellationToken cancellationToken = default);
    /// <summary>ZRANGE … WITHSCORES by rank (REV when <paramref name="descending"/>): a leaderboard page.</summary>
    Task<ScoredMember[]> SortedSetRangeAsync(string key, long start, long stop, bool descending = false, CancellationToken cancellationToken = default);
}
