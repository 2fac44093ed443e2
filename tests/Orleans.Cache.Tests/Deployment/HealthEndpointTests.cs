using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Cache.Execution;
using Orleans.Cache.Resp;
using Orleans.Cache.Silo;
using Orleans.Cache.Tests.Resp;

namespace Orleans.Cache.Tests.Deployment;

/// <summary>GET /healthz (Kubernetes's readiness probe) is 200 only while the RESP endpoint answers PING, password and all.</summary>
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Healthz_is_ok_while_resp_answers_ping_and_unavailable_when_it_does_not()
    {
        int healthPort = FreePort();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ICommandExecutor, KeyspaceExecutor>();
        builder.Services.AddRespEndpoint(o => { o.Port = 0; o.RequirePass = "s3cret"; });
        builder.Services.AddSingleton(new SiloSettings { HealthPort = healthPort });
        builder.Services.AddHostedService<HealthEndpoint>();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{healthPort}") };
            var ok = await http.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/other")).StatusCode);

            // A RESP endpoint that turns clients away is not ready.
            var resp = host.Services.GetRequiredService<RespServer>();
            using var admin = new RawClient(resp.EndPoints[0]);
            Assert.Equal("+OK", await admin.CommandAsync("AUTH", "s3cret"));
            Assert.Equal("+OK", await admin.CommandAsync("CONFIG", "SET", "maxclients", "1"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/healthz")).StatusCode);
            Assert.Equal("+OK", await admin.CommandAsync("CONFIG", "SET", "maxclients", "10000"));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
