using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Grains;
using Orleans.Cache.Resp;
using Orleans.Cache.Tests.Cluster;
using Orleans.Cache.Tests.Resp;
using Orleans.Storage;

namespace Orleans.Cache.Tests.Snapshots;

/// <summary>SAVE, BGSAVE, LASTSAVE and the <c>save</c> policy, seen through RESP on a TestingHost silo with a fake partition clock.</summary>
public sealed class SaveCommandTests
{
    /// <summary>A whole second, so that LASTSAVE's Unix seconds are exact.</summary>
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    private static readonly long StartSeconds = Start.ToUnixTimeSeconds();

    [Fact]
    public async Task Writes_are_served_while_a_background_save_is_still_being_written()
    {
        var storage = new GatedStorage();
        await using var cache = await CacheCluster.StartAsync(1, builder => builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>(SnapshotOptions.StorageName, storage);
            silo.Services.AddRespEndpoint(o => o.Port = 0);
        }), startTime: Start, snapshots: o => { o.Storage = "None"; o.Save = ""; });
        try
        {
            using var resp = await ConnectAsync(cache);
            Assert.Equal("+OK\r\n", await Ask(resp, "SET", "before", "1"));
            cache.Time.Advance(TimeSpan.FromSeconds(10));

            // BGSAVE answers at once while every partition's snapshot write waits at the gate.
            Assert.Equal("+Background saving started\r\n", await Ask(resp, "BGSAVE"));
            await Until(() => Task.FromResult(storage.WritesStarted >= CacheCluster.Partitions), "every partition to start writing its snapshot");
            Assert.Equal("-ERR Background save already in progress\r\n", await Ask(resp, "BGSAVE"));
            Assert.Equal($":{StartSeconds}\r\n", await Ask(resp, "LASTSAVE"));

            // The partitions being saved serve writes and reads: grain calls from an external client, and RESP.
            var external = cache.ExternalCache;
            Assert.True(await external.SetAsync("during:external", "2").WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal("2", await external.GetStringAsync("during:external").WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal("+OK\r\n", await Ask(resp, "SET", "during:resp", "3"));
            Assert.Equal(":2\r\n", await Ask(resp, "INCR", "before"));
            Assert.Equal(":3\r\n", await Ask(resp, "DBSIZE"));

            // Still saving: nothing was written yet, and LASTSAVE has not moved.
            Assert.Equal("-ERR Background save already in progress\r\n", await Ask(resp, "BGSAVE"));
            storage.Open();
            await Until(async () => await Ask(resp, "LASTSAVE") == $":{StartSeconds + 10}\r\n", "LASTSAVE to show the finished save");
        }
        finally
        {
            storage.Open();
        }
    }

    [Fact]
    public async Task SAVE_BGSAVE_and_LASTSAVE_reply_as_Redis_does_with_times_from_the_partition_clock()
    {
        await using var cache = await CacheCluster.StartAsync(1, builder => builder.ConfigureSilo((_, silo) =>
            silo.Services.AddRespEndpoint(o => o.Port = 0)), startTime: Start, snapshots: o => o.Save = "");
        using var resp = await ConnectAsync(cache);

        // As in Redis, starting counts as saved.
        Assert.Equal($":{StartSeconds}\r\n", await Ask(resp, "LASTSAVE"));
        Assert.Equal("+OK\r\n", await Ask(resp, "SET", "k", "v"));

        // SAVE replies when the snapshot is stored: LASTSAVE shows it at once.
        cache.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("+OK\r\n", await Ask(resp, "SAVE"));
        Assert.Equal($":{StartSeconds + 10}\r\n", await Ask(resp, "LASTSAVE"));

        cache.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("+Background saving started\r\n", await Ask(resp, "BGSAVE"));
        await Until(async () => await Ask(resp, "LASTSAVE") == $":{StartSeconds + 20}\r\n", "LASTSAVE to show the background save");
        Assert.Equal("+Background saving started\r\n", await Ask(resp, "BGSAVE", "SCHEDULE"));

        Assert.Equal("-ERR syntax error\r\n", await Ask(resp, "BGSAVE", "NOW"));
        Assert.Equal("-ERR wrong number of arguments for 'save' command\r\n", await Ask(resp, "SAVE", "x"));
        Assert.Equal("-ERR wrong number of arguments for 'lastsave' command\r\n", await Ask(resp, "LASTSAVE", "x"));
    }

    [Fact]
    public async Task The_save_policy_snapshots_a_partition_once_its_seconds_and_changes_are_reached_on_the_partition_clock()
    {
        await using var cache = await CacheCluster.StartAsync(1, startTime: Start, snapshots: o => o.Save = "60 3");
        string[] Manifests() => Directory.GetFiles(cache.SnapshotDir, "snapshot.bin", SearchOption.AllDirectories);

        // Three changes in one partition (one hash tag), but no time has passed on the partition clock.
        var client = cache.CacheOnSilo(0);
        for (int i = 0; i < 3; i++) await client.SetAsync($"{{policy}}:{i}", "v");
        Assert.Empty(Manifests());

        // 60 seconds later that partition saves by itself; the others, unchanged, do not.
        cache.Time.Advance(TimeSpan.FromSeconds(60));
        await Until(() => Task.FromResult(Manifests().Length > 0), "the policy's save");
        Assert.Single(Manifests());
    }

    [Fact]
    public void Save_rules_need_both_their_seconds_and_their_changes_and_an_empty_policy_never_saves()
    {
        var redisDefaults = new SnapshotOptions { Save = "3600 1 300 100 60 10000" };
        Assert.False(redisDefaults.SaveIsDue(TimeSpan.FromSeconds(59), 1_000_000));
        Assert.True(redisDefaults.SaveIsDue(TimeSpan.FromSeconds(60), 10_000));
        Assert.False(redisDefaults.SaveIsDue(TimeSpan.FromSeconds(299), 9_999));
        Assert.True(redisDefaults.SaveIsDue(TimeSpan.FromSeconds(300), 100));
        Assert.False(redisDefaults.SaveIsDue(TimeSpan.FromSeconds(3599), 99));
        Assert.True(redisDefaults.SaveIsDue(TimeSpan.FromSeconds(3600), 1));
        Assert.False(redisDefaults.SaveIsDue(TimeSpan.FromDays(1), 0));

        Assert.False(new SnapshotOptions { Save = "" }.SaveIsDue(TimeSpan.FromDays(1), 1_000_000));
        Assert.Throws<FormatException>(() => new SnapshotOptions { Save = "60" }.SaveIsDue(TimeSpan.FromDays(1), 1));
    }

    private static Task<RawClient> ConnectAsync(CacheCluster cache) =>
        RawClient.ConnectAsync(cache.Cluster.Silos[0].ServiceProvider.GetRequiredService<RespServer>().EndPoints[0]);

    /// <summary>Sends one command as a RESP array and returns its one-line reply.</summary>
    private static async Task<string> Ask(RawClient client, params string[] argv)
    {
        var request = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{argv.Length}\r\n");
        foreach (var arg in argv) request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n");
        await client.SendAsync(request.ToString());
        return await client.ReceiveAsync("\r\n");
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after 10 s (work that should take milliseconds).</summary>
    private static Task Until(Func<Task<bool>> condition, string what) => Poll.Until(condition, what, TimeSpan.FromSeconds(10));
}
