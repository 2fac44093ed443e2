using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Cache.Grains;
using Orleans.Cache.Silo;
using Orleans.Cache.Tests.Cluster;
using Orleans.Cache.Tests.Snapshots;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Orleans.Cache.Tests.Postgres;

/// <summary>A snapshot save to PostgreSQL that fails midway: its chunk rows are cleared and the previous snapshot loads.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AdoNetSaveFaultTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_save_to_PostgreSQL_that_fails_midway_clears_its_chunk_rows_and_the_previous_snapshot_loads()
    {
        var db = await postgres.CreateDatabaseAsync();
        Func<string, Exception?>? writeFault = null;
        Action<InProcessTestClusterBuilder> faultyPostgres = builder =>
        {
            builder.Options.ServiceId = "save-faults";
            builder.ConfigureSilo((_, silo) =>
            {
                silo.AddPostgresGrainStorage("snapshots-inner", db);
                silo.Services.AddOptions<AdoNetGrainStorageOptions>("snapshots-inner")
                    .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
                silo.Services.AddKeyedSingleton<IGrainStorage>(SnapshotOptions.StorageName, (sp, _) =>
                    new FaultyStorage(sp.GetRequiredKeyedService<IGrainStorage>("snapshots-inner")) { WriteFault = name => writeFault?.Invoke(name) });
            });
        };
        Action<SnapshotOptions> snapshots = o => { o.Storage = "None"; o.Save = ""; o.ChunkBytes = 64; };

        long stored;
        await using (var first = await CacheCluster.StartAsync(1, faultyPostgres, snapshots: snapshots))
        {
            var cache = first.CacheOnSilo(0);
            for (int i = 0; i < 30; i++) await cache.SetAsync($"{{p}}:{i}", "before-" + i);
            Assert.Equal("OK", (await cache.ExecuteAsync("SAVE")).Text);
            stored = await RowsWithDataAsync(db);

            writeFault = name => name.EndsWith("-2", StringComparison.Ordinal) ? new IOException("No space left on device (test)") : null;
            await cache.SetAsync("{p}:after", "lost");
            var failed = await cache.ExecuteAsync("SAVE");
            Assert.True(failed.IsError);
            Assert.Contains("No space left on device (test)", failed.Text);
            // The failed save's chunks hold no data any more: as many rows hold data as after the save that worked.
            Assert.Equal(stored, await RowsWithDataAsync(db));
        }

        writeFault = null;
        await using var second = await CacheCluster.StartAsync(1, faultyPostgres, snapshots: snapshots);
        var again = second.CacheOnSilo(0);
        for (int i = 0; i < 30; i++) Assert.Equal("before-" + i, await again.GetStringAsync($"{{p}}:{i}"));
        Assert.Null(await again.GetStringAsync("{p}:after"));
    }

    private static async Task<long> RowsWithDataAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM OrleansStorage WHERE PayloadBinary IS NOT NULL", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
