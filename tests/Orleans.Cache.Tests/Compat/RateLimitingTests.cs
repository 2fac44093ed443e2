using System.Threading.RateLimiting;
using Orleans.Cache.Tests.Differential;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Compat;

/// <summary>
/// The RedisRateLimiting package (Lua scripts over StackExchange.Redis) grants exactly its limit under concurrency:
/// 200 acquisitions at once for one partition key, from two connections (on Orleans.Cache one per silo), limit 50.
/// Each row runs against a real redis-server and against the Orleans.Cache 2-silo cluster.
/// </summary>
[Collection(OrleansDiffCollection.Name)]
public sealed class RateLimitingTests(OrleansDiffFixture fixture)
{
    private const int Limit = 50;
    private const int Attempts = 200;

    public static TheoryData<string> Servers => new() { "redis-server", "Orleans.Cache" };

    [Theory, MemberData(nameof(Servers))]
    public async Task Fixed_window_grants_exactly_its_permit_limit(string server) =>
        await AssertGrantsExactlyAsync(server, connection => new RedisFixedWindowRateLimiter<string>(Partition(), new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => connection, PermitLimit = Limit, Window = TimeSpan.FromHours(1),
        }));

    [Theory, MemberData(nameof(Servers))]
    public async Task Sliding_window_grants_exactly_its_permit_limit(string server) =>
        await AssertGrantsExactlyAsync(server, connection => new RedisSlidingWindowRateLimiter<string>(Partition(), new RedisSlidingWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => connection, PermitLimit = Limit, Window = TimeSpan.FromHours(1),
        }));

    [Theory, MemberData(nameof(Servers))]
    public async Task Token_bucket_grants_exactly_its_token_limit(string server) =>
        await AssertGrantsExactlyAsync(server, connection => new RedisTokenBucketRateLimiter<string>(Partition(), new RedisTokenBucketRateLimiterOptions
        {
            // One token an hour: none comes back while the test runs.
            ConnectionMultiplexerFactory = () => connection, TokenLimit = Limit, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromHours(1),
        }));

    [Theory, MemberData(nameof(Servers))]
    public async Task Concurrency_limiter_grants_exactly_its_permit_limit_while_leases_are_held(string server) =>
        await AssertGrantsExactlyAsync(server, connection => new RedisConcurrencyRateLimiter<string>(Partition(), new RedisConcurrencyRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => connection, PermitLimit = Limit, QueueLimit = 0,
        }));

    private string _partition = "";

    /// <summary>The partition key of the current test: the same for both connections' limiters, fresh per test.</summary>
    private string Partition() => _partition;

    private async Task AssertGrantsExactlyAsync(string server, Func<IConnectionMultiplexer, RateLimiter> limiterOn)
    {
        _partition = $"rl-test-{Guid.NewGuid():N}";
        await using var first = await ConnectAsync(server, 0);
        await using var second = await ConnectAsync(server, 1);
        var limiters = new[] { limiterOn(first), limiterOn(second) };
        try
        {
            using var gate = new ManualResetEventSlim();
            var attempts = Enumerable.Range(0, Attempts)
                .Select(i => Task.Run(async () =>
                {
                    gate.Wait(TimeSpan.FromSeconds(10));
                    return await limiters[i % 2].AcquireAsync(1);
                }))
                .ToArray();
            gate.Set();
            var leases = await Task.WhenAll(attempts).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(Limit, leases.Count(l => l.IsAcquired));
            // And one more, after the rush, is refused too.
            using var late = await limiters[0].AcquireAsync(1);
            Assert.False(late.IsAcquired);
            foreach (var lease in leases) lease.Dispose();
        }
        finally
        {
            foreach (var limiter in limiters) await limiter.DisposeAsync();
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(string server, int silo) => server switch
    {
        "redis-server" => await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { fixture.Redis.EndPoint }, ConnectTimeout = 10_000, SyncTimeout = 10_000, AsyncTimeout = 10_000,
        }),
        _ => await fixture.ConnectAsync(silo, RedisProtocol.Resp2),
    };
}
