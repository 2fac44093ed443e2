using System.Diagnostics.Metrics;
using Orleans.Cache.Observability;

namespace Orleans.Cache.Resp.Hosting;

/// <summary>
/// The RESP endpoint's instruments on the meter "Orleans.Cache" (beside the partitions' ones): commands and failed commands
/// per command, their time, error replies per code, connected clients and network bytes. Observed from the node's
/// counters (INFO commandstats, errorstats, clients, stats) when a listener collects, so the command path does nothing more.
/// </summary>
internal sealed class RespMetrics : IDisposable
{
    private readonly Meter _meter;

    public RespMetrics(RespNode node, IMeterFactory? meters)
    {
        _meter = meters?.Create("Orleans.Cache") ?? new Meter("Orleans.Cache");
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
    }

    public void Dispose() => _meter.Dispose();
}
