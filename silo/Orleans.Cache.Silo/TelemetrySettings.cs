namespace Orleans.Cache.Silo;

/// <summary>
/// Where the silo's metrics and traces go (configuration section "Telemetry"); both exporters are off by default. The
/// instruments (meter "Orleans.Cache") and spans (activity source "Orleans.Cache") exist either way, and cost the
/// command path nothing while no exporter listens.
/// </summary>
public sealed class TelemetrySettings
{
    public const string Section = "Telemetry";

    /// <summary>Serve the metrics for Prometheus to scrape at <c>GET /metrics</c> on <c>Silo:HttpPort</c> (which must be set).</summary>
    public bool Prometheus { get; set; }

    /// <summary>OTLP: the collector to push metrics and traces to (e.g. http://otel-collector:4317); empty, the default, is off.</summary>
    public OtlpSettings Otlp { get; set; } = new();

    /// <summary>True when some exporter is on.</summary>
    public bool Enabled => Prometheus || Otlp.Enabled;
}

/// <summary>The OTLP exporter's settings (section "Telemetry:Otlp").</summary>
public sealed class OtlpSettings
{
    /// <summary>The collector's address; empty is off.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>Grpc</c> (port 4317, the default) or <c>HttpProtobuf</c> (port 4318, paths /v1/metrics and /v1/traces appended).</summary>
    public string Protocol { get; set; } = "Grpc";

    /// <summary>How often metrics are pushed.</summary>
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The share of new traces recorded (0–1): spans around the grain calls that carry commands to partitions in other
    /// silos, and Orleans's own spans of those calls; a trace an app started and sampled is always followed.
    /// </summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>True when <see cref="Endpoint"/> is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);
}
