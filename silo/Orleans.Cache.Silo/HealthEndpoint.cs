using System.Net;
using System.Net.Sockets;
using System.Text;
using Orleans.Cache.Resp;

namespace Orleans.Cache.Silo;

/// <summary>
/// An HTTP readiness endpoint (<c>Silo:HealthPort</c>, off when 0): <c>GET /healthz</c> answers 200 only when this
/// silo's RESP endpoint really serves — a PING sent to it over loopback (with AUTH when a password is set) comes back
/// +PONG — and 503 otherwise. Kubernetes's readiness probe points here rather than at an open TCP port.
/// </summary>
internal sealed partial class HealthEndpoint(SiloSettings settings, RespServer resp, ILogger<HealthEndpoint> logger) : BackgroundService
{
    private TcpListener? _listener;

    /// <summary>Binds the port before the host counts as started (ExecuteAsync runs in the background).</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.HealthPort > 0)
        {
            _listener = new TcpListener(IPAddress.Any, settings.HealthPort);
            _listener.Start();
            LogListening(logger, settings.HealthPort);
        }
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_listener is not { } listener) return;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stoppingToken);
                _ = AnswerAsync(client, stoppingToken);
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Reads the request line and answers it; anything but GET /healthz is 404.</summary>
    private async Task AnswerAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var _ = client;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var stream = client.GetStream();
            var buffer = new byte[1024];
            int n = await stream.ReadAsync(buffer, timeout.Token);
            string request = Encoding.ASCII.GetString(buffer, 0, n);
            bool health = request.StartsWith("GET /healthz ", StringComparison.Ordinal);
            bool ready = health && await RespAnswersPingAsync(timeout.Token);
            string status = !health ? "404 Not Found" : ready ? "200 OK" : "503 Service Unavailable";
            string body = !health ? "not found\n" : ready ? "ok\n" : "RESP endpoint not serving\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"), timeout.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
    }

    /// <summary>PING over loopback to this silo's RESP port (AUTH first when requirepass is set): true on +PONG.</summary>
    private async Task<bool> RespAnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, resp.Node.Port, cancellationToken);
            var stream = socket.GetStream();
            string password = resp.Node.Config.Get("requirepass") ?? "";
            var request = new StringBuilder();
            if (password.Length > 0) request.Append(Command("AUTH", password));
            request.Append(Command("PING"));
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken);
            var reply = new StringBuilder();
            var buffer = new byte[256];
            while (!reply.ToString().Contains("+PONG\r\n") && !reply.ToString().Contains('-'))
            {
                int n = await stream.ReadAsync(buffer, cancellationToken);
                if (n == 0) break;
                reply.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
            return reply.ToString().EndsWith("+PONG\r\n", StringComparison.Ordinal) && !reply.ToString().Contains('-');
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string Command(params string[] args)
    {
        var text = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args) text.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        return text.ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health endpoint: GET http://*:{Port}/healthz")]
    private static partial void LogListening(ILogger logger, int port);
}
