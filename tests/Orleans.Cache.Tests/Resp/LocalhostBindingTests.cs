using System.Globalization;

namespace Orleans.Cache.Tests.Resp;

/// <summary>
/// With Localhost clustering (the default) the Orleans silo and gateway ports, like RESP, listen on 127.0.0.1 only:
/// nothing off the machine can reach a partition grain. Read from the kernel's socket table, so it holds on machines
/// with or without another address.
/// </summary>
public sealed class LocalhostBindingTests
{
    [Fact]
    public async Task A_default_silo_listens_on_loopback_only_for_silo_gateway_and_RESP_ports()
    {
        var snapshots = Directory.CreateTempSubdirectory("orleans-cache-bind-").FullName;
        using var silo = await RunningSilo.StartAsync("--Snapshots:Dir", snapshots, "--Snapshots:Save", "");
        try
        {
            var listening = Listening();
            foreach (int port in new[] { silo.SiloPort, silo.GatewayPort, silo.EndPoint.Port })
            {
                var addresses = listening.Where(l => l.Port == port).Select(l => l.Address).ToList();
                Assert.NotEmpty(addresses);
                Assert.All(addresses, a => Assert.Equal("0100007F", a)); // 127.0.0.1, as /proc/net/tcp writes it
            }
        }
        finally
        {
            await silo.Process.StopAsync(TimeSpan.FromSeconds(30));
            Directory.Delete(snapshots, recursive: true);
        }
    }

    /// <summary>Listening IPv4 and IPv6 TCP sockets: (hex address, port).</summary>
    private static List<(string Address, int Port)> Listening()
    {
        var sockets = new List<(string, int)>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4 || fields[3] != "0A") continue; // 0A = LISTEN
                var local = fields[1].Split(':');
                sockets.Add((local[0], int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }
        return sockets;
    }
}
