using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Cache.Client;
using Orleans.Cache.Grains;
using Orleans.Cache.Silo;
using Orleans.Storage;

namespace Orleans.Cache.Tests.Postgres;

/// <summary>Which snapshot storage a silo uses when none is configured, and the one line at start that says so.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SnapshotStorageDefaultTests(PostgresServer postgres)
{
    [Fact]
    public async Task With_AdoNet_clustering_snapshots_default_to_PostgreSQL_and_the_silo_logs_where_they_go()
    {
        var db = await postgres.CreateDatabaseAsync();
        var logs = new LogLines();
        var host = await PostgresSilo.StartAsync(PostgresSilo.Settings(db, "default-storage", ("Snapshots:Storage", "")),
            services: s => s.AddSingleton<ILoggerProvider>(logs));
        try
        {
            Assert.IsNotType<FileGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(SnapshotOptions.StorageName));
            Assert.Single(logs.Lines, l => l.StartsWith("Snapshots are stored in", StringComparison.Ordinal));
            Assert.Contains("Snapshots are stored in PostgreSQL (ADO.NET grain storage)", logs.Lines);

            var cache = host.Services.GetRequiredService<ICache>();
            await cache.SetAsync("k", "v");
            Assert.Equal("OK", (await cache.ExecuteAsync("SAVE")).Text);
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM OrleansStorage", connection);
            Assert.True((long)(await count.ExecuteScalarAsync())! > 0, "SAVE wrote no rows to PostgreSQL");
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [Theory]
    [InlineData("Localhost", null, "File")]
    [InlineData("AdoNet", null, "AdoNet")]
    [InlineData("AdoNet", "", "AdoNet")]
    [InlineData("AdoNet", "File", "File")]
    [InlineData("Localhost", "AdoNet", "AdoNet")]
    [InlineData("AdoNet", "None", "None")]
    public void The_default_storage_follows_the_clustering_and_an_explicit_choice_stands(string clustering, string? configured, string chosen)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Snapshots:Storage"] = configured,
        }).Build();
        var settings = new SiloSettings { Clustering = clustering };
        Assert.Equal(chosen, SiloDeployment.ChooseSnapshotStorage(configuration, settings));
        Assert.Equal(chosen, configuration["Snapshots:Storage"]);
    }

    private sealed class LogLines : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Queue { get; } = new();
        public IReadOnlyList<string> Lines => [.. Queue];
        public ILogger CreateLogger(string categoryName) => this;
        public void Dispose() { }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) Queue.Enqueue(formatter(state, exception));
        }
    }
}
