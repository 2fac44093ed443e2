using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using Orleans.Cache.Tests.Differential;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Compat;

/// <summary>
/// Microsoft.Extensions.Caching.StackExchangeRedis — the <see cref="IDistributedCache"/> of ASP.NET Core apps — over
/// RESP: values written by one app are read by another, and the expirations it asks for are the server's TTLs (sliding
/// ones really extended by a read or a refresh). Time passing is simulated with PEXPIRE on the server, never slept.
/// Each row runs against a real redis-server and against the Orleans.Cache 2-silo cluster, over RESP2 and RESP3.
/// </summary>
[Collection(OrleansDiffCollection.Name)]
public sealed class DistributedCacheTests(OrleansDiffFixture fixture)
{
    private const long Hour = 3_600_000, TenMinutes = 600_000, FiveMinutes = 300_000;

    public static TheoryData<string> Servers => CompatServers.All;

    private RedisCache Cache(string server, string instance, int app = 0) =>
        new(Options.Create(new RedisCacheOptions { ConfigurationOptions = fixture.Options(server, app), InstanceName = instance }));

    [Theory, MemberData(nameof(Servers))]
    public async Task Set_get_and_remove_are_seen_by_a_second_app(string server)
    {
        string instance = CompatServers.Unique("dc");
        using var a = Cache(server, instance, app: 0);
        using var b = Cache(server, instance, app: 1);
        byte[] value = [0, 1, 2, 0xff, 0xfe, (byte)'\r', (byte)'\n'];

        await a.SetAsync("k", value, new DistributedCacheEntryOptions());
        Assert.Equal(value, await a.GetAsync("k"));
        Assert.Equal(value, await b.GetAsync("k"));
        Assert.Null(await b.GetAsync("missing"));

        await b.RemoveAsync("k");
        Assert.Null(await a.GetAsync("k"));

        // A value of a MiB, as a cached page or serialized graph can be, arrives whole.
        var large = new byte[1 << 20];
        new Random(16).NextBytes(large);
        await a.SetAsync("large", large, new DistributedCacheEntryOptions());
        Assert.Equal(large, await b.GetAsync("large"));

        // The synchronous API takes its own path through the package.
        a.SetString("s", "text");
        Assert.Equal("text", b.GetString("s"));
        b.Remove("s");
        Assert.Null(a.GetString("s"));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Absolute_expiration_is_the_server_TTL_and_the_entry_expires(string server)
    {
        string instance = CompatServers.Unique("dc-abs");
        using var cache = Cache(server, instance);
        await using var inspect = await fixture.InspectAsync(server);
        var db = inspect.GetDatabase();

        await cache.SetStringAsync("forever", "v", new DistributedCacheEntryOptions());
        Assert.Equal(-1, await db.PttlAsync(instance + "forever"));

        await cache.SetStringAsync("hour", "v", new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        Assert.InRange(await db.PttlAsync(instance + "hour"), Hour - 60_000, Hour);

        await cache.SetStringAsync("at", "v", new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddMinutes(5) });
        Assert.InRange(await db.PttlAsync(instance + "at"), FiveMinutes - 60_000, FiveMinutes);

        // Reads do not move an absolute expiration.
        await db.ExecuteAsync("PEXPIRE", instance + "hour", 5_000);
        Assert.Equal("v", await cache.GetStringAsync("hour"));
        await cache.RefreshAsync("hour");
        Assert.InRange(await db.PttlAsync(instance + "hour"), 1, 5_000);

        // And an entry whose time is up is gone for the app.
        await cache.SetStringAsync("short", "v", new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(300) });
        await Poll.Until(async () => await cache.GetStringAsync("short") is null, "the 300 ms entry to expire", TimeSpan.FromSeconds(10));
        Assert.Equal(-2, await db.PttlAsync(instance + "short"));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Sliding_expiration_is_extended_by_a_read_and_by_a_refresh(string server)
    {
        string instance = CompatServers.Unique("dc-sliding");
        using var cache = Cache(server, instance);
        await using var inspect = await fixture.InspectAsync(server);
        var db = inspect.GetDatabase();
        var key = instance + "k";

        await cache.SetStringAsync("k", "v", new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(10) });
        Assert.InRange(await db.PttlAsync(key), TenMinutes - 60_000, TenMinutes);

        // As if almost ten minutes had passed: a read slides the TTL back to ten minutes.
        await db.ExecuteAsync("PEXPIRE", key, 2_000);
        Assert.Equal("v", await cache.GetStringAsync("k"));
        Assert.InRange(await db.PttlAsync(key), TenMinutes - 60_000, TenMinutes);

        // So does a refresh, without reading the value.
        await db.ExecuteAsync("PEXPIRE", key, 2_000);
        await cache.RefreshAsync("k");
        Assert.InRange(await db.PttlAsync(key), TenMinutes - 60_000, TenMinutes);

        // With an absolute expiration too, sliding never goes past it.
        await cache.SetStringAsync("capped", "v", new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromMinutes(10), AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5),
        });
        Assert.InRange(await db.PttlAsync(instance + "capped"), FiveMinutes - 60_000, FiveMinutes);
        await db.ExecuteAsync("PEXPIRE", instance + "capped", 2_000);
        await cache.RefreshAsync("capped");
        Assert.InRange(await db.PttlAsync(instance + "capped"), FiveMinutes - 60_000, FiveMinutes);
    }
}
