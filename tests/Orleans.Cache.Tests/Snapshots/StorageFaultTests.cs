using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Client;
using Orleans.Cache.Grains;
using Orleans.Cache.Tests.Cluster;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Orleans.Cache.Tests.Snapshots;

/// <summary>Storage that fails and comes back: partitions retry with back-off on the partition clock and heal.</summary>
public sealed class StorageFaultTests
{
    private static Action<InProcessTestClusterBuilder> With(FaultyStorage storage) => builder => builder.ConfigureSilo((_, silo) =>
        silo.Services.AddKeyedSingleton<IGrainStorage>(SnapshotOptions.StorageName, storage));

    [Fact]
    public async Task A_partition_whose_storage_is_down_at_activation_answers_LOADING_retries_with_back_off_and_serves_once_storage_is_back()
    {
        var storage = new FaultyStorage();
        await using (var first = await CacheCluster.StartAsync(1, With(storage), snapshots: o => { o.Storage = "None"; o.Save = ""; }))
        {
            for (int i = 0; i < 50; i++) await first.CacheOnSilo(0).SetAsync($"k:{i}", "v" + i);
            Assert.Equal("OK", (await first.CacheOnSilo(0).ExecuteAsync("SAVE")).Text);
        }

        storage.ReadFault = _ => new IOException("storage unreachable (test)");
        await using var second = await CacheCluster.StartAsync(1, With(storage), snapshots: o => { o.Storage = "None"; o.Save = ""; });
        var cache = second.CacheOnSilo(0);
        try { await cache.ExecuteAsync("DBSIZE"); } catch (CacheException) { } // activates every partition
        var error = await Assert.ThrowsAsync<CacheException>(() => cache.GetStringAsync("k:1"));
        Assert.StartsWith("LOADING", error.Message);
        Assert.Contains("storage unreachable (test)", error.Message);

        // Each partition tried once; half a second later (partition clock) each tries again, and fails again.
        int firstTries = storage.ReadsFailed;
        Assert.Equal(CacheCluster.Partitions, firstTries);
        second.Time.Advance(TimeSpan.FromMilliseconds(500));
        await Until(() => storage.ReadsFailed == 2 * CacheCluster.Partitions, "the second tries");

        // Storage is back; the next try is a second later (the delay doubled), and then every key is served.
        storage.ReadFault = null;
        second.Time.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 50; i++)
        {
            int n = i;
            await Until(async () =>
            {
                try { return await cache.GetStringAsync($"k:{n}") == "v" + n; }
                catch (CacheException) { return false; }
            }, $"k:{n} to be served");
        }
        Assert.Equal(2 * CacheCluster.Partitions, storage.ReadsFailed);
        Assert.Equal("OK", (await cache.ExecuteAsync("SET", "after", "1")).Text);
    }

    [Fact]
    public void The_load_back_off_doubles_from_half_a_second_to_thirty_and_starts_over_after_a_success()
    {
        var time = new FakeTimeProvider();
        var backoff = new Backoff(time, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));
        Assert.True(backoff.Due);
        var delays = new List<double>();
        for (int i = 0; i < 9; i++)
        {
            backoff.Failed();
            delays.Add(backoff.Delay.TotalSeconds);
            time.Advance(backoff.Delay - TimeSpan.FromMilliseconds(1));
            Assert.False(backoff.Due);
            time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(backoff.Due);
        }
        Assert.Equal([0.5, 1, 2, 4, 8, 16, 30, 30, 30], delays);
        backoff.Succeeded();
        backoff.Failed();
        Assert.Equal(0.5, backoff.Delay.TotalSeconds);
    }

    /// <summary>Polls until <paramref name="condition"/> holds (work that takes a timer tick or two); fails after 10 s.</summary>
    internal static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    internal static Task Until(Func<bool> condition, string what) => Until(() => Task.FromResult(condition()), what);
}
