using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Cache.Client;
using Orleans.Cache.Silo;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Orleans.Cache.Tests.Postgres;

/// <summary>
/// The Orleans links of a non-Localhost cluster are not a back door: the gateway takes only clients that present the
/// cluster's certificate (mutual TLS), and a silo with AdoNet clustering refuses to start without one unless told to.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OrleansLinkTlsTests(PostgresServer postgres)
{
    [Fact]
    public async Task Only_a_client_with_the_cluster_certificate_can_call_a_partition_grain()
    {
        var db = await postgres.CreateDatabaseAsync(applySchema: true);
        using var silo = await PostgresSilo.StartAsync(PostgresSilo.Settings(db, "tls"));
        try
        {
            using (var trusted = await PostgresSilo.StartClientAsync(db, "tls", TestCertificates.Cluster))
            {
                var cache = trusted.Services.GetRequiredService<ICache>();
                await cache.SetAsync("tls:key", "through mTLS");
                Assert.Equal("through mTLS", await cache.GetStringAsync("tls:key"));
                await trusted.StopAsync();
            }
            Assert.False(await CanCallAsync(db, "tls", certificate: null), "a client without TLS reached a partition grain");
            Assert.False(await CanCallAsync(db, "tls", TestCertificates.Stranger), "a client with a certificate the cluster never saw reached a partition grain");
        }
        finally
        {
            await silo.StopAsync();
        }
    }

    [Fact]
    public async Task A_silo_with_AdoNet_clustering_and_no_certificate_refuses_to_start_with_a_clear_error()
    {
        var settings = PostgresSilo.Settings("Host=127.0.0.1;Port=1;Database=none", "no-tls");
        settings.Remove("Silo:Tls:Certificate");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => PostgresSilo.StartAsync(settings));
        Assert.Contains("Silo:Tls:Certificate", error.GetBaseException().Message);
    }

    /// <summary>Starts a client (with <paramref name="certificate"/>, or plain TCP) and calls a partition grain; false if it cannot.</summary>
    private static async Task<bool> CanCallAsync(string db, string clusterId, string? certificate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        IHost? client = null;
        try
        {
            client = await PostgresSilo.StartClientAsync(db, clusterId, certificate, timeout.Token);
            await client.Services.GetRequiredService<ICache>().GetStringAsync("tls:key").WaitAsync(timeout.Token);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
        finally
        {
            client?.Dispose();
        }
    }
}
