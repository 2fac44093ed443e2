namespace Orleans.Cache.Tests.Cluster;

/// <summary>Expiry on a fake clock: keys vanish when their time comes, and the sweep reclaims them without reads.</summary>
public sealed class ExpiryClusterTests : IAsyncLifetime
{
    private CacheCluster _c = null!;
    public async Task InitializeAsync() => _c = await CacheCluster.StartAsync(2);
    public async Task DisposeAsync() => await _c.DisposeAsync();

    [Fact]
    public async Task A_key_with_a_ttl_disappears_when_the_clock_passes_it()
    {
        var cache = _c.CacheOnSilo(0);
        await cache.SetAsync("session:1", "alice", TimeSpan.FromSeconds(30));
        _c.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("alice", await cache.GetStringAsync("session:1"));
        Assert.InRange((await cache.TimeToLiveAsync("session:1"))!.Value.TotalMilliseconds, 900, 1000);
        _c.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await cache.GetStringAsync("session:1"));
        Assert.False(await cache.ExistsAsync("session:1"));
    }

    [Fact]
    public async Task Expired_keys_are_reclaimed_by_the_sweep_without_being_read()
    {
        var cache = _c.CacheOnSilo(1);
        var batch = cache.CreateBatch();
        var writes = Enumerable.Range(0, 10_000).Select(i => batch.SetAsync($"ttl:{i}", "v", TimeSpan.FromSeconds(10 + i % 50))).ToList();
        var keep = batch.SetAsync("no-ttl", "v");
        await batch.ExecuteAsync();
        await Task.WhenAll(writes);
        Assert.Equal(10_001, await cache.CountAsync());

        _c.Time.Advance(TimeSpan.FromMinutes(2));
        // No reads: only the partitions' own sweep timers run. Poll DBSIZE (which reads no key) until they finish.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await cache.CountAsync() > 1 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(1, await cache.CountAsync());
        Assert.Equal("v", await cache.GetStringAsync("no-ttl"));
    }
}
