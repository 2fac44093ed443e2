using Npgsql;
using Orleans.Cache.Silo;

namespace Orleans.Cache.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class SchemaTests(PostgresServer postgres)
{
    private static readonly string[] RequiredQueries =
    [
        // Clustering (all required by the provider at start-up, plus the optional per-row cleanup).
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
        // Grain storage (Delete is needed only with DeleteStateOnClear).
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
    ];

    [Fact]
    public async Task The_schema_applies_to_an_empty_database_and_again_without_error_or_duplicates()
    {
        var connectionString = await postgres.CreateDatabaseAsync(applySchema: false);
        await DatabaseSchema.ApplyAsync(connectionString);
        await DatabaseSchema.ApplyAsync(connectionString);
        // Concurrent appliers (silos started together with --init-db) serialise instead of failing.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => DatabaseSchema.ApplyAsync(connectionString)));

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var keys = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        Assert.Equal(RequiredQueries.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));

        foreach (var table in new[] { "orleansmembershipversiontable", "orleansmembershiptable", "orleansstorage" })
        {
            await using var exists = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", connection);
            exists.Parameters.AddWithValue("t", table);
            Assert.True((bool)(await exists.ExecuteScalarAsync())!, table);
        }
    }

    [Fact]
    public void The_script_ships_beside_the_silo_and_matches_the_embedded_copy()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "sql", "postgresql.sql");
        Assert.True(File.Exists(shipped), shipped);
        Assert.Equal(DatabaseSchema.Script, File.ReadAllText(shipped));
    }
}
