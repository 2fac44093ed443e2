using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Cache.Client;
using Orleans.Cache.Execution;
using Orleans.Cache.Grains;
using Orleans.Cache.Silo;
using Orleans.Cache.Tests.Cluster;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Orleans.Cache.Tests.Postgres;

/// <summary>ADO.NET grain storage on PostgreSQL under the names the silo registers ("snapshots", "PubSubStore").</summary>
[Collection(PostgresCollection.Name)]
public sealed class AdoNetStorageTests(PostgresServer postgres, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Keys_of_every_type_saved_to_PostgreSQL_come_back_in_a_restarted_cluster_with_their_remaining_ttls()
    {
        var db = await postgres.CreateDatabaseAsync();
        var start = DateTimeOffset.UtcNow;
        const int Keys = 100_000;
        await using (var first = await CacheCluster.StartAsync(2, SnapshotsIn(db), startTime: start, snapshots: o => o.Storage = "AdoNet"))
        {
            var cache = first.CacheOnSilo(0);
            await Snapshots.SnapshotWorkload.WriteAsync(cache, Keys);
            Assert.Equal("OK", (await cache.ExecuteAsync("SAVE")).Text);
        }
        Assert.True(await StorageRowsAsync(db) > 0, "no rows in OrleansStorage after SAVE");

        // A whole new TestingHost cluster on the same database, 5 minutes later on the partitions' clock, reads every
        // key back from PostgreSQL; the 1-minute keys expired while it was down.
        var downtime = TimeSpan.FromMinutes(5);
        await using var second = await CacheCluster.StartAsync(2, SnapshotsIn(db), startTime: start + downtime, snapshots: o => o.Storage = "AdoNet");
        await Snapshots.SnapshotWorkload.VerifyAsync(second.CacheOnSilo(1), Keys, downtime);
    }

    /// <summary>
    /// TestingHost silos whose "snapshots" storage is ADO.NET on <paramref name="db"/>, registered as the silo host does
    /// (<see cref="SiloDeployment.AddCacheGrainStorage"/>), under one service id: ADO.NET storage keys rows by it.
    /// </summary>
    private static Action<InProcessTestClusterBuilder> SnapshotsIn(string db) => builder =>
    {
        builder.Options.ServiceId = "restart";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Silo:ConnectionString"] = db,
            ["Snapshots:Storage"] = "AdoNet",
        }).Build();
        var settings = configuration.GetSection(SiloSettings.Section).Get<SiloSettings>()!;
        builder.ConfigureSilo((_, silo) => silo.AddCacheGrainStorage(settings, configuration));
    };

    [Fact]
    public async Task Grain_storage_versions_writes_and_rejects_a_stale_etag()
    {
        var db = await postgres.CreateDatabaseAsync();
        var silo = await PostgresSilo.StartAsync(PostgresSilo.Settings(db, "etags", ("Snapshots:Storage", "AdoNet")));
        try
        {
            var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(SnapshotOptions.StorageName);
            var id = GrainId.Create("test", "etag-grain");
            const string Type = "TestState";

            // A state type Orleans serialises and can create empty (what a cleared state reads back as).
            var state = new GrainState<List<string>> { State = ["first"] };
            await storage.WriteStateAsync(Type, id, state);
            Assert.Equal("1", state.ETag);

            var read = new GrainState<List<string>>();
            await storage.ReadStateAsync(Type, id, read);
            Assert.Equal(["first"], read.State);
            Assert.Equal(("1", true), (read.ETag, read.RecordExists));

            read.State = ["second"];
            await storage.WriteStateAsync(Type, id, read);
            Assert.Equal("2", read.ETag);

            // The first writer still holds version 1: its write must fail, not overwrite.
            state.State = ["lost update"];
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(Type, id, state));
            // So must a second "first write" of the same grain.
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(Type, id, new GrainState<List<string>> { State = ["again"] }));
            var current = new GrainState<List<string>>();
            await storage.ReadStateAsync(Type, id, current);
            Assert.Equal(["second"], current.State);

            await storage.ClearStateAsync(Type, id, read);
            var cleared = new GrainState<List<string>>();
            await storage.ReadStateAsync(Type, id, cleared);
            Assert.Empty(cleared.State!);
            Assert.Equal(("3", false), (cleared.ETag, cleared.RecordExists));

            // After a clear the row keeps counting versions: the holder of version 3 may write again.
            cleared.State = ["third"];
            await storage.WriteStateAsync(Type, id, cleared);
            Assert.Equal("4", cleared.ETag);

            // Another grain is another row.
            var other = new GrainState<List<string>> { State = ["other"] };
            await storage.WriteStateAsync(Type, GrainId.Create("test", "other-grain"), other);
            Assert.Equal("1", other.ETag);
        }
        finally
        {
            await StopAsync([silo]);
        }
    }

    [Fact]
    public async Task PubSubStore_is_ADO_NET_storage_with_ADO_NET_clustering()
    {
        var db = await postgres.CreateDatabaseAsync();
        var silo = await PostgresSilo.StartAsync(PostgresSilo.Settings(db, "pubsub"));
        try
        {
            var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(Silo.SiloDeployment.PubSubStore);
            var state = new GrainState<List<string>> { State = ["subscription"] };
            await storage.WriteStateAsync("PubSubRendezvousGrain", GrainId.Create("pubsub", "stream-1"), state);
            Assert.Equal(1, await StorageRowsAsync(db));
        }
        finally
        {
            await StopAsync([silo]);
        }
    }

    [Fact]
    public async Task A_partition_of_a_million_keys_snapshots_to_PostgreSQL_in_chunks_and_loads_back()
    {
        var db = await postgres.CreateDatabaseAsync();
        const int Keys = 1_000_000;
        (string, string)[] settings = [("Snapshots:Storage", "AdoNet"), ("Cache:Partitions", "1")];
        var silo = await PostgresSilo.StartAsync(PostgresSilo.Settings(db, "million", settings));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var executor = silo.Services.GetRequiredService<ICommandExecutor>();
            var value = new byte[32];
            for (int start = 0; start < Keys; start += 20_000)
                await executor.ExecuteAsync(Enumerable.Range(start, 20_000)
                    .Select(i => new[] { "SET"u8.ToArray(), System.Text.Encoding.ASCII.GetBytes($"key:{i:D8}"), value }).ToArray());
            clock.Restart();
            Assert.Equal("OK", (await silo.Services.GetRequiredService<ICache>().ExecuteAsync("SAVE")).Text);
            output.WriteLine($"SAVE of {Keys:N0} keys to PostgreSQL: {clock.ElapsedMilliseconds} ms");
        }
        finally
        {
            await StopAsync([silo]);
        }
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync();
            await using var rows = new NpgsqlCommand("SELECT count(*), sum(length(PayloadBinary)) FROM OrleansStorage WHERE PayloadBinary IS NOT NULL", connection);
            await using var reader = await rows.ExecuteReaderAsync();
            await reader.ReadAsync();
            output.WriteLine($"{reader.GetInt64(0)} rows, {reader.GetInt64(1) / 1e6:N1} MB");
            Assert.True(reader.GetInt64(0) > 5, "a 1M-key snapshot is stored as several chunk rows");
        }

        silo = await PostgresSilo.StartAsync(PostgresSilo.Settings(db, "million", settings));
        try
        {
            clock.Restart();
            Assert.Equal(Keys, await silo.Services.GetRequiredService<ICache>().CountAsync());
            output.WriteLine($"load on activation: {clock.ElapsedMilliseconds} ms");
        }
        finally
        {
            await StopAsync([silo]);
        }
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    public async Task A_corrupt_or_truncated_snapshot_row_fails_only_its_partition_with_a_clear_error(string damage)
    {
        var db = await postgres.CreateDatabaseAsync();
        const string ClusterId = "corrupt";
        (string, string) adoNetSnapshots = ("Snapshots:Storage", "AdoNet");
        var silo = await PostgresSilo.StartAsync(PostgresSilo.Settings(db, ClusterId, adoNetSnapshots));
        try
        {
            var cache = silo.Services.GetRequiredService<ICache>();
            for (int i = 0; i < 400; i++) await cache.SetAsync($"c:{i}", "v");
            Assert.Equal("OK", (await cache.ExecuteAsync("SAVE")).Text);
        }
        finally
        {
            await StopAsync([silo]);
        }

        // Damage the largest stored row (a chunk of one partition's snapshot): flip the byte in its middle, or cut it in half.
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync();
            string payload = damage == "flip"
                ? "set_byte(PayloadBinary, length(PayloadBinary) / 2, get_byte(PayloadBinary, length(PayloadBinary) / 2) # 255)"
                : "substring(PayloadBinary from 1 for length(PayloadBinary) / 2)";
            await using var update = new NpgsqlCommand($"""
                UPDATE OrleansStorage SET PayloadBinary = {payload}
                WHERE ctid = (SELECT ctid FROM OrleansStorage WHERE PayloadBinary IS NOT NULL ORDER BY length(PayloadBinary) DESC LIMIT 1)
                """, connection);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        silo = await PostgresSilo.StartAsync(PostgresSilo.Settings(db, ClusterId, adoNetSnapshots));
        try
        {
            var cache = silo.Services.GetRequiredService<ICache>();
            int failed = 0, served = 0;
            for (int i = 0; i < 400; i++)
            {
                try { Assert.Equal("v", await cache.GetStringAsync($"c:{i}")); served++; }
                catch (CacheException e) { Assert.Contains("snapshot could not be loaded", e.Message); failed++; }
            }
            Assert.True(failed > 0, "the damaged partition must say so");
            Assert.True(served > 0, "the other partitions keep serving");
        }
        finally
        {
            await StopAsync([silo]);
        }
    }

    private static async Task StopAsync(IHost[] silos)
    {
        await Task.WhenAll(silos.Select(s => s.StopAsync()));
        foreach (var s in silos) s.Dispose();
    }

    private static async Task<long> StorageRowsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM OrleansStorage", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
