using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Cache.Tests.Differential;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Compat;

/// <summary>The hub both test servers map.</summary>
public sealed class CompatHub : Hub
{
    public string Ping() => "pong";

    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);
}

/// <summary>
/// Microsoft.AspNetCore.SignalR.StackExchangeRedis — the SignalR backplane — over RESP pub/sub: two ASP.NET Core hub
/// servers in this process on free loopback ports (on Orleans.Cache each talks to its own silo); a SignalR client
/// (Microsoft.AspNetCore.SignalR.Client, WebSockets) connected to server A receives what server B sends through its
/// <see cref="IHubContext{THub}"/> to all, to a group, to the connection, and to a group B added it to; and B gets a
/// client result from it.
/// Each row runs against a real redis-server and against the Orleans.Cache 2-silo cluster, over RESP2 and RESP3.
/// </summary>
[Collection(OrleansDiffCollection.Name)]
public sealed class SignalRBackplaneTests(OrleansDiffFixture fixture)
{
    public static TheoryData<string> Servers => CompatServers.All;

    private async Task<WebApplication> StartHubServerAsync(string server, string channelPrefix, int app)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSignalR().AddStackExchangeRedis(o =>
        {
            o.Configuration = fixture.Options(server, app);
            o.Configuration.ChannelPrefix = RedisChannel.Literal(channelPrefix);
        });
        var web = builder.Build();
        web.MapHub<CompatHub>("/hub");
        await web.StartAsync();
        return web;
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task A_message_sent_on_one_hub_server_reaches_a_client_of_the_other(string server)
    {
        string prefix = CompatServers.Unique("signalr");
        await using var inspect = await fixture.InspectAsync(server);   // the server speaks the row's protocol
        await using var serverA = await StartHubServerAsync(server, prefix, 0);
        await using var serverB = await StartHubServerAsync(server, prefix, 1);

        var received = new ConcurrentQueue<string>();
        await using var client = new HubConnectionBuilder().WithUrl($"{serverA.Urls.Single()}/hub").Build();
        client.On<string>("message", received.Enqueue);
        client.On<string, string>("shout", text => text.ToUpperInvariant());
        await client.StartAsync();
        // A hub call is answered only after the server finished connecting the client, backplane subscriptions included.
        Assert.Equal("pong", await client.InvokeAsync<string>("Ping"));
        await client.InvokeAsync("Join", "room");

        var hubB = serverB.Services.GetRequiredService<IHubContext<CompatHub>>();
        async Task ArrivesAsync(string message)
        {
            await Poll.Until(() => received.Contains(message), $"'{message}' to reach the client of server A", TimeSpan.FromSeconds(15));
        }

        await hubB.Clients.All.SendAsync("message", "to all");
        await ArrivesAsync("to all");
        await hubB.Clients.Group("room").SendAsync("message", "to the group");
        await ArrivesAsync("to the group");
        await hubB.Clients.Client(client.ConnectionId!).SendAsync("message", "to the connection");
        await ArrivesAsync("to the connection");
        // Server B adds A's connection to a group: A does it and acknowledges over the backplane, else this times out.
        await hubB.Groups.AddToGroupAsync(client.ConnectionId!, "added-by-B").WaitAsync(TimeSpan.FromSeconds(15));
        await hubB.Clients.Group("added-by-B").SendAsync("message", "to the group B made");
        await ArrivesAsync("to the group B made");
        Assert.Equal(["to all", "to the group", "to the connection", "to the group B made"], received.ToArray());

        // A client result: B invokes the client on A and gets its answer back over the backplane's return channel.
        Assert.Equal("HELLO FROM B", await hubB.Clients.Client(client.ConnectionId!)
            .InvokeAsync<string>("shout", "hello from B", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15)));
    }
}
