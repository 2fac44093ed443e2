using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Orleans.Cache.Resp;
using Orleans.Cache.Tests.Differential;

namespace Orleans.Cache.Tests.Resp;

/// <summary>
/// protected-mode yes (the default): with no password, a client from another address gets redis-server's exact -DENIED
/// text and is closed; loopback clients are served; CONFIG SET protected-mode no or a password lets the others in.
/// </summary>
public sealed class ProtectedModeTests
{
    [Fact]
    public void Only_loopback_clients_pass_while_there_is_no_password()
    {
        var config = new RespConfig(new RespOptions());
        Assert.True(config.DeniedByProtectedMode(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 5000)));
        Assert.True(config.DeniedByProtectedMode(new IPEndPoint(IPAddress.Parse("fd00::7"), 5000)));
        Assert.False(config.DeniedByProtectedMode(new IPEndPoint(IPAddress.Parse("127.0.0.9"), 5000)));
        Assert.False(config.DeniedByProtectedMode(new IPEndPoint(IPAddress.IPv6Loopback, 5000)));
        Assert.False(config.DeniedByProtectedMode(new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), 5000)));
        Assert.True(config.DeniedByProtectedMode(new IPEndPoint(IPAddress.Parse("::ffff:10.1.2.3"), 5000)));

        Assert.False(new RespConfig(new RespOptions { ProtectedMode = "no" }).DeniedByProtectedMode(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 1)));
        Assert.False(new RespConfig(new RespOptions { RequirePass = "secret" }).DeniedByProtectedMode(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 1)));
    }

    [Fact]
    public async Task A_client_from_another_address_gets_redis_servers_denied_text_until_protected_mode_is_off_or_a_password_is_set()
    {
        var outside = NonLoopbackAddress()
            ?? throw new InvalidOperationException("this test connects from the machine's own non-loopback IPv4 address, and there is none");
        var redis = new RealRedisServer(bind: "0.0.0.0");
        await redis.InitializeAsync();
        await using var server = await RespTestServer.StartAsync(o => o.Bind = "0.0.0.0");
        try
        {
            string expected = await FirstAnswer(new IPEndPoint(outside, redis.EndPoint.Port));
            Assert.StartsWith("-DENIED Redis is running in protected mode", expected);
            Assert.EndsWith("\r\n<closed>", expected);
            Assert.Equal(expected, await FirstAnswer(new IPEndPoint(outside, server.Port)));

            using var local = new RawClient(new IPEndPoint(IPAddress.Loopback, server.Port));
            Assert.Equal("+PONG", await local.CommandAsync("PING"));
            Assert.Equal("+OK", await local.CommandAsync("CONFIG", "SET", "protected-mode", "no"));
            Assert.Equal("+PONG\r\n", await FirstAnswer(new IPEndPoint(outside, server.Port), close: false));

            Assert.Equal("+OK", await local.CommandAsync("CONFIG", "SET", "protected-mode", "yes", "requirepass", "s3cret"));
            Assert.StartsWith("-NOAUTH", await FirstAnswer(new IPEndPoint(outside, server.Port), close: false));
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    /// <summary>Connects, sends PING, and reads what comes back (until the server closes, or it goes quiet).</summary>
    private static async Task<string> FirstAnswer(IPEndPoint endPoint, bool close = true)
    {
        using var client = new RawClient(endPoint);
        await client.SendAsync(RawClient.Encode("PING"));
        return close ? await client.ReceiveAsync("<closed>") : await client.ReceiveAsync();
    }

    private static IPAddress? NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
