using System.Diagnostics.Metrics;
using Orleans.Cache.Observability;

namespace Orleans.Cache.Resp.Hosting;

/// <summary>
/// The RESP endpoint's instruments on the meter "Orleans.Cache" (beside the partitions' ones): commands and failed commands
/// per command, their time, error replies per code, connected clients and network bytes, observed from the node's
/// counters (INFO commandstats, errorstats, clients, stats) when a listener collects; and the distribution of command
/// times, a histogram the connections record into only while some listener has it enabled.
/// </summary>
internal sealed class RespMetrics : IDisposable
{
    private readonly Meter _meter;

    public RespMetrics(RespNode node, IMeterFactory? meters)
    {
        _meter = meters?.Create(CacheTelemetry.MeterName) ?? new Meter(CacheTelemetry.MeterName);
        IEnumerable<Measurement<long>> PerCommand(Func<CommandStat, long> read) =>
            node.Report().Commands.Select(c => new Measurement<long>(read(c.Value), new KeyValuePair<string, object?>("command", c.Key)));
        _meter.CreateObservableCounter("orleans_cache.commands", () => PerCommand(s => s.Calls), "{command}", "Commands run through this RESP endpoint, per command (INFO commandstats calls).");
        _meter.CreateObservableCounter("orleans_cache.commands.failed", () => PerCommand(s => s.Failed + s.Rejected), "{command}", "Commands that answered an error, per command (INFO commandstats failed_calls + rejected_calls).");
        _meter.CreateObservableCounter("orleans_cache.commands.duration", () => node.Report().Commands.Select(c =>
            new Measurement<double>(c.Value.Microseconds / 1e6, new KeyValuePair<string, object?>("command", c.Key))), "s", "Time spent running commands, per command (INFO commandstats usec).");
        _meter.CreateObservableCounter("orleans_cache.errors", () => node.Report().Errors.Select(e =>
            new Measurement<long>(e.Value, new KeyValuePair<string, object?>("error", e.Key))), "{reply}", "Error replies, per error code (INFO errorstats).");
        _meter.CreateObservableUpDownCounter("orleans_cache.clients.connected", () => (long)node.Clients.Count, "{connection}", "Connected RESP clients (INFO connected_clients).");
        _meter.CreateObservableCounter("orleans_cache.network.received", () => node.NetInputBytes, "By", "Bytes read from RESP clients.");
        _meter.CreateObservableCounter("orleans_cache.network.sent", () => node.NetOutputBytes, "By", "Bytes written to RESP clients.");
        node.CommandLatency = new CommandLatency(_meter.CreateHistogram("orleans_cache.commands.latency", "s",
            "Time to run a command, per command (INFO latencystats; a pipeline's commands share its time evenly).", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets }));
    }

    /// <summary>10 µs to 10 s: a cache answers in microseconds, a blocking pop or a slow script in seconds.</summary>
    private static readonly double[] LatencyBuckets =
        [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public void Dispose() => _meter.Dispose();
}

/// <summary>
/// The <c>orleans_cache.commands.latency</c> histogram as the connections record into it: a connection asks
/// <see cref="Enabled"/> once per round, and records only then, tagged with the command's lower-case name (a container
/// command under its container: <c>config</c>, not <c>config|set</c>), so a round costs one read while nobody listens.
/// </summary>
internal sealed class CommandLatency(Histogram<double> histogram)
{
    private static readonly string[] Names = [.. Core.CommandTable.Rows.Select(r => r.Name.ToLowerInvariant())];

    public bool Enabled => histogram.Enabled;

    public void Record(Core.CommandInfo command, long microseconds) =>
        histogram.Record(microseconds / 1e6, new KeyValuePair<string, object?>("command", Names[command.Id]));
}
