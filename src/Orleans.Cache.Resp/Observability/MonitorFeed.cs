using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans.Cache.Core;
using Orleans.Cache.Observability;

namespace Orleans.Cache.Resp;

/// <summary>
/// MONITOR across the cluster. <see cref="Active"/> is the one thing a command pays when nobody monitors: a volatile
/// read. It is true while this silo has MONITOR clients, or another silo told this one it has (a lease, renewed every
/// few seconds by that silo while its monitors last, so a silo that joins later or a silo that died is handled).
/// Lines for local monitors are delivered at once; lines for other silos are batched by a pump, one call per silo.
/// </summary>
internal sealed class MonitorFeed(RespNode node)
{
    /// <summary>How long another silo's announcement lasts; it renews at a third of it.</summary>
    internal static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private RespMonitor[] _local = [];
    private readonly Dictionary<string, long> _remote = new(StringComparer.Ordinal); // silo → lease end (Environment.TickCount64)
    // The newest announcement seen from each silo: an older one arriving late (an "off" overtaken by the next "on") is ignored.
    private readonly Dictionary<string, long> _remoteSequence = new(StringComparer.Ordinal);
    // This silo's announcements, numbered in the order they are made.
    private long _sequence = Environment.TickCount64;
    private string[] _targets = [];
    private Channel<string>? _outgoing;
    private CancellationTokenSource? _announcing;
    private volatile bool _active;

    /// <summary>Some client of this silo or of another one is in MONITOR mode.</summary>
    public bool Active => _active;

    public int LocalCount => Volatile.Read(ref _local).Length;

    /// <summary>A command ran on this silo: its line goes to every monitor of the cluster.</summary>
    public void Feed(RespSession client, byte[][] argv)
    {
        long micros = (node.Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
        string line = CommandLog.MonitorLine(micros, client.Address, argv);
        foreach (var monitor in Volatile.Read(ref _local)) monitor.Deliver(line);
        if (Volatile.Read(ref _targets).Length > 0) _outgoing?.Writer.TryWrite(line);
    }

    /// <summary>Lines of commands run on another silo.</summary>
    public void Deliver(string[] lines)
    {
        foreach (var monitor in Volatile.Read(ref _local))
            foreach (var line in lines) monitor.Deliver(line);
    }

    /// <summary>
    /// Before MONITOR answers +OK: every silo learns that this one has monitors, so a command sent anywhere after the +OK
    /// reaches the new monitor.
    /// </summary>
    public Task PrepareAsync() =>
        node.Cluster is { } cluster ? Quietly(cluster.AnnounceMonitorsAsync(true, Interlocked.Increment(ref _sequence))) : Task.CompletedTask;

    public void Add(RespMonitor monitor)
    {
        bool first;
        lock (_lock)
        {
            first = _local.Length == 0;
            _local = [.. _local, monitor];
            Update();
        }
        if (first && node.Cluster is { } cluster)
        {
            // MONITOR announced itself before its +OK (PrepareAsync); this renews the lease while monitors last.
            var stop = new CancellationTokenSource();
            var old = Interlocked.Exchange(ref _announcing, stop);
            old?.Cancel();
            _ = AnnounceAsync(cluster, stop.Token);
        }
    }

    public void Remove(RespMonitor monitor)
    {
        bool last;
        lock (_lock)
        {
            if (!_local.Contains(monitor)) return;
            _local = [.. _local.Where(m => m != monitor)];
            last = _local.Length == 0;
            Update();
        }
        if (last && node.Cluster is { } cluster)
        {
            Interlocked.Exchange(ref _announcing, null)?.Cancel();
            _ = Quietly(cluster.AnnounceMonitorsAsync(false, Interlocked.Increment(ref _sequence)));
        }
    }

    /// <summary>Another silo has monitors (until its lease ends) or has none left; <paramref name="sequence"/> orders its announcements.</summary>
    public void WatchedBy(string silo, bool on, long sequence)
    {
        if (node.Cluster is { } cluster && silo == cluster.LocalSilo) return; // our own monitors get lines directly
        lock (_lock)
        {
            if (_remoteSequence.TryGetValue(silo, out long newest) && sequence <= newest) return;
            _remoteSequence[silo] = sequence;
            if (on) _remote[silo] = Environment.TickCount64 + (long)Lease.TotalMilliseconds;
            else _remote.Remove(silo);
            Update();
        }
    }

    // Under _lock: recompute the targets and the flag; start the pump for other silos when there are some.
    private void Update()
    {
        long now = Environment.TickCount64;
        foreach (var (silo, until) in _remote.ToArray()) if (until < now) _remote.Remove(silo);
        Volatile.Write(ref _targets, [.. _remote.Keys]);
        if (_remote.Count > 0 && _outgoing is null && node.Cluster is { } cluster)
        {
            _outgoing = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
            _ = ForwardAsync(cluster, _outgoing.Reader);
        }
        _active = _local.Length > 0 || _remote.Count > 0;
    }

    /// <summary>Sends what was fed since the last batch, one call per monitoring silo.</summary>
    private async Task ForwardAsync(IClusterNodes cluster, ChannelReader<string> reader)
    {
        var batch = new List<string>();
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < 1024 && reader.TryRead(out var line)) batch.Add(line);
            string[] targets;
            lock (_lock)
            {
                if (_remote.Count > 0 && _remote.Values.Min() < Environment.TickCount64) Update(); // drop expired leases
                targets = _targets;
            }
            if (targets.Length > 0) await Quietly(cluster.ForwardMonitorAsync([.. batch], targets));
            batch.Clear();
        }
    }

    private async Task AnnounceAsync(IClusterNodes cluster, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(Lease / 3, stop);
                await Quietly(cluster.AnnounceMonitorsAsync(true, Interlocked.Increment(ref _sequence)));
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task Quietly(Task call)
    {
        try { await call; }
        catch (Exception e) { Log.MonitorForwardFailed(node.Logger, e); }
    }
}
