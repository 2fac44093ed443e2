using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// A real, throwaway redis-server on a free loopback port, without persistence, with one database as Orleans.Cache has
/// (SELECT, SWAPDB and MOVE answer alike), in a temporary folder; killed and the
/// folder deleted on dispose. Without redis-server on PATH it fails with the install command (CI installs it) rather
/// than letting the comparisons pass against nothing. With <paramref name="cluster"/> it is a one-node Redis Cluster
/// owning all 16384 slots, for the rules only cluster mode has (CROSSSLOT).
/// </summary>
public sealed class RealRedisServer(bool cluster = false, string bind = "127.0.0.1") : IAsyncLifetime
{
    private Process? _process;
    private string _dir = "";
    private readonly StringBuilder _output = new();

    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    public async Task InitializeAsync()
    {
        var binary = FindOnPath("redis-server") ?? throw new InvalidOperationException(
            "The differential tests compare against a real redis-server, but redis-server is not on PATH. Install it: " +
            "`apt-get update && apt-get install -y redis-server redis-tools` (bash .ci/run does this when run as root).");
        _dir = Directory.CreateTempSubdirectory("orleans-cache-redis-").FullName;
        int port = FreePort();
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _dir,
        };
        foreach (var a in new[] { "--port", $"{port}", "--bind", bind, "--save", "", "--appendonly", "no", "--dir", _dir, "--databases", "1" })
            start.ArgumentList.Add(a);
        if (cluster)
            foreach (var a in new[] { "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(_dir, "nodes.conf") })
                start.ArgumentList.Add(a);
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await AnswersPingAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                string log;
                lock (_output) log = _output.ToString();
                throw new InvalidOperationException($"redis-server on port {port} did not answer PING:\n{log}");
            }
            await Task.Delay(50);
        }
        if (cluster) await ClaimAllSlotsAsync();
    }

    private async Task ClaimAllSlotsAsync()
    {
        using var connection = await RespConnection.ConnectAsync(EndPoint);
        var added = Encoding.UTF8.GetString(await connection.CallAsync(["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]));
        if (added != "+OK\r\n") throw new InvalidOperationException($"CLUSTER ADDSLOTSRANGE answered {added}");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Encoding.UTF8.GetString(await connection.CallAsync(["CLUSTER", "INFO"])).Contains("cluster_state:ok"))
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException("the one-node Redis Cluster never reached cluster_state:ok");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        if (_dir.Length > 0) Directory.Delete(_dir, recursive: true);
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var connection = await RespConnection.ConnectAsync(EndPoint);
            return await connection.CallAsync(["PING"]) is var reply && Encoding.UTF8.GetString(reply) == "+PONG\r\n";
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException) { return false; }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Where(d => d.Length > 0).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
