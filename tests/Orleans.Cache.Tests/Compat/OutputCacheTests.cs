using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Tests.Differential;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Compat;

/// <summary>
/// Microsoft.AspNetCore.OutputCaching.StackExchangeRedis — the <see cref="IOutputCacheStore"/> behind ASP.NET Core
/// output caching — over RESP: entries with tags stored by one app are served by another with the server's TTL, and
/// evicting a tag in one app drops exactly the entries with that tag. Each row runs against a real redis-server and
/// against the Orleans.Cache 2-silo cluster, over RESP2 and RESP3.
/// </summary>
[Collection(OrleansDiffCollection.Name)]
public sealed class OutputCacheTests(OrleansDiffFixture fixture)
{
    public static TheoryData<string> Servers => CompatServers.All;

    private ServiceProvider App(string server, string instance, int app)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStackExchangeRedisOutputCache(o =>
        {
            o.ConfigurationOptions = fixture.Options(server, app);
            o.InstanceName = instance;
        });
        return services.BuildServiceProvider();
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Entries_with_tags_are_shared_and_evicted_by_tag(string server)
    {
        string instance = CompatServers.Unique("output");
        await using var appA = App(server, instance, 0);
        await using var appB = App(server, instance, 1);
        await using var inspect = await fixture.InspectAsync(server);
        var a = appA.GetRequiredService<IOutputCacheStore>();
        var b = appB.GetRequiredService<IOutputCacheStore>();
        var hour = TimeSpan.FromHours(1);
        byte[] red = [1, 2, 3], redBlue = [4, 5, 6], green = [7, 8, 9], none = [0];

        await a.SetAsync("/red", red, ["red"], hour, default);
        await a.SetAsync("/red-blue", redBlue, ["red", "blue"], hour, default);
        await a.SetAsync("/green", green, ["green"], hour, default);
        await a.SetAsync("/untagged", none, null, hour, default);
        // The store adds tags fire-and-forget; a reply on the same connection comes after they are done.
        Assert.Equal(none, await a.GetAsync("/untagged", default));

        Assert.Equal(red, await b.GetAsync("/red", default));
        Assert.Equal(redBlue, await b.GetAsync("/red-blue", default));
        Assert.Null(await b.GetAsync("/missing", default));

        // Every entry lives on the server for the hour it was given.
        var server0 = inspect.GetServer(inspect.GetEndPoints()[0]);
        var keys = new List<RedisKey>();
        await foreach (var key in server0.KeysAsync(pattern: instance + "*")) keys.Add(key);
        var entry = Assert.Single(keys, k => ((string)k!).EndsWith("/green", StringComparison.Ordinal));
        Assert.InRange(await inspect.GetDatabase().PttlAsync(entry), 3_500_000, 3_600_000);

        // Eviction deletes fire-and-forget too: B's next reply comes after its deletes, and then A sees them.
        await b.EvictByTagAsync("red", default);
        Assert.Null(await b.GetAsync("/red", default));
        Assert.Null(await a.GetAsync("/red", default));
        Assert.Null(await a.GetAsync("/red-blue", default));
        Assert.Equal(green, await a.GetAsync("/green", default));
        Assert.Equal(none, await a.GetAsync("/untagged", default));

        // A tag that was evicted can be used again.
        await a.SetAsync("/red", red, ["red"], hour, default);
        Assert.Equal(red, await b.GetAsync("/red", default));
    }
}
