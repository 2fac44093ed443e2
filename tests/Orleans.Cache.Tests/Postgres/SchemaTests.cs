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
        var shipped = Path.Combine(Path.GetDirectoryName(SiloProcess.SiloDll)!, "sql", "postgresql.sql");
        Assert.True(File.Exists(shipped), shipped);
        Assert.Equal(DatabaseSchema.Script, File.ReadAllText(shipped));
    }

    [Fact]
    public async Task The_silo_applies_the_schema_and_exits_with_init_db_only()
    {
        var connectionString = await postgres.CreateDatabaseAsync(applySchema: false);
        using var silo = SiloProcess.Start(["--init-db-only", "--Silo:ConnectionString", connectionString]);
        await silo.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(silo.ExitCode == 0, $"exit code {silo.ExitCode}:\n{silo.Output}");
        Assert.Contains("PostgreSQL schema applied", silo.Output);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM OrleansQuery", connection);
        Assert.Equal((long)RequiredQueries.Length, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task The_silo_names_the_missing_setting_when_init_db_has_no_connection_string()
    {
        using var silo = SiloProcess.Start(["--init-db-only"]);
        await silo.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, silo.ExitCode);
        Assert.Contains("Silo:ConnectionString", silo.Output);
    }
}
