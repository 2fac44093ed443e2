using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Orleans.Cache.Silo;

namespace Orleans.Cache.Tests.Postgres;

/// <summary>
/// A real, throwaway PostgreSQL server for the tests that need one (xunit collection fixture "Postgres"): initdb in a
/// temporary folder (as the postgres user when the tests run as root, since initdb refuses root), pg_ctl start on a free
/// loopback port, and on dispose pg_ctl stop and the folder deleted. Tests ask it for fresh databases with the
/// project's schema applied. Without PostgreSQL's server binaries the fixture fails with the install command.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string _root = "";
    private string _bin = "";
    private int _databases;

    public int Port { get; private set; }

    /// <summary>Connection string of the server's maintenance database.</summary>
    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Database=postgres;Username=postgres;Pooling=false";

    public async Task InitializeAsync()
    {
        _bin = FindServerBinaries();
        _root = Directory.CreateTempSubdirectory("orleans-cache-pg-").FullName;
        Directory.CreateDirectory(Path.Combine(_root, "socket"));
        if (RunningAsRoot) await RunAsync("chown", ["-R", "postgres:postgres", _root]);

        await RunAsPostgresAsync(Path.Combine(_bin, "initdb"), ["-D", DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        Port = FreePort();
        // Durability is pointless for a throwaway server; turning it off makes the tests faster.
        var options = $"-p {Port} -k {Path.Combine(_root, "socket")} -c listen_addresses=127.0.0.1 -c fsync=off " +
                      "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDir, "-l", Path.Combine(_root, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
    }

    /// <summary>A new empty database on this server, with the project's schema applied; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(bool applySchema = true)
    {
        var name = $"cache_{Interlocked.Increment(ref _databases)}";
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = $"Host=127.0.0.1;Port={Port};Database={name};Username=postgres";
        if (applySchema) await DatabaseSchema.ApplyAsync(connectionString);
        return connectionString;
    }

    public async Task DisposeAsync()
    {
        if (_root.Length == 0) return;
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
            await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDir, "-m", "immediate", "-w", "stop"]);
        Directory.Delete(_root, recursive: true);
    }

    private string DataDir => Path.Combine(_root, "data");

    private static bool RunningAsRoot => Environment.UserName == "root";

    private static string FindServerBinaries()
    {
        // Debian/Ubuntu keep the server binaries out of PATH, one folder per major version: take the newest.
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, "initdb")));
        return debian ?? onPath ?? throw new InvalidOperationException(
            "These tests need a real PostgreSQL server (15 or later), but initdb and pg_ctl were found neither under " +
            "/usr/lib/postgresql/*/bin nor on PATH. Install it: `apt-get update && apt-get install -y postgresql` " +
            "(bash .ci/run does this when run as root).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunAsPostgresAsync(string file, string[] args) =>
        RunningAsRoot ? RunAsync("runuser", ["-u", "postgres", "--", file, .. args]) : RunAsync(file, args);

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "Postgres";
}
