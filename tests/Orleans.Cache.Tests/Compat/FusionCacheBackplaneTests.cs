using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Cache.Tests.Differential;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace Orleans.Cache.Tests.Compat;

/// <summary>
/// ZiggyCreatures.FusionCache with the StackExchangeRedis distributed cache as L2 and its Redis backplane, over RESP:
/// two app instances hold a value in their memory caches for an hour; a Set or a Remove in one reaches the other
/// through the backplane's pub/sub, which drops its memory copy and reads the new value from L2.
/// Each row runs against a real redis-server and against the Orleans.Cache 2-silo cluster, over RESP2 and RESP3.
/// </summary>
[Collection(OrleansDiffCollection.Name)]
public sealed class FusionCacheBackplaneTests(OrleansDiffFixture fixture)
{
    public static TheoryData<string> Servers => CompatServers.All;

    private sealed class App : IDisposable
    {
        private readonly RedisCache _l2;
        private readonly RedisBackplane _backplane;

        public App(OrleansDiffFixture fixture, string server, string name, int app)
        {
            Cache = new FusionCache(new FusionCacheOptions
            {
                CacheName = name,
                DefaultEntryOptions = new FusionCacheEntryOptions { Duration = TimeSpan.FromHours(1) },
            });
            _l2 = new RedisCache(Options.Create(new RedisCacheOptions { ConfigurationOptions = fixture.Options(server, app), InstanceName = name + ":" }));
            _backplane = new RedisBackplane(Options.Create(new RedisBackplaneOptions { ConfigurationOptions = fixture.Options(server, app) }),
                NullLogger<RedisBackplane>.Instance);
            Cache.SetupDistributedCache(_l2, new FusionCacheSystemTextJsonSerializer());
            Cache.SetupBackplane(_backplane);
        }

        public FusionCache Cache { get; }

        public void Dispose()
        {
            Cache.Dispose();
            _l2.Dispose();
        }
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task A_set_or_remove_in_one_instance_evicts_the_other_instances_memory_copy(string server)
    {
        string name = CompatServers.Unique("fusion").TrimEnd(':');
        using var a = new App(fixture, server, name, 0);
        using var b = new App(fixture, server, name, 1);
        await using var inspect = await fixture.InspectAsync(server);

        await a.Cache.SetAsync("k", "v1");
        Assert.Equal("v1", await b.Cache.GetOrDefaultAsync<string>("k"));   // from L2, now in B's memory for an hour

        // Both instances listen on the backplane before A writes again (each subscribes on its own).
        await Poll.Until(async () => await SubscribersAsync(inspect, name) >= 2, "both backplane subscriptions", TimeSpan.FromSeconds(15));

        await a.Cache.SetAsync("k", "v2");
        await Poll.Until(async () => await b.Cache.GetOrDefaultAsync<string>("k") == "v2", "B to drop v1 and read v2", TimeSpan.FromSeconds(15));

        await a.Cache.RemoveAsync("k");
        await Poll.Until(async () => !(await b.Cache.TryGetAsync<string>("k")).HasValue, "B to drop the removed value", TimeSpan.FromSeconds(15));
    }

    /// <summary>Subscribers of the backplane channel(s) of this cache, whatever FusionCache names them.</summary>
    private static async Task<long> SubscribersAsync(ConnectionMultiplexer inspect, string name)
    {
        var db = inspect.GetDatabase();
        var channels = (RedisResult[])(await db.ExecuteAsync("PUBSUB", "CHANNELS", name + "*"))!;
        long count = 0;
        foreach (var channel in channels)
        {
            var numsub = (RedisResult[])(await db.ExecuteAsync("PUBSUB", "NUMSUB", (string)channel!))!;
            count += (long)numsub[1];
        }
        return count;
    }
}
