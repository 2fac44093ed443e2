using System.Text;
using Orleans.Cache.Client;
using Orleans.Cache.Tests.Cluster;

namespace Orleans.Cache.Tests.Snapshots;

/// <summary>Snapshots in the default local folder: a whole cluster stops and comes back with its data.</summary>
public sealed class FileSnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("orleans-cache-snap-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_restarted_cluster_has_every_key_of_every_type_with_its_remaining_ttl_and_not_the_keys_that_expired_meanwhile()
    {
        var start = DateTimeOffset.UtcNow;
        const int Keys = 100_000;
        await using (var first = await CacheCluster.StartAsync(2, snapshotDir: _dir, startTime: start))
        {
            var cache = first.CacheOnSilo(0);
            await SnapshotWorkload.WriteAsync(cache, Keys);
            Assert.Equal("OK", (await cache.ExecuteAsync("SAVE")).Text);
        }

        // The cluster is down for 5 minutes (on the partitions' clock): the 1-minute keys expire meanwhile.
        var downtime = TimeSpan.FromMinutes(5);
        await using var second = await CacheCluster.StartAsync(2, snapshotDir: _dir, startTime: start + downtime);
        await SnapshotWorkload.VerifyAsync(second.CacheOnSilo(1), Keys, downtime);
    }

    [Fact]
    public async Task Graceful_shutdown_saves_without_an_explicit_SAVE()
    {
        await using (var first = await CacheCluster.StartAsync(2, snapshotDir: _dir, snapshots: o => o.Save = ""))
            await first.CacheOnSilo(0).SetAsync("survivor", "yes");
        await using var second = await CacheCluster.StartAsync(2, snapshotDir: _dir);
        Assert.Equal("yes", await second.CacheOnSilo(1).GetStringAsync("survivor"));
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    public async Task A_corrupt_or_truncated_snapshot_file_fails_only_its_partition_with_a_clear_error(string damage)
    {
        await using (var first = await CacheCluster.StartAsync(1, snapshotDir: _dir))
        {
            for (int i = 0; i < 200; i++) await first.CacheOnSilo(0).SetAsync($"c:{i}", "v");
            await first.CacheOnSilo(0).ExecuteAsync("SAVE");
        }
        // Damage one chunk file: a byte flipped in the middle, or its second half gone.
        var chunk = Directory.GetFiles(_dir, "snapshot-*-0.bin", SearchOption.AllDirectories).OrderBy(f => f).First();
        var bytes = File.ReadAllBytes(chunk);
        if (damage == "flip") bytes[bytes.Length / 2] ^= 0xFF;
        else bytes = bytes[..(bytes.Length / 2)];
        File.WriteAllBytes(chunk, bytes);

        await using var second = await CacheCluster.StartAsync(1, snapshotDir: _dir);
        var cache = second.CacheOnSilo(0);
        int failed = 0, served = 0;
        for (int i = 0; i < 200; i++)
        {
            try { Assert.Equal("v", await cache.GetStringAsync($"c:{i}")); served++; }
            catch (CacheException e) { Assert.Contains("snapshot could not be loaded", e.Message); failed++; }
        }
        Assert.True(failed > 0, "the damaged partition must say so");
        Assert.True(served > 0, "the other partitions keep serving");
    }
}
