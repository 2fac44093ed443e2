namespace Orleans.Cache.Observability;

/// <summary>
/// A silo's front door (its RESP endpoint) as the rest of the cluster sees it: what it reports to INFO, SLOWLOG and
/// LATENCY, what it resets, and where MONITOR lines of other silos arrive.
/// </summary>
internal interface IServerNode
{
    /// <summary>The endpoint's counters (clients, commands, errors, commandstats); partitions are added by the caller.</summary>
    NodeReport Report();

    void Reset(ResetScope scope, string[]? events);

    /// <summary>Every slowlog entry, newest first.</summary>
    SlowlogEntry[] Slowlog();

    LatencyEvent[] Latency();

    /// <summary>MONITOR lines of commands another silo ran, for this silo's MONITOR clients.</summary>
    void Monitor(string[] lines);

    /// <summary>
    /// Silo <paramref name="silo"/> has MONITOR clients (for a lease it renews) or has none left; <paramref name="sequence"/>
    /// grows with each of its announcements, so one that arrives late is ignored.
    /// </summary>
    void WatchedBy(string silo, bool on, long sequence);

    /// <summary>A new version of the cluster's ACL users: installed when newer than this silo's.</summary>
    void ApplyAcl(AclSnapshot snapshot);
}

/// <summary>The front door of this silo, registered by the RESP endpoint when it starts (none where no endpoint runs).</summary>
internal sealed class ServerNodes
{
    private volatile IServerNode? _local;

    public IServerNode? Local { get => _local; set => _local = value; }

    /// <summary>Partitions of this silo loading their snapshot now.</summary>
    public int Loading => Volatile.Read(ref _loading);
    private int _loading;

    public void BeginLoading() => Interlocked.Increment(ref _loading);
    public void EndLoading() => Interlocked.Decrement(ref _loading);
}

/// <summary>
/// What a front door asks of every silo of the cluster (implemented on the silo side, over one grain per silo): the
/// INFO reports, resets, the slowlog and latency events, and MONITOR fan-out.
/// </summary>
internal interface IClusterNodes
{
    /// <summary>This silo's name in <see cref="NodeReport.Silo"/> and in MONITOR registrations.</summary>
    string LocalSilo { get; }

    /// <summary>One report per live silo, each with the totals of the partitions active in it.</summary>
    Task<NodeReport[]> ReportAsync();

    /// <summary>CONFIG RESETSTAT (and the partitions' counters), SLOWLOG RESET or LATENCY RESET on every silo.</summary>
    Task ResetAsync(ResetScope scope, string[]? events = null);

    /// <summary>Every silo's slowlog, newest first.</summary>
    Task<SlowlogEntry[]> SlowlogAsync();

    /// <summary>Every silo's latency events.</summary>
    Task<LatencyEvent[][]> LatencyAsync();

    /// <summary>Tells every silo that this one has MONITOR clients (renewed while it has) or has none left, in <paramref name="sequence"/> order.</summary>
    Task AnnounceMonitorsAsync(bool on, long sequence);

    /// <summary>Gives every silo a new version of the ACL users; done once every live silo answered (or timed out).</summary>
    Task AnnounceAclAsync(AclSnapshot snapshot);

    /// <summary>Sends MONITOR lines to the silos that have MONITOR clients (not awaited by the caller).</summary>
    Task ForwardMonitorAsync(string[] lines, string[] silos);
}
