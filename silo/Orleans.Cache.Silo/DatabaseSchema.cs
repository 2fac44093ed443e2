using Npgsql;

namespace Orleans.Cache.Silo;

/// <summary>
/// The project's PostgreSQL schema for Orleans ADO.NET clustering and grain storage (sql/postgresql.sql, embedded in
/// this assembly and also shipped beside it). Applying it is idempotent: it creates what is missing and rewrites the
/// named queries, so it is both the set-up and the upgrade step.
/// </summary>
public static class DatabaseSchema
{
    /// <summary>The ADO.NET invariant name the Orleans providers use for PostgreSQL (Npgsql).</summary>
    public const string Invariant = "Npgsql";

    /// <summary>The text of sql/postgresql.sql.</summary>
    public static string Script { get; } = ReadScript();

    /// <summary>Creates or upgrades the schema in the database named by <paramref name="connectionString"/>.</summary>
    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // The script is one transaction of its own (BEGIN … COMMIT) and serialises concurrent appliers with a lock.
        await using var command = new NpgsqlCommand(Script, connection) { CommandTimeout = 120 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string ReadScript()
    {
        using var stream = typeof(DatabaseSchema).Assembly.GetManifestResourceStream("Orleans.Cache.Silo.sql.postgresql.sql")
            ?? throw new InvalidOperationException("sql/postgresql.sql is not embedded in Orleans.Cache.Silo");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
