using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Cache.Execution;
using Orleans.Cache.Grains;
using Orleans.Cache.Resp;
using Orleans.Cache.Silo;
using Orleans.Cache.Tests.Cluster;
using Orleans.Cache.Tests.Postgres;
using Orleans.Cache.Tests.Resp;
using Orleans.Cache.Tests.Snapshots;
using Orleans.Storage;

namespace Orleans.Cache.Tests.Deployment;

/// <summary>
/// The silo's HTTP endpoint as Kubernetes's probes use it: /health/live answers while the process serves, /health/ready
/// only while the RESP endpoint answers PING (password and all) and this silo's partitions are loaded.
/// </summary>
public sealed class HttpEndpointTests
{
    [Fact]
    public async Task Ready_while_resp_answers_ping_and_unavailable_when_it_does_not()
    {
        int httpPort = PostgresSilo.FreePort();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ICommandExecutor, KeyspaceExecutor>();
        builder.Services.AddRespEndpoint(o => { o.Port = 0; o.RequirePass = "s3cret"; });
        builder.Services.AddSingleton(new SiloSettings { HttpPort = httpPort });
        builder.Services.AddSingleton(new TelemetrySettings());
        builder.Services.AddHostedService<HttpEndpoint>();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/other")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/metrics")).StatusCode); // Telemetry:Prometheus is off

            // A RESP endpoint that turns clients away is not ready, and says why; it is still alive.
            var resp = host.Services.GetRequiredService<RespServer>();
            using var admin = new RawClient(resp.EndPoints[0]);
            Assert.Equal("+OK", await admin.CommandAsync("AUTH", "s3cret"));
            Assert.Equal("+OK", await admin.CommandAsync("CONFIG", "SET", "maxclients", "1"));
            var refused = await http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("resp: Unhealthy: RESP endpoint not serving", await refused.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
            Assert.Equal("+OK", await admin.CommandAsync("CONFIG", "SET", "maxclients", "10000"));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Ready_only_once_the_partitions_placed_in_this_silo_have_loaded_their_snapshots()
    {
        // Snapshot reads fail as an unreachable database's would: the partitions activate, answer LOADING and retry.
        var storage = new FaultyStorage { ReadFault = state => state == "snapshot" ? new IOException("storage unreachable") : null };
        await using var cache = await CacheCluster.StartAsync(1, builder => builder.ConfigureSilo((_, silo) =>
            silo.Services.AddKeyedSingleton<IGrainStorage>(SnapshotOptions.StorageName, storage)), snapshots: o => { o.Storage = "None"; o.Save = ""; });
        int httpPort = PostgresSilo.FreePort();
        await using var endpoint = new HttpEndpoint(new SiloSettings { HttpPort = httpPort }, new TelemetrySettings(),
            cache.Cluster.Silos[0].ServiceProvider, NullLogger<HttpEndpoint>.Instance);
        await endpoint.StartAsync(default);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };

        // The first probe activates every partition; they stay unready while their snapshots cannot be read.
        string reason = "";
        await Poll.Until(async () =>
        {
            var reply = await http.GetAsync("/health/ready");
            reason = await reply.Content.ReadAsStringAsync();
            return reply.StatusCode == HttpStatusCode.ServiceUnavailable && reason.Contains("loading their snapshots");
        }, "readiness to report the partitions loading", TimeSpan.FromSeconds(30));
        Assert.Contains($"partitions: Unhealthy: {CacheCluster.Partitions} partitions of this silo are loading their snapshots", reason);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);

        // Storage is back: the loads' back-off (on the partition clock) tries again, and the silo becomes ready.
        storage.ReadFault = null;
        await Poll.Until(async () =>
        {
            cache.Time.Advance(TimeSpan.FromSeconds(1));
            var reply = await http.GetAsync("/health/ready");
            reason = await reply.Content.ReadAsStringAsync();
            return reply.StatusCode == HttpStatusCode.OK;
        }, "readiness once the snapshots loaded", TimeSpan.FromSeconds(60));
        Assert.Contains($"partitions: Healthy: {CacheCluster.Partitions} partitions active in this silo, none loading", reason);
        await endpoint.StopAsync(default);
    }
}
