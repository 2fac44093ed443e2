using Orleans.Cache.Observability;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Orleans.Cache.Grains;

/// <summary>One silo's INFO, SLOWLOG, LATENCY and MONITOR as the cluster reaches it; keyed and placed by the silo's address.</summary>
[Alias("Orleans.Cache.INodeGrain")]
internal interface INodeGrain : IGrainWithStringKey
{
    [Alias("Report")]
    Task<NodeReport> Report();

    [Alias("Reset")]
    Task Reset(ResetScope scope, string[]? events);

    [Alias("Slowlog")]
    Task<SlowlogEntry[]> Slowlog();

    [Alias("Latency")]
    Task<LatencyEvent[]> Latency();

    [Alias("Monitor"), OneWay]
    Task Monitor(string[] lines);

    [Alias("WatchedBy")]
    Task WatchedBy(string silo, bool on, long sequence);

    [Alias("ApplyAcl")]
    Task ApplyAcl(AclSnapshot snapshot);
}

/// <summary>
/// The silo-side end of <see cref="INodeGrain"/>: placed on the silo its key names (<see cref="HubPlacement"/>), it reads
/// that silo's front door (<see cref="ServerNodes"/>) and the partitions active there (<see cref="LocalPartitions"/>).
/// Activated elsewhere because its silo is gone, it answers nothing, so no silo is counted twice.
/// </summary>
[HubPlacement, Reentrant]
internal sealed class NodeGrain(ServerNodes nodes, ILocalSiloDetails silo, LocalPartitions? local = null) : Grain, INodeGrain
{
    private bool Mine => silo.SiloAddress.ToParsableString() == this.GetPrimaryKeyString();

    public Task<NodeReport> Report()
    {
        if (!Mine) return Task.FromResult(new NodeReport());
        var report = nodes.Local?.Report() ?? new NodeReport();
        report.Silo = this.GetPrimaryKeyString();
        report.Loading = nodes.Loading;
        if (local is not null)
            foreach (var engine in local.Active) report.Partitions.Add(engine.Stats());
        return Task.FromResult(report);
    }

    public Task Reset(ResetScope scope, string[]? events)
    {
        if (!Mine) return Task.CompletedTask;
        nodes.Local?.Reset(scope, events);
        if (scope == ResetScope.Stats && local is not null)
            foreach (var engine in local.Active) engine.ResetStats();
        return Task.CompletedTask;
    }

    public Task<SlowlogEntry[]> Slowlog() => Task.FromResult<SlowlogEntry[]>(Mine ? nodes.Local?.Slowlog() ?? [] : []);

    public Task<LatencyEvent[]> Latency() => Task.FromResult<LatencyEvent[]>(Mine ? nodes.Local?.Latency() ?? [] : []);

    public Task Monitor(string[] lines)
    {
        if (Mine) nodes.Local?.Monitor(lines);
        return Task.CompletedTask;
    }

    public Task ApplyAcl(AclSnapshot snapshot)
    {
        if (Mine) nodes.Local?.ApplyAcl(snapshot);
        return Task.CompletedTask;
    }

    public Task WatchedBy(string monitoring, bool on, long sequence)
    {
        if (Mine) nodes.Local?.WatchedBy(monitoring, on, sequence);
        return Task.CompletedTask;
    }
}
