using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.AspNetCore;
using Orleans.Cache.Client;
using Orleans.Cache.Tests.Cluster;

namespace Orleans.Cache.Tests.AspNetCore;

/// <summary>
/// The ASP.NET Core interfaces of Orleans.Cache.AspNetCore, registered as an app registers them, on the typed client of
/// a 3-silo cluster: each "app instance" is the typed client of another silo. Time is the cluster's fake clock, which
/// also drives the partitions' expiry.
/// </summary>
public sealed class AspNetCoreTests(ThreeSiloFixture fixture) : IClassFixture<ThreeSiloFixture>
{
    private CacheCluster C => fixture.Cache;
    private static string Me([System.Runtime.CompilerServices.CallerMemberName] string name = "") => name + ":" + Guid.NewGuid().ToString("N")[..8];
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The services of an app instance co-hosted with silo <paramref name="silo"/>.</summary>
    private ServiceProvider App(int silo, Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton(C.CacheOnSilo(silo));
        services.AddSingleton<TimeProvider>(C.Time);
        configure(services);
        return services.BuildServiceProvider();
    }

    private IDistributedCache DistributedCache(int silo) => App(silo, s => s.AddOrleansCacheDistributedCache()).GetRequiredService<IDistributedCache>();

    [Fact]
    public async Task A_distributed_cache_entry_written_by_one_app_is_read_and_removed_by_another()
    {
        string key = Me();
        await DistributedCache(0).SetAsync(key, B("v1"), new DistributedCacheEntryOptions());
        Assert.Equal(B("v1"), await DistributedCache(2).GetAsync(key));
        Assert.Null(await C.CacheOnSilo(1).TimeToLiveAsync(key)); // no expiration asked, none set
        await DistributedCache(1).RemoveAsync(key);
        Assert.Null(await DistributedCache(0).GetAsync(key));
    }

    [Fact]
    public async Task An_absolute_expiration_ends_the_entry_and_a_later_set_without_one_keeps_no_ttl()
    {
        string key = Me();
        var cache = DistributedCache(0);
        await cache.SetAsync(key, B("v"), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10) });
        Assert.InRange((await C.CacheOnSilo(0).TimeToLiveAsync(key))!.Value, TimeSpan.FromMinutes(9.9), TimeSpan.FromMinutes(10));
        C.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        Assert.Null(await cache.GetAsync(key));

        await cache.SetAsync(key, B("a"), new DistributedCacheEntryOptions { AbsoluteExpiration = C.Time.GetUtcNow().AddMinutes(5) });
        await cache.SetAsync(key, B("b"), new DistributedCacheEntryOptions());
        Assert.Null(await C.CacheOnSilo(0).TimeToLiveAsync(key));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            cache.SetAsync(key, B("c"), new DistributedCacheEntryOptions { AbsoluteExpiration = C.Time.GetUtcNow().AddSeconds(-1) }));
    }

    [Fact]
    public async Task A_sliding_entry_lives_while_it_is_read_and_never_past_its_absolute_expiration()
    {
        string key = Me();
        var cache = DistributedCache(1);
        await cache.SetAsync(key, B("s"), new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromMinutes(1), AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(3),
        });
        Assert.InRange((await C.CacheOnSilo(0).TimeToLiveAsync(key))!.Value, TimeSpan.FromSeconds(59), TimeSpan.FromMinutes(1));
        // Read every 40 s: each read moves the expiry to a minute from then, so the entry outlives its first minute.
        for (int i = 0; i < 3; i++)
        {
            C.Time.Advance(TimeSpan.FromSeconds(40));
            Assert.Equal(B("s"), await DistributedCache(i).GetAsync(key));
        }
        // At 2 min a Refresh (no data) moves it too; 40 s later the absolute expiration is 20 s away, and caps the window.
        C.Time.Advance(TimeSpan.FromSeconds(40));
        await cache.RefreshAsync(key);
        Assert.InRange((await C.CacheOnSilo(0).TimeToLiveAsync(key))!.Value, TimeSpan.FromSeconds(19), TimeSpan.FromSeconds(20));
        C.Time.Advance(TimeSpan.FromSeconds(21));
        Assert.Null(await cache.GetAsync(key));

        // Not read for longer than the window: gone.
        await cache.SetAsync(key, B("t"), new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(1) });
        C.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Null(await cache.GetAsync(key));
    }

    [Fact]
    public async Task The_buffer_interface_writes_into_the_callers_buffer()
    {
        string key = Me();
        var cache = App(0, s => s.AddOrleansCacheDistributedCache(o => o.InstanceName = "app1:")).GetRequiredService<IBufferDistributedCache>();
        await cache.SetAsync(key, new ReadOnlySequence<byte>(B("buffered")), new DistributedCacheEntryOptions());
        var buffer = new ArrayBufferWriter<byte>();
        Assert.True(await cache.TryGetAsync(key, buffer));
        Assert.Equal(B("buffered"), buffer.WrittenSpan.ToArray());
        Assert.False(await cache.TryGetAsync(key + ":missing", buffer));
        // InstanceName prefixes the key; the entry has Microsoft.Extensions.Caching.StackExchangeRedis's fields.
        Assert.Equal(new Dictionary<string, string> { ["absexp"] = "-1", ["sldexp"] = "-1", ["data"] = "buffered" },
            await C.CacheOnSilo(2).HashGetAllAsync("app1:" + key));
    }

    [Fact]
    public async Task HybridCache_uses_it_as_its_second_level_shared_by_app_instances()
    {
        string key = Me();
        HybridCache Hybrid(int silo) => App(silo, s =>
        {
            s.AddOrleansCacheDistributedCache();
            s.AddHybridCache();
        }).GetRequiredService<HybridCache>();
        var a = Hybrid(0);
        var b = Hybrid(2);
        int calls = 0;
        var made = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => a.GetOrCreateAsync(key, _ =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult("made-by-A");
        }).AsTask()));
        Assert.All(made, v => Assert.Equal("made-by-A", v));
        Assert.Equal(1, calls);
        // HybridCache writes the second level in the background, after the callers have their value.
        await Poll.Until(() => C.CacheOnSilo(1).ExistsAsync(key), "A's value to reach Orleans.Cache", TimeSpan.FromSeconds(10));
        // Instance B has nothing in its memory: it finds A's value in Orleans.Cache and does not call its factory.
        Assert.Equal("made-by-A", await b.GetOrCreateAsync(key, _ => ValueTask.FromResult("made-by-B")));
        await b.RemoveAsync(key);
        Assert.False(await C.CacheOnSilo(1).ExistsAsync(key));
    }

    [Fact]
    public async Task The_output_cache_store_evicts_by_tag_across_silos()
    {
        string tag = Me(), a = Me() + ":a", b = Me() + ":b", c = Me() + ":c";
        var store = App(0, s => s.AddOrleansCacheOutputCache()).GetRequiredService<IOutputCacheStore>();
        var other = App(2, s => s.AddOrleansCacheOutputCache()).GetRequiredService<IOutputCacheStore>();
        await store.SetAsync(a, B("A"), [tag], TimeSpan.FromMinutes(1), default);
        await other.SetAsync(b, B("B"), [tag, "other-" + tag], TimeSpan.FromMinutes(1), default);
        await store.SetAsync(c, B("C"), ["other-" + tag], TimeSpan.FromMinutes(1), default);
        Assert.Equal(B("B"), await store.GetAsync(b, default));

        await other.EvictByTagAsync(tag, default);
        Assert.Null(await store.GetAsync(a, default));
        Assert.Null(await store.GetAsync(b, default));
        Assert.Equal(B("C"), await store.GetAsync(c, default));

        C.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Null(await store.GetAsync(c, default)); // validFor is the entry's life
    }

    [Fact]
    public async Task A_key_ring_persisted_by_one_app_unprotects_in_another()
    {
        string ring = Me();
        IDataProtector Protector(int silo) => App(silo, s => s.AddDataProtection().SetApplicationName("shop").PersistKeysToOrleansCache(ring))
            .GetRequiredService<IDataProtectionProvider>().CreateProtector("cart");
        string secret = Protector(0).Protect("order 42");
        Assert.Equal("order 42", Protector(1).Unprotect(secret));
        Assert.Single(await C.CacheOnSilo(2).ListRangeAsync(ring));
    }

    [Fact]
    public async Task A_lock_has_one_holder_and_fencing_tokens_that_only_grow()
    {
        string resource = Me();
        var locks = App(0, s => s.AddOrleansCacheLocks()).GetRequiredService<CacheLocks>();
        var elsewhere = App(1, s => s.AddOrleansCacheLocks()).GetRequiredService<CacheLocks>();

        var first = await locks.TryAcquireAsync(resource, TimeSpan.FromSeconds(30));
        Assert.NotNull(first);
        Assert.Null(await elsewhere.TryAcquireAsync(resource, TimeSpan.FromSeconds(30)));
        Assert.True(await first.ReleaseAsync());

        await using var second = await elsewhere.TryAcquireAsync(resource, TimeSpan.FromSeconds(30));
        Assert.NotNull(second);
        Assert.True(second.FencingToken > first.FencingToken);
        Assert.False(await first.ReleaseAsync()); // a released lease frees nothing of the next holder's
        Assert.Null(await locks.TryAcquireAsync(resource, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_lease_that_runs_out_frees_the_resource_and_its_holder_cannot_extend_it()
    {
        string resource = Me();
        var locks = App(0, s => s.AddOrleansCacheLocks()).GetRequiredService<CacheLocks>();
        var paused = await locks.TryAcquireAsync(resource, TimeSpan.FromSeconds(10));
        Assert.True(await paused!.ExtendAsync(TimeSpan.FromSeconds(10)));

        C.Time.Advance(TimeSpan.FromSeconds(11));
        var next = await App(2, s => s.AddOrleansCacheLocks()).GetRequiredService<CacheLocks>().TryAcquireAsync(resource, TimeSpan.FromSeconds(10));
        Assert.NotNull(next);
        Assert.True(next.FencingToken > paused.FencingToken);
        Assert.False(await paused.ExtendAsync(TimeSpan.FromSeconds(10)));
        Assert.False(await paused.ReleaseAsync());
        Assert.True(await next.ReleaseAsync());
    }

    [Fact]
    public async Task Acquire_waits_for_the_holder_to_release_and_times_out_when_it_does_not()
    {
        string resource = Me();
        var locks = App(0, s => s.AddOrleansCacheLocks()).GetRequiredService<CacheLocks>();
        var held = await locks.TryAcquireAsync(resource, TimeSpan.FromMinutes(5));

        var waiting = locks.AcquireAsync(resource, TimeSpan.FromMinutes(1), timeout: TimeSpan.FromSeconds(30));
        Assert.False(waiting.IsCompleted);
        await held!.ReleaseAsync();
        // The waiter tries again after its back-off, on the fake clock.
        await Poll.Until(() => { C.Time.Advance(TimeSpan.FromMilliseconds(100)); return waiting.IsCompleted; }, "the waiter to take the lease", TimeSpan.FromSeconds(10));
        await using var lease = await waiting;
        Assert.True(lease.FencingToken > held.FencingToken);

        var late = locks.AcquireAsync(resource, TimeSpan.FromMinutes(1), timeout: TimeSpan.FromSeconds(2));
        await Poll.Until(() => { C.Time.Advance(TimeSpan.FromMilliseconds(500)); return late.IsCompleted; }, "the late waiter to give up", TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<TimeoutException>(() => late);
    }
}
