using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Cache.Observability;
using Orleans.Cache.Resp;

namespace Orleans.Cache.Silo;

/// <summary>
/// Ready while this silo's RESP endpoint really serves: a PING sent to it over loopback (with AUTH when a password is
/// set) comes back +PONG. A full endpoint (maxclients) or one that refuses its own password is not ready.
/// </summary>
internal sealed class RespReadiness(RespServer resp) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
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
            string text = reply.ToString();
            return text.EndsWith("+PONG\r\n", StringComparison.Ordinal) && !text.Contains('-')
                ? HealthCheckResult.Healthy("RESP answers PING")
                : HealthCheckResult.Unhealthy("RESP endpoint not serving: " + text.Trim());
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return HealthCheckResult.Unhealthy("RESP endpoint not serving: " + e.Message);
        }
    }

    private static string Command(params string[] args)
    {
        var text = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args) text.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        return text.ToString();
    }
}

/// <summary>
/// Ready once this silo's partitions are loaded: every partition of the cluster has been activated once (a partition
/// activates on its first use; this activates them all, so the ones placed here load their snapshots now rather than
/// under a client's first command), and no partition active here is loading its snapshot (after a failover moved
/// one here, or while storage is unreachable and a load is being retried).
/// </summary>
internal sealed class PartitionReadiness(IGrainFactory grains, IOptions<CacheOptions> options, ServerNodes nodes, LocalPartitions local) : IHealthCheck
{
    private readonly Lock _lock = new();
    private Task? _activation;

    /// <summary>Activates every partition (once; again after a failure), without waiting for it.</summary>
    public Task ActivateAll()
    {
        lock (_lock)
        {
            if (_activation is null || _activation.IsFaulted || _activation.IsCanceled)
                _activation = Task.WhenAll(Enumerable.Range(0, options.Value.Partitions).Select(p => grains.GetGrain<IPartitionGrain>(p).GetSilo().AsTask()));
            return _activation;
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var activation = ActivateAll();
        return Task.FromResult(
            !activation.IsCompleted ? HealthCheckResult.Unhealthy($"activating the cluster's {options.Value.Partitions} partitions")
            : !activation.IsCompletedSuccessfully ? HealthCheckResult.Unhealthy("activating the partitions failed (tried again at the next check)", activation.Exception)
            : nodes.Loading > 0 ? HealthCheckResult.Unhealthy($"{nodes.Loading} partitions of this silo are loading their snapshots")
            : HealthCheckResult.Healthy($"{local.Active.Count()} partitions active in this silo, none loading"));
    }
}
