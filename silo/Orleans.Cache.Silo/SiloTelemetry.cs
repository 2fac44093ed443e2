using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace Orleans.Cache.Silo;

/// <summary>The OpenTelemetry pipeline of the silo host, when <see cref="TelemetrySettings"/> turns an exporter on.</summary>
public static class SiloTelemetry
{
    /// <summary>
    /// Metrics of the "Orleans.Cache" meter to Prometheus (scraped on <c>Silo:HttpPort</c>) and/or OTLP; with OTLP, also
    /// traces: the executor's spans around grain calls to other silos and Orleans's spans of those calls on the silo
    /// that serves them (activity propagation, so a trace crosses silos). Nothing is registered when both are off.
    /// </summary>
    public static void AddCacheTelemetry(this IHostApplicationBuilder builder, ISiloBuilder silo, SiloSettings settings, TelemetrySettings telemetry)
    {
        if (!telemetry.Enabled) return;
        if (telemetry.Prometheus && settings.HttpPort == 0)
            throw new InvalidOperationException("Telemetry:Prometheus serves /metrics on the silo's HTTP endpoint: set Silo:HttpPort (--http-port 8080) too.");
        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(r => r
            .AddService("orleans-cache", serviceInstanceId: $"{Environment.MachineName}:{settings.SiloPort}")
            .AddAttributes([new("orleans.cluster.id", settings.ClusterId)]));
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(CacheTelemetry.MeterName);
            if (telemetry.Prometheus) metrics.AddPrometheusExporter();
            if (telemetry.Otlp.Enabled)
                metrics.AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, telemetry.Otlp, "/v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)telemetry.Otlp.MetricsInterval.TotalMilliseconds;
                });
        });
        if (!telemetry.Otlp.Enabled) return;
        silo.AddActivityPropagation();
        otel.WithTracing(tracing => tracing
            .AddSource(CacheTelemetry.ActivitySourceName, ActivitySources.RuntimeActivitySourceName)
            .SetSampler(new ParentBasedSampler(new CommandRootSampler(telemetry.Otlp.TraceSampleRatio)))
            .AddOtlpExporter(exporter => Configure(exporter, telemetry.Otlp, "/v1/traces")));
    }

    /// <summary>
    /// Starts traces only at Orleans.Cache's spans (a database operation), at the configured ratio. Orleans files the
    /// partition grains (namespace Orleans.Cache) under its runtime source, with its timers, membership probes and stream
    /// polling: those are recorded only inside a trace a command started, or one an app sent along.
    /// </summary>
    private sealed class CommandRootSampler(double ratio) : Sampler
    {
        private readonly TraceIdRatioBasedSampler _ratio = new(ratio);

        public override SamplingResult ShouldSample(in SamplingParameters parameters)
        {
            foreach (var tag in parameters.Tags ?? [])
                if (tag.Key == "db.system.name") return _ratio.ShouldSample(parameters);
            return new SamplingResult(SamplingDecision.Drop);
        }
    }

    private static void Configure(OtlpExporterOptions exporter, OtlpSettings otlp, string httpPath)
    {
        bool http = string.Equals(otlp.Protocol, "HttpProtobuf", StringComparison.OrdinalIgnoreCase);
        if (!http && !string.Equals(otlp.Protocol, "Grpc", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Telemetry:Otlp:Protocol is '{otlp.Protocol}'; expected Grpc or HttpProtobuf.");
        exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        var endpoint = otlp.Endpoint!.TrimEnd('/');
        exporter.Endpoint = new Uri(http && !endpoint.EndsWith(httpPath, StringComparison.Ordinal) ? endpoint + httpPath : endpoint);
    }
}
