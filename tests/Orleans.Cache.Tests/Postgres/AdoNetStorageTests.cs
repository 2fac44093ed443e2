using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Cache.Client;
using Orleans.Cache.Grains;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.Cache.Tests.Postgres;

/// <summary>ADO.NET grain storage on PostgreSQL under the names the silo registers ("snapshots", "PubSubStore").</summary>
[Collection(PostgresCollection.Name)]
public sealed class AdoNetStorageTests(PostgresServer postgres)
{
    [Fact]
    public async Task Partition_state_saved_to_PostgreSQL_comes_back_in_a_restarted_cluster()
    {
        var db = await postgres.CreateDatabaseAsync();
        const string ClusterId = "restart";
        (string, string) adoNetSnapshots = ("Snapshots:Storage", "AdoNet");

        var silos = await Task.WhenAll(
            PostgresSilo.StartAsync(PostgresSilo.Settings(db, ClusterId, adoNetSnapshots)),
            PostgresSilo.StartAsync(PostgresSilo.Settings(db, ClusterId, adoNetSnapshots)));
        try
        {
            var cache = silos[0].Services.GetRequiredService<ICache>();
            for (int i = 0; i < 200; i++) await cache.SetAsync($"key:{i}", $"value {i}");
            Assert.Equal("OK", (await cache.ExecuteAsync("SAVE")).Text);
        }
        finally
        {
            await StopAsync(silos);
        }
        Assert.True(await StorageRowsAsync(db) > 0, "no rows in OrleansStorage after SAVE");

        // A whole new cluster (new silos, same service id and database) reads every key back from PostgreSQL.
        silos = await Task.WhenAll(
            PostgresSilo.StartAsync(PostgresSilo.Settings(db, ClusterId, adoNetSnapshots)),
            PostgresSilo.StartAsync(PostgresSilo.Settings(db, ClusterId, adoNetSnapshots)));
        try
        {
            var cache = silos[1].Services.GetRequiredService<ICache>();
            var values = await cache.GetManyAsync([.. Enumerable.Range(0, 200).Select(i => $"key:{i}")]);
            for (int i = 0; i < 200; i++) Assert.Equal($"value {i}", values[i] is { } v ? System.Text.Encoding.UTF8.GetString(v) : null);
        }
        finally
        {
            await StopAsync(silos);
        }
    }

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
