using Orleans.Cache.Observability;
using Orleans.Runtime;

namespace Orleans.Cache.Grains;

/// <summary>
/// <see cref="IClusterNodes"/> over one <see cref="INodeGrain"/> per live silo (from this silo's membership view): every
/// question goes to all of them at once, and a silo that does not answer is left out rather than failing INFO.
/// </summary>
internal sealed class ClusterNodes(IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails silo) : IClusterNodes
{
    public string LocalSilo { get; } = silo.SiloAddress.ToParsableString();

    private IEnumerable<string> Silos()
    {
        foreach (var member in membership.CurrentSnapshot.Members.Values)
            if (member.Status == SiloStatus.Active) yield return member.SiloAddress.ToParsableString();
    }

    private INodeGrain Node(string name) => grains.GetGrain<INodeGrain>(name);

    private async Task<T[]> AskAll<T>(Func<INodeGrain, Task<T>> ask)
    {
        var calls = Silos().Select(s => Answer(ask(Node(s)))).ToArray();
        var answers = await Task.WhenAll(calls);
        return [.. answers.Where(a => a.Ok).Select(a => a.Value!)];

        static async Task<(bool Ok, T? Value)> Answer(Task<T> call)
        {
            try { return (true, await call.WaitAsync(TimeSpan.FromSeconds(5))); }
            catch (Exception) { return (false, default); } // a silo that is going away: left out
        }
    }

    public async Task<NodeReport[]> ReportAsync() => [.. (await AskAll(n => n.Report())).Where(r => r.Silo.Length > 0)];

    public Task ResetAsync(ResetScope scope, string[]? events = null) => AskAll(async n =>
    {
        await n.Reset(scope, events);
        return true;
    });

    public async Task<SlowlogEntry[]> SlowlogAsync() =>
        [.. (await AskAll(n => n.Slowlog())).SelectMany(e => e).OrderByDescending(e => e.TimeMicroseconds).ThenByDescending(e => e.Id)];

    public Task<LatencyEvent[][]> LatencyAsync() => AskAll(n => n.Latency());

    public Task AnnounceMonitorsAsync(bool on, long sequence) => AskAll(async n =>
    {
        await n.WatchedBy(LocalSilo, on, sequence);
        return true;
    });

    public Task AnnounceAclAsync(AclSnapshot snapshot) => AskAll(async n =>
    {
        await n.ApplyAcl(snapshot);
        return true;
    });

    public Task ForwardMonitorAsync(string[] lines, string[] silos)
    {
        foreach (var s in silos) _ = Node(s).Monitor(lines);
        return Task.CompletedTask;
    }
}
