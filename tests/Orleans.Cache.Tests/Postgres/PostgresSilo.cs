using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Cache.Silo;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Orleans.Cache.Tests.Postgres;

/// <summary>
/// A real silo in this process, configured like silo/Program.cs (the same SiloSettings and deployment calls) with
/// ADO.NET clustering on PostgreSQL and its own loopback TCP ports.
/// </summary>
internal static class PostgresSilo
{
    public const int Partitions = 4;

    /// <summary>Configuration of one silo of cluster <paramref name="clusterId"/>; <paramref name="extra"/> overrides.</summary>
    public static Dictionary<string, string?> Settings(string connectionString, string clusterId, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Silo:Clustering"] = "AdoNet",
            ["Silo:ConnectionString"] = connectionString,
            ["Silo:AdvertisedIP"] = "127.0.0.1",
            ["Silo:SiloPort"] = FreePort().ToString(),
            ["Silo:GatewayPort"] = FreePort().ToString(),
            ["Silo:ClusterId"] = clusterId,
            ["Silo:ServiceId"] = clusterId,
            ["Cache:Partitions"] = Partitions.ToString(),
            ["Snapshots:Storage"] = "None",
            ["Snapshots:Save"] = "",
        };
        foreach (var (key, value) in TestCertificates.SiloSettings(TestCertificates.Cluster)) settings[key] = value;
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    public static async Task<IHost> StartAsync(Dictionary<string, string?> configuration, TimeProvider? partitionClock = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        services?.Invoke(builder.Services);
        if (partitionClock is not null) builder.Services.AddSingleton(new Orleans.Cache.Grains.CacheClock(partitionClock));
        builder.Configuration.AddInMemoryCollection(configuration);
        var settings = builder.Configuration.GetSection(SiloSettings.Section).Get<SiloSettings>()!;
        builder.UseOrleans(silo =>
        {
            silo.UseCacheClustering(settings);
            silo.Configure<ClusterOptions>(o => { o.ClusterId = settings.ClusterId; o.ServiceId = settings.ServiceId; });
            silo.AddCacheGrainStorage(settings, builder.Configuration);
            silo.AddOrleansCache(builder.Configuration);
            silo.Services.AddOrleansCacheClient();
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>
    /// An external Orleans client of cluster <paramref name="clusterId"/> with the typed cache, presenting
    /// <paramref name="certificate"/> (a PKCS#12 file of <see cref="TestCertificates"/>) on its gateway links, or plain
    /// TCP without one.
    /// </summary>
    public static async Task<IHost> StartClientAsync(string db, string clusterId, string? certificate, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.UseAdoNetClustering(o => { o.Invariant = DatabaseSchema.Invariant; o.ConnectionString = db; });
            client.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = clusterId; });
            if (certificate is not null)
            {
                var tls = new SiloTlsSettings { Certificate = certificate, Password = TestCertificates.Password };
                var local = tls.LoadCertificate();
                client.UseTls(local, o => tls.Configure(o, local));
            }
        });
        builder.Services.AddOrleansCacheClient(configure: o => o.Partitions = Partitions);
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    /// <summary>Silo rows of cluster <paramref name="clusterId"/> in the membership table: (port, status).</summary>
    public static async Task<List<(int Port, int Status)>> MembershipAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT Port, Status FROM OrleansMembershipTable WHERE DeploymentId = @c ORDER BY Port", connection);
        command.Parameters.AddWithValue("c", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, int)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt32(0), reader.GetInt32(1)));
        return rows;
    }

    /// <summary>Polls until <paramref name="done"/> holds for the membership rows, or fails after <paramref name="timeout"/>.</summary>
    public static async Task<List<(int Port, int Status)>> WaitForMembershipAsync(string connectionString, string clusterId,
        Func<List<(int Port, int Status)>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var rows = await MembershipAsync(connectionString, clusterId);
            if (done(rows)) return rows;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"membership of {clusterId} after {timeout.TotalSeconds} s: {string.Join(", ", rows.Select(r => $"{r.Port}:{r.Status}"))}");
            await Task.Delay(200);
        }
    }

    public const int Active = 3, Dead = 6;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
