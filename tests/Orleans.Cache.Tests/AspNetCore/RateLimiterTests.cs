using System.Threading.RateLimiting;
using Orleans.Cache.AspNetCore;
using Orleans.Cache.Tests.Cluster;

namespace Orleans.Cache.Tests.AspNetCore;

/// <summary>
/// The System.Threading.RateLimiting limiters of Orleans.Cache.AspNetCore: 200 acquisitions at once for one partition
/// key, spread over the typed clients of 3 silos (3 app instances), grant exactly the limit; time is the fake clock.
/// </summary>
public sealed class RateLimiterTests(ThreeSiloFixture fixture) : IClassFixture<ThreeSiloFixture>
{
    private const int Limit = 50, Attempts = 200;
    private CacheCluster C => fixture.Cache;
    private static string Me([System.Runtime.CompilerServices.CallerMemberName] string name = "") => name + ":" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>One PartitionedRateLimiter per silo, as each app instance builds its own.</summary>
    private PartitionedRateLimiter<string>[] Instances(Func<int, Func<string, RateLimitPartition<string>>> partition) =>
        [.. Enumerable.Range(0, 3).Select(silo => PartitionedRateLimiter.Create(partition(silo)))];

    private static async Task<int> GrantedAsync(PartitionedRateLimiter<string>[] limiters, string user, int attempts = Attempts)
    {
        var leases = await Task.WhenAll(Enumerable.Range(0, attempts).Select(i => limiters[i % limiters.Length].AcquireAsync(user).AsTask()));
        return leases.Count(l => l.IsAcquired);
    }

    [Fact]
    public async Task Fixed_window_grants_its_limit_then_again_in_the_next_window()
    {
        string user = Me();
        var limiters = Instances(silo => key => CacheRateLimitPartition.GetFixedWindowLimiter(key, _ => new CacheFixedWindowRateLimiterOptions
        {
            Cache = C.CacheOnSilo(silo), Time = C.Time, PermitLimit = Limit, Window = TimeSpan.FromMinutes(1),
        }));
        Assert.Equal(Limit, await GrantedAsync(limiters, user));
        var refused = await limiters[0].AcquireAsync(user);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(59), TimeSpan.FromMinutes(1));
        C.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(Limit, await GrantedAsync(limiters, user));
        Assert.Equal(Limit, await GrantedAsync(limiters, user + ":other")); // each partition key counts alone
    }

    [Fact]
    public async Task Sliding_window_frees_permits_as_they_leave_the_window()
    {
        string user = Me();
        var limiters = Instances(silo => key => CacheRateLimitPartition.GetSlidingWindowLimiter(key, _ => new CacheSlidingWindowRateLimiterOptions
        {
            Cache = C.CacheOnSilo(silo), Time = C.Time, PermitLimit = Limit, Window = TimeSpan.FromMinutes(1),
        }));
        Assert.Equal(20, await GrantedAsync(limiters, user, 20));
        C.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(Limit - 20, await GrantedAsync(limiters, user));
        // 31 s later the first 20 have left the window, the other 30 not yet.
        C.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(20, await GrantedAsync(limiters, user));
    }

    [Fact]
    public async Task Token_bucket_grants_its_tokens_and_refills_by_period()
    {
        string user = Me();
        var limiters = Instances(silo => key => CacheRateLimitPartition.GetTokenBucketLimiter(key, _ => new CacheTokenBucketRateLimiterOptions
        {
            Cache = C.CacheOnSilo(silo), Time = C.Time, TokenLimit = Limit, TokensPerPeriod = 10, ReplenishmentPeriod = TimeSpan.FromSeconds(10),
        }));
        Assert.Equal(Limit, await GrantedAsync(limiters, user));
        C.Time.Advance(TimeSpan.FromSeconds(25)); // two periods: 20 tokens
        Assert.Equal(20, await GrantedAsync(limiters, user));
        C.Time.Advance(TimeSpan.FromHours(1)); // never more than the bucket holds
        Assert.Equal(Limit, await GrantedAsync(limiters, user));
    }

    [Fact]
    public async Task Concurrency_limiter_counts_held_leases_and_a_returned_one_frees_a_permit()
    {
        string user = Me();
        var limiters = Instances(silo => key => CacheRateLimitPartition.GetConcurrencyLimiter(key, _ => new CacheConcurrencyRateLimiterOptions
        {
            Cache = C.CacheOnSilo(silo), Time = C.Time, PermitLimit = Limit,
        }));
        var leases = await Task.WhenAll(Enumerable.Range(0, Attempts).Select(i => limiters[i % 3].AcquireAsync(user).AsTask()));
        var held = leases.Where(l => l.IsAcquired).ToList();
        Assert.Equal(Limit, held.Count);
        held[0].Dispose();
        await Poll.Until(async () => (await limiters[1].AcquireAsync(user)).IsAcquired, "a returned lease to free a permit", TimeSpan.FromSeconds(10));
        Assert.False((await limiters[2].AcquireAsync(user)).IsAcquired);
        // A holder that never returns its leases (it died) stops counting after the lease timeout.
        C.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(Limit, await GrantedAsync(limiters, user));
    }
}
