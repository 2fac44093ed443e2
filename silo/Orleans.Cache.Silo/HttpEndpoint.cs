using System.Net;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using Orleans.Cache.Resp;

namespace Orleans.Cache.Silo;

/// <summary>
/// The silo's HTTP endpoint (<c>Silo:HttpPort</c>, off when 0): a small Kestrel server of its own beside the RESP
/// listener, with <c>GET /health/live</c> (200 while the process serves HTTP), <c>GET /health/ready</c> (200 once RESP
/// answers PING and this silo's partitions are loaded, 503 with the reason otherwise) and, with
/// <c>Telemetry:Prometheus</c>, <c>GET /metrics</c> (Prometheus's text format).
/// </summary>
internal sealed partial class HttpEndpoint(SiloSettings settings, TelemetrySettings telemetry, IServiceProvider services, ILogger<HttpEndpoint> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The readiness of this silo's partitions; null where no partitions run (a RESP endpoint alone).</summary>
    private PartitionReadiness? Partitions { get; } = services.GetService<IGrainFactory>() is { } grains && services.GetService<LocalPartitions>() is { } local
        ? new PartitionReadiness(grains, services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CacheOptions>>(),
            services.GetRequiredService<Observability.ServerNodes>(), local)
        : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.HttpPort == 0) return;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Any, settings.HttpPort));
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(services.GetRequiredService<ILoggerFactory>()); // the silo's log levels and providers
        var checks = builder.Services.AddHealthChecks();
        if (services.GetService<RespServer>() is { } resp) checks.AddCheck("resp", new RespReadiness(resp), tags: [Ready]);
        if (Partitions is { } partitions) checks.AddCheck("partitions", partitions, tags: [Ready]);
        _app = builder.Build();
        _app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        _app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteReasons });
        if (services.GetService<MeterProvider>() is { } meters && telemetry.Prometheus)
            _app.MapPrometheusScrapingEndpoint("/metrics", meters, null, null);
        await _app.StartAsync(cancellationToken);
        // Partitions placed here load now, not under a client's first command.
        services.GetService<IHostApplicationLifetime>()?.ApplicationStarted.Register(() => Partitions?.ActivateAll());
        LogListening(logger, settings.HttpPort, telemetry.Prometheus ? ", /metrics" : "");
    }

    private const string Ready = "ready";

    /// <summary>The status, then one line per check with its reason: a failing probe says why in the pod's events.</summary>
    private static Task WriteReasons(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain";
        var lines = report.Entries.Select(e => $"{e.Key}: {e.Value.Status}: {e.Value.Description}");
        return context.Response.WriteAsync(report.Status + "\n" + string.Join("\n", lines) + "\n");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP endpoint on port {Port}: /health/live, /health/ready{Metrics}")]
    private static partial void LogListening(ILogger logger, int port, string metrics);
}
