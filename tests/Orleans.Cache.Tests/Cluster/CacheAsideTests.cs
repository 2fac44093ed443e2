using Orleans.Cache.Client;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>The typed client's cache-aside (GetOrSetAsync): one factory call per missing key across the cluster.</summary>
public sealed class CacheAsideTests(ThreeSiloFixture fixture) : IClassFixture<ThreeSiloFixture>
{
    private CacheCluster C => fixture.Cache;
    private static string Me([System.Runtime.CompilerServices.CallerMemberName] string name = "") => name + ":" + Guid.NewGuid().ToString("N")[..8];

    private sealed record Product(int Id, string Name);

    [Fact]
    public async Task A_thousand_concurrent_callers_on_three_silos_call_the_factory_once()
    {
        string key = Me();
        int calls = 0;
        var release = new TaskCompletionSource();
        async Task<Product> Query(CancellationToken ct)
        {
            Interlocked.Increment(ref calls);
            await release.Task.WaitAsync(ct); // the "database" answers once every caller is waiting
            return new Product(42, "lamp");
        }
        var callers = Enumerable.Range(0, 1000)
            .Select(i => C.CacheOnSilo(i % 3).GetOrSetAsync(key, Query, TimeSpan.FromMinutes(5)))
            .ToArray();
        await Poll.Until(() => Volatile.Read(ref calls) > 0, "the factory to be called", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(callers, c => c.IsCompleted);
        release.SetResult();

        var results = await Task.WhenAll(callers);
        Assert.All(results, p => Assert.Equal(new Product(42, "lamp"), p));
        Assert.Equal(1, calls);
        Assert.Equal("{\"Id\":42,\"Name\":\"lamp\"}", await C.CacheOnSilo(1).GetStringAsync(key));
        Assert.InRange((await C.CacheOnSilo(2).TimeToLiveAsync(key))!.Value, TimeSpan.FromMinutes(4.9), TimeSpan.FromMinutes(5));
        // A hit does not call the factory; after the TTL (fake clock) the key is filled again.
        Assert.Equal(new Product(42, "lamp"), await C.CacheOnSilo(0).GetOrSetAsync(key, Query, TimeSpan.FromMinutes(5)));
        Assert.Equal(1, calls);
        C.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(new Product(42, "lamp"), await C.CacheOnSilo(0).GetOrSetAsync(key, Query, TimeSpan.FromMinutes(5)));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_failing_factory_fails_its_caller_frees_the_key_and_the_next_caller_fills_it()
    {
        string key = Me();
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            C.CacheOnSilo(0).GetOrSetAsync<string>(key, _ => throw new InvalidOperationException("database down"), TimeSpan.FromMinutes(1)));
        Assert.False(await C.CacheOnSilo(1).ExistsAsync(key));
        Assert.False(await C.CacheOnSilo(1).ExistsAsync("__fill:" + key)); // the lease went with the failure
        Assert.Equal("ok", await C.CacheOnSilo(1).GetOrSetAsync(key, _ => Task.FromResult("ok"), TimeSpan.FromMinutes(1)));
    }
}
