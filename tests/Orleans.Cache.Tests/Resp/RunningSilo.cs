using System.Net;
using System.Net.Sockets;
using Orleans.Cache.Tests.Postgres;

namespace Orleans.Cache.Tests.Resp;

/// <summary>A real `dotnet Orleans.Cache.Silo.dll` process with localhost clustering on free ports, once it answers PING.</summary>
internal sealed record RunningSilo(SiloProcess Process, IPEndPoint EndPoint, int SiloPort, int GatewayPort) : IDisposable
{
    public void Dispose() => Process.Dispose();

    /// <summary>Starts the silo with <paramref name="args"/> after its ports, and waits (up to a minute) for +PONG.</summary>
    public static async Task<RunningSilo> StartAsync(params string[] args)
    {
        int port = PostgresSilo.FreePort(), siloPort = PostgresSilo.FreePort(), gatewayPort = PostgresSilo.FreePort();
        var silo = SiloProcess.Start(["--port", $"{port}", "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", .. args]);
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var client = await RawClient.ConnectAsync(endPoint);
                if (await client.CommandAsync("PING") == "+PONG") return new RunningSilo(silo, endPoint, siloPort, gatewayPort);
            }
            catch (SocketException) { }
            if (silo.HasExited || DateTime.UtcNow > deadline)
            {
                silo.Dispose();
                Assert.Fail($"the silo never answered PING:\n{silo.Output}");
            }
            await Task.Delay(100);
        }
    }
}
