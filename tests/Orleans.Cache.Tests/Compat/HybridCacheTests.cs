using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Tests.Differential;

namespace Orleans.Cache.Tests.Compat;

/// <summary>
/// Microsoft.Extensions.Caching.Hybrid with the StackExchangeRedis <c>IDistributedCache</c> as its second level, over
/// RESP: one factory call per key, a second app instance (its own memory cache, its own connection — on Orleans.Cache
/// another silo) served from L2, removal, and tag invalidation seen by an instance that did not do it.
/// Each row runs against a real redis-server and against the Orleans.Cache 2-silo cluster, over RESP2 and RESP3.
/// </summary>
[Collection(OrleansDiffCollection.Name)]
public sealed class HybridCacheTests(OrleansDiffFixture fixture)
{
    public static TheoryData<string> Servers => CompatServers.All;

    /// <summary>An app instance: its own service provider, so its own L1.</summary>
    private ServiceProvider App(string server, string instance, int app)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStackExchangeRedisCache(o =>
        {
            o.ConfigurationOptions = fixture.Options(server, app);
            o.InstanceName = instance;
        });
        services.AddHybridCache(o => o.DefaultEntryOptions = new HybridCacheEntryOptions
        {
            Expiration = TimeSpan.FromHours(1), LocalCacheExpiration = TimeSpan.FromHours(1),
        });
        return services.BuildServiceProvider();
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task GetOrCreate_calls_the_factory_once_and_a_second_instance_reads_the_value_from_L2(string server)
    {
        string instance = CompatServers.Unique("hybrid");
        await using var appA = App(server, instance, 0);
        await using var appB = App(server, instance, 1);
        await using var inspect = await fixture.InspectAsync(server);
        var a = appA.GetRequiredService<HybridCache>();
        var b = appB.GetRequiredService<HybridCache>();
        int calls = 0;

        var values = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => a.GetOrCreateAsync("k", async ct =>
        {
            Interlocked.Increment(ref calls);
            await Task.Yield();
            return "made-by-A";
        }).AsTask()));
        Assert.All(values, v => Assert.Equal("made-by-A", v));
        Assert.Equal(1, calls);

        // The value is on the server …
        await Poll.Until(() => inspect.GetDatabase().KeyExistsAsync(instance + "k"), "the L2 write", TimeSpan.FromSeconds(10));
        // … and the other instance takes it from there instead of calling its factory.
        Assert.Equal("made-by-A", await b.GetOrCreateAsync("k", _ =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult("made-by-B");
        }));
        Assert.Equal(1, calls);
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task RemoveAsync_removes_the_value_from_L2_for_every_instance(string server)
    {
        string instance = CompatServers.Unique("hybrid-rm");
        await using var appA = App(server, instance, 0);
        await using var appB = App(server, instance, 1);
        await using var inspect = await fixture.InspectAsync(server);
        var a = appA.GetRequiredService<HybridCache>();
        var b = appB.GetRequiredService<HybridCache>();
        var db = inspect.GetDatabase();

        Assert.Equal("v1", await a.GetOrCreateAsync("k", _ => ValueTask.FromResult("v1")));
        await Poll.Until(() => db.KeyExistsAsync(instance + "k"), "the L2 write", TimeSpan.FromSeconds(10));

        await a.RemoveAsync("k");
        Assert.False(await db.KeyExistsAsync(instance + "k"));
        Assert.Equal("v2", await b.GetOrCreateAsync("k", _ => ValueTask.FromResult("v2")));
        await Poll.Until(() => db.KeyExistsAsync(instance + "k"), "the second L2 write", TimeSpan.FromSeconds(10));
        // A dropped its own copy too, and now reads what B wrote.
        Assert.Equal("v2", await a.GetOrCreateAsync("k", _ => ValueTask.FromResult("v3")));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task RemoveByTag_in_one_instance_invalidates_the_L2_entry_for_another(string server)
    {
        string instance = CompatServers.Unique("hybrid-tag");
        await using var appA = App(server, instance, 0);
        await using var appB = App(server, instance, 1);
        await using var inspect = await fixture.InspectAsync(server);
        var a = appA.GetRequiredService<HybridCache>();
        var b = appB.GetRequiredService<HybridCache>();
        string[] tags = ["products"];

        Assert.Equal("v1", await a.GetOrCreateAsync("tagged", _ => ValueTask.FromResult("v1"), tags: tags));
        Assert.Equal("u1", await a.GetOrCreateAsync("untagged", _ => ValueTask.FromResult("u1")));
        await Poll.Until(async () => await inspect.GetDatabase().KeyExistsAsync([instance + "tagged", instance + "untagged"]) == 2,
            "the L2 writes", TimeSpan.FromSeconds(10));

        await a.RemoveByTagAsync("products");

        // B never saw either value: it finds both in L2, but the tagged one is invalid by then.
        Assert.Equal("v2", await b.GetOrCreateAsync("tagged", _ => ValueTask.FromResult("v2"), tags: tags));
        Assert.Equal("u1", await b.GetOrCreateAsync("untagged", _ => ValueTask.FromResult("u2")));
    }
}
