using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Cache.Execution;
using Orleans.Cache.Resp;

namespace Orleans.Cache.Tests.Resp;

/// <summary>A RESP endpoint on a free loopback port in a plain generic host, over <see cref="KeyspaceExecutor"/>.</summary>
public sealed class RespTestServer : IAsyncDisposable
{
    private readonly IHost _host;

    private RespTestServer(IHost host)
    {
        _host = host;
        Server = host.Services.GetRequiredService<RespServer>();
        Executor = (KeyspaceExecutor)host.Services.GetRequiredService<ICommandExecutor>();
    }

    internal RespServer Server { get; }
    internal KeyspaceExecutor Executor { get; }
    public IPEndPoint EndPoint => Server.EndPoints[0];
    public int Port => EndPoint.Port;

    public static async Task<RespTestServer> StartAsync(Action<RespOptions>? configure = null, TimeProvider? time = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (time is not null) builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<ICommandExecutor, KeyspaceExecutor>();
        builder.Services.AddRespEndpoint(o =>
        {
            o.Port = 0;
            configure?.Invoke(o);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new RespTestServer(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>One server shared by the tests of a class that don't change its settings.</summary>
public sealed class RespServerFixture : IAsyncLifetime
{
    public RespTestServer Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await RespTestServer.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
}
