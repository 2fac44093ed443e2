using Orleans.Cache.Client;
using Orleans.Cache.Core;

namespace Orleans.Cache.AspNetCore;

/// <summary>
/// Leases on named resources, one holder at a time cluster-wide. A lease ends when it is released or when its time runs
/// out (a holder that died frees the resource by itself); each lease carries a fencing token, larger than every token
/// given for the resource before, so a store that remembers the largest token it saw can refuse a holder whose lease
/// ran out while it was paused.
/// </summary>
public sealed class CacheLocks
{
    private readonly ICache _cache;
    private readonly TimeProvider _time;

    /// <summary>Leases through <paramref name="cache"/>; waits for a busy resource on <paramref name="time"/> (the system clock when null).</summary>
    public CacheLocks(ICache cache, TimeProvider? time = null) => (_cache, _time) = (cache, time ?? TimeProvider.System);

    // KEYS: the lock, its fencing counter (one hash tag: one partition). ARGV: the holder's token, the lease in ms.
    private const string AcquireScript = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('INCR', KEYS[2]) end
        return false
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private const string ExtendScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """;

    private static readonly TimeSpan FirstBackOff = TimeSpan.FromMilliseconds(10), MaxBackOff = TimeSpan.FromMilliseconds(500);

    /// <summary>Takes the lease on <paramref name="resource"/> for <paramref name="lease"/>, or null at once when another holds it.</summary>
    public async Task<CacheLockLease?> TryAcquireAsync(string resource, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        var (key, fence) = Keys(resource);
        string holder = Guid.NewGuid().ToString("N");
        var reply = (await _cache.ExecuteAsync("EVAL", AcquireScript, 2, key, fence, holder, Replies.Milliseconds(lease)).ConfigureAwait(false)).Checked();
        return reply.Kind == ReplyKind.Integer ? new CacheLockLease(this, resource, holder, reply.Integer) : null;
    }

    /// <summary>
    /// Takes the lease, waiting while another holds it (retrying with a back-off from 10 ms to 500 ms); throws
    /// <see cref="TimeoutException"/> when <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<CacheLockLease> AcquireAsync(string resource, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        long start = _time.GetTimestamp();
        var backOff = FirstBackOff;
        while (true)
        {
            if (await TryAcquireAsync(resource, lease, cancellationToken).ConfigureAwait(false) is { } acquired) return acquired;
            var left = timeout - _time.GetElapsedTime(start);
            if (left <= TimeSpan.Zero) throw new TimeoutException($"The lock on '{resource}' was not free within {timeout}.");
            await Task.Delay(backOff < left ? backOff : left, _time, cancellationToken).ConfigureAwait(false);
            backOff = backOff * 2 < MaxBackOff ? backOff * 2 : MaxBackOff;
        }
    }

    internal async Task<bool> ReleaseAsync(string resource, string holder)
    {
        var (key, _) = Keys(resource);
        return (await _cache.ExecuteAsync("EVAL", ReleaseScript, 1, key, holder).ConfigureAwait(false)).Checked().Integer == 1;
    }

    internal async Task<bool> ExtendAsync(string resource, string holder, TimeSpan lease)
    {
        var (key, _) = Keys(resource);
        return (await _cache.ExecuteAsync("EVAL", ExtendScript, 1, key, holder, Replies.Milliseconds(lease)).ConfigureAwait(false)).Checked().Integer == 1;
    }

    // One hash tag for both keys, so one script reaches both in one partition.
    private static (string Key, string Fence) Keys(string resource) => ("{lock:" + resource + "}", "{lock:" + resource + "}:fence");
}

/// <summary>A held lease (see <see cref="CacheLocks"/>); disposing it releases it.</summary>
public sealed class CacheLockLease : IAsyncDisposable
{
    private readonly CacheLocks _locks;
    private readonly string _holder;

    internal CacheLockLease(CacheLocks locks, string resource, string holder, long fencingToken) =>
        (_locks, Resource, _holder, FencingToken) = (locks, resource, holder, fencingToken);

    /// <summary>The resource this lease holds.</summary>
    public string Resource { get; }

    /// <summary>Larger than the token of every earlier lease on the resource: pass it to what the lock protects.</summary>
    public long FencingToken { get; }

    /// <summary>Restarts the lease's time at <paramref name="lease"/> from now; false when it was lost (ran out and maybe taken).</summary>
    public Task<bool> ExtendAsync(TimeSpan lease) => _locks.ExtendAsync(Resource, _holder, lease);

    /// <summary>Frees the resource; false when the lease had already run out.</summary>
    public Task<bool> ReleaseAsync() => _locks.ReleaseAsync(Resource, _holder);

    /// <summary>Releases the lease.</summary>
    public async ValueTask DisposeAsync() => await ReleaseAsync().ConfigureAwait(false);
}
