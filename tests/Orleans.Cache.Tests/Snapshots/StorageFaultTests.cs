using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Client;
using Orleans.Cache.Grains;
using Orleans.Cache.Resp;
using Orleans.Cache.Tests.Cluster;
using Orleans.Cache.Tests.Resp;
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

        storage.ReadFault = name => name.StartsWith("snapshot", StringComparison.Ordinal) ? new IOException("storage unreachable (test)") : null;
        await using var second = await CacheCluster.StartAsync(1, With(storage), snapshots: o => { o.Storage = "None"; o.Save = ""; });
        var cache = second.CacheOnSilo(0);
        await cache.ExecuteAsync("DBSIZE"); // activates every partition (and answers an error)
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

    private const string Misconf = "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
        "Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB " +
        "snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

    private static Action<InProcessTestClusterBuilder> WithResp(FaultyStorage storage) => builder => builder.ConfigureSilo((_, silo) =>
    {
        silo.Services.AddKeyedSingleton<IGrainStorage>(SnapshotOptions.StorageName, storage);
        silo.Services.AddRespEndpoint(o => o.Port = 0);
    });

    private static Task<RawClient> ConnectAsync(CacheCluster cache) =>
        RawClient.ConnectAsync(cache.Cluster.Silos[0].ServiceProvider.GetRequiredService<RespServer>().EndPoints[0]);

    private static async Task<string> BgsaveStatus(RawClient resp) =>
        (await resp.CommandAsync("INFO", "persistence")).Split("\r\n").Single(l => l.StartsWith("rdb_last_bgsave_status:", StringComparison.Ordinal));

    [Fact]
    public async Task A_failed_save_says_err_in_INFO_refuses_writes_with_MISCONF_is_retried_5_seconds_later_and_heals()
    {
        var storage = new FaultyStorage { WriteFault = name => name.StartsWith("snapshot", StringComparison.Ordinal) ? new IOException("No space left on device (test)") : null };
        await using var cache = await CacheCluster.StartAsync(1, WithResp(storage), snapshots: o => { o.Storage = "None"; o.Save = "1 1"; });
        using var resp = await ConnectAsync(cache);
        Assert.Equal("+OK", await resp.CommandAsync("SET", "{p}:a", "1"));
        Assert.Equal("rdb_last_bgsave_status:ok", await BgsaveStatus(resp));

        // The save rule fires a second later (partition clock) and the write fails.
        cache.Time.Advance(TimeSpan.FromSeconds(1));
        await Until(async () => await BgsaveStatus(resp) == "rdb_last_bgsave_status:err", "INFO to report the failed save");
        Assert.Equal(1, storage.WritesFailed);
        Assert.Equal(Misconf, await resp.CommandAsync("SET", "{p}:b", "2"));
        Assert.Equal(Misconf, await resp.CommandAsync("INCR", "{p}:a"));
        Assert.Equal("$1\r\n1\r\n", await resp.CommandAsync("GET", "{p}:a")); // reads are served
        // A script's writes are refused the same way (redis.pcall gets the error as it is), its reads are served.
        Assert.StartsWith(Misconf + " script: ", await resp.CommandAsync("EVAL", "return redis.call('SET', KEYS[1], 'x')", "1", "{p}:c"));
        Assert.Equal(Misconf, await resp.CommandAsync("EVAL", "return redis.pcall('SET', KEYS[1], 'x')", "1", "{p}:c"));
        Assert.Equal("$1\r\n1\r\n", await resp.CommandAsync("EVAL", "return redis.call('GET', KEYS[1])", "1", "{p}:a"));

        // Not every second: the next try comes 5 seconds after the failure.
        cache.Time.Advance(TimeSpan.FromSeconds(5));
        await Until(() => storage.WritesFailed == 2, "the retry 5 s later");

        // Storage is back: the next retry saves, INFO says ok, writes are accepted.
        storage.WriteFault = null;
        cache.Time.Advance(TimeSpan.FromSeconds(5));
        await Until(async () => await BgsaveStatus(resp) == "rdb_last_bgsave_status:ok", "the save to succeed");
        Assert.Equal("+OK", await resp.CommandAsync("SET", "{p}:b", "2"));
        Assert.Contains("snapshot", storage.StateNames);
    }

    [Fact]
    public async Task With_stop_writes_on_bgsave_error_no_a_failed_save_refuses_no_writes()
    {
        var storage = new FaultyStorage { WriteFault = name => name.StartsWith("snapshot", StringComparison.Ordinal) ? new IOException("No space left on device (test)") : null };
        await using var cache = await CacheCluster.StartAsync(1, WithResp(storage), snapshots: o => { o.Storage = "None"; o.Save = "1 1"; });
        using var resp = await ConnectAsync(cache);
        Assert.Equal("+OK", await resp.CommandAsync("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"));
        Assert.Equal("+OK", await resp.CommandAsync("SET", "{p}:a", "1"));
        cache.Time.Advance(TimeSpan.FromSeconds(1));
        await Until(async () => await BgsaveStatus(resp) == "rdb_last_bgsave_status:err", "INFO to report the failed save");
        Assert.Equal("+OK", await resp.CommandAsync("SET", "{p}:b", "2"));
    }

    /// <summary>Every grain's chunk records belong to the one generation its manifest names: no orphans.</summary>
    private static void AssertNoOrphanChunks(FaultyStorage storage)
    {
        var manifests = storage.ManifestGenerations();
        foreach (var (grain, generations) in storage.ChunkGenerations())
            Assert.True(generations.Length == 1 && manifests.TryGetValue(grain, out long g) && g == generations[0],
                $"{grain} holds chunks of generations {string.Join(", ", generations)}");
    }

    [Fact]
    public async Task A_save_that_runs_out_of_disk_midway_leaves_no_chunks_behind_and_the_previous_snapshot_loads()
    {
        var storage = new FaultyStorage();
        await using (var first = await CacheCluster.StartAsync(1, With(storage), snapshots: o => { o.Storage = "None"; o.Save = ""; o.ChunkBytes = 64; }))
        {
            var cache = first.CacheOnSilo(0);
            for (int i = 0; i < 30; i++) await cache.SetAsync($"{{p}}:{i}", "before-" + i);
            Assert.Equal("OK", (await cache.ExecuteAsync("SAVE")).Text);
            AssertNoOrphanChunks(storage);

            // The disk fills up at the third chunk of {p}'s partition: SAVE fails, its first two chunks are gone again.
            storage.WriteFault = name => name.EndsWith("-2", StringComparison.Ordinal) ? new IOException("No space left on device (test)") : null;
            await cache.SetAsync("{p}:after", "lost");
            var error = await cache.ExecuteAsync("SAVE");
            Assert.True(error.IsError);
            Assert.Contains("No space left on device (test)", error.Text);
            Assert.True(storage.WritesFailed > 0);
            AssertNoOrphanChunks(storage);
        } // the shutdown save fails the same way

        AssertNoOrphanChunks(storage);
        storage.WriteFault = null;
        await using var second = await CacheCluster.StartAsync(1, With(storage), snapshots: o => { o.Storage = "None"; o.Save = ""; o.ChunkBytes = 64; });
        var again = second.CacheOnSilo(0);
        for (int i = 0; i < 30; i++) Assert.Equal("before-" + i, await again.GetStringAsync($"{{p}}:{i}"));
        Assert.Null(await again.GetStringAsync("{p}:after"));
    }

    [Fact]
    public async Task Chunks_of_a_save_interrupted_before_it_could_clean_up_are_cleared_by_the_next_save()
    {
        var storage = new FaultyStorage();
        await using var cache = await CacheCluster.StartAsync(1, With(storage), snapshots: o => { o.Storage = "None"; o.Save = ""; o.ChunkBytes = 64; });
        var client = cache.CacheOnSilo(0);
        for (int i = 0; i < 30; i++) await client.SetAsync($"{{p}}:{i}", "v" + i);
        Assert.Equal("OK", (await client.ExecuteAsync("SAVE")).Text);

        // As if the silo died mid-save: the third chunk fails and the second cannot be cleared, so an orphan stays behind
        // (the other partitions' snapshots are one chunk each, untouched by these faults).
        storage.WriteFault = name => name.EndsWith("-2", StringComparison.Ordinal) ? new IOException("No space left on device (test)") : null;
        storage.ClearFault = name => name.EndsWith("-1", StringComparison.Ordinal) ? new IOException("storage unreachable (test)") : null;
        Assert.True((await client.ExecuteAsync("SAVE")).IsError);
        Assert.Contains(storage.ChunkGenerations().Values, generations => generations.Length == 2);

        // The next save that works clears them first.
        storage.WriteFault = null;
        storage.ClearFault = null;
        Assert.Equal("OK", (await client.ExecuteAsync("SAVE")).Text);
        AssertNoOrphanChunks(storage);
    }

    [Fact]
    public void The_save_retry_waits_5_seconds_each_time_as_Redis()
    {
        var time = new FakeTimeProvider();
        var backoff = new Backoff(time, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        for (int i = 0; i < 3; i++)
        {
            backoff.Failed();
            time.Advance(TimeSpan.FromMilliseconds(4999));
            Assert.False(backoff.Due);
            time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(backoff.Due);
        }
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
    internal static Task Until(Func<Task<bool>> condition, string what) => Poll.Until(condition, what, TimeSpan.FromSeconds(10));

    internal static Task Until(Func<bool> condition, string what) => Poll.Until(condition, what, TimeSpan.FromSeconds(10));
}
