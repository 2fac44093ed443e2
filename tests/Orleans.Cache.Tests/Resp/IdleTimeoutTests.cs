using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Resp;
using Orleans.Cache.Tests.Cluster;

namespace Orleans.Cache.Tests.Resp;

/// <summary>
/// The idle <c>timeout</c> closes idle clients but, as in Redis, never a subscriber or a client blocked in BLPOP &amp; co.
/// The RESP endpoint's clock is a fake one, so no real time passes.
/// </summary>
public sealed class IdleTimeoutTests
{
    [Fact]
    public async Task Idle_timeout_spares_subscribers_and_blocked_clients()
    {
        var clock = new FakeTimeProvider();
        await using var cache = await CacheCluster.StartAsync(1, b =>
        {
            b.ConfigureSiloHost((_, host) => host.Services.AddSingleton(new RespClock(clock)));
            b.ConfigureSilo((_, silo) => silo.Services.AddRespEndpoint(o => { o.Port = 0; o.Timeout = 10; }));
        });
        var server = cache.Cluster.Silos[0].ServiceProvider.GetRequiredService<RespServer>();
        Assert.Same(clock, server.Node.Time);
        var endPoint = server.EndPoints[0];

        using var idle = await RawClient.ConnectAsync(endPoint);
        using var subscriber = await RawClient.ConnectAsync(endPoint);
        using var blocked = await RawClient.ConnectAsync(endPoint);
        using var admin = await RawClient.ConnectAsync(endPoint);
        Assert.Equal("+PONG", await idle.CommandAsync("PING"));
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", await subscriber.CommandAsync("SUBSCRIBE", "news"));
        await blocked.SendCommandAsync("BLPOP", "idle:queue", "0");
        var clientsWaiting = System.Diagnostics.Stopwatch.StartNew();
        while (!(await admin.CommandAsync("CLIENT", "LIST")).Contains(" flags=b "))
            Assert.True(clientsWaiting.ElapsedMilliseconds < 10_000, "BLPOP never blocked");

        clock.Advance(TimeSpan.FromSeconds(11)); // the admin connection is idle too: it goes with the idle one
        Assert.Equal("<closed>", await idle.ReceiveAsync(5000));
        Assert.Equal("<closed>", await admin.ReceiveAsync(5000));

        using var other = await RawClient.ConnectAsync(endPoint);
        Assert.Equal(":1", await other.CommandAsync("RPUSH", "idle:queue", "job"));
        Assert.Equal("*2\r\n$10\r\nidle:queue\r\n$3\r\njob\r\n", await blocked.ReadValueAsync());
        Assert.Equal(":1", await other.CommandAsync("PUBLISH", "news", "still here"));
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$10\r\nstill here\r\n", await subscriber.ReadValueAsync());
    }
}
