using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orleans.Cache.Core;

namespace Orleans.Cache.Grains;

/// <summary>
/// The silo's Orleans.Cache instruments, on the meter "Orleans.Cache": observed from the partitions active in this silo
/// when a listener (OpenTelemetry, dotnet-counters) collects, so the command path does nothing for them. Counters of a
/// partition go with it when it leaves the silo; activations are this silo's own count.
/// </summary>
internal sealed class CacheMetrics : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    public const string MeterName = CacheTelemetry.MeterName;
    private readonly Meter _meter;
    private readonly ConcurrentDictionary<int, Func<ReplicationState>> _replicated = new();
    private long _fromReplica, _fromStorage;

    public CacheMetrics(LocalPartitions partitions, IMeterFactory? meters = null)
    {
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        long Sum(Func<Keyspace, long> read) => partitions.Active.Sum(p => read(p.Keyspace));
        _meter.CreateObservableCounter("orleans_cache.keyspace.hits", () => Sum(k => k.Hits), "{lookup}", "Lookups of a key that found it (INFO keyspace_hits).");
        _meter.CreateObservableCounter("orleans_cache.keyspace.misses", () => Sum(k => k.Misses), "{lookup}", "Lookups of a key that did not find it (INFO keyspace_misses).");
        _meter.CreateObservableCounter("orleans_cache.keys.expired", () => Sum(k => k.ExpiredTotal), "{key}", "Keys deleted because their TTL passed (INFO expired_keys).");
        _meter.CreateObservableCounter("orleans_cache.keys.evicted", () => Sum(k => k.EvictedTotal), "{key}", "Keys evicted to stay under maxmemory (INFO evicted_keys).");
        _meter.CreateObservableGauge("orleans_cache.keys", () => Sum(k => k.Count), "{key}", "Keys held by the partitions active in this silo.");
        _meter.CreateObservableGauge("orleans_cache.memory.used", () => Sum(k => k.UsedMemory), "By", "Bytes charged for the keys of the partitions active in this silo (what maxmemory bounds).");
        _meter.CreateObservableGauge("orleans_cache.partitions", () => partitions.Active.Count(), "{partition}", "Partitions active in this silo.");
        _meter.CreateObservableCounter("orleans_cache.partitions.activated", () => (IEnumerable<Measurement<long>>)
            [new(Volatile.Read(ref _fromReplica), new KeyValuePair<string, object?>("from", "replica")),
             new(Volatile.Read(ref _fromStorage), new KeyValuePair<string, object?>("from", "storage"))],
            "{activation}", "Partitions that became active in this silo: from its replica (a failover or handover moved the partition here) or from storage (first use, or a move without a replica here).");
        _meter.CreateObservableGauge("orleans_cache.replication.lag", ReplicationLag, "{write}",
            "Per partition whose primary is in this silo: the writes its furthest-behind replica has not acknowledged (INFO partition_replication_max_lag).");
    }

    /// <summary>A partition became active in this silo, promoting this silo's replica or not.</summary>
    public void Activated(bool promoted) => Interlocked.Increment(ref promoted ? ref _fromReplica : ref _fromStorage);

    /// <summary>Partition <paramref name="partition"/>'s primary replicates from this silo; <paramref name="state"/> reads its offsets.</summary>
    public void Replicating(int partition, Func<ReplicationState> state) => _replicated[partition] = state;

    /// <summary>This activation of <paramref name="partition"/> (and only it) stopped replicating from this silo.</summary>
    public void StoppedReplicating(int partition, Func<ReplicationState> state) =>
        _replicated.TryRemove(new KeyValuePair<int, Func<ReplicationState>>(partition, state));

    private IEnumerable<Measurement<long>> ReplicationLag()
    {
        foreach (var (partition, state) in _replicated)
            yield return new(state().MaxLag, new KeyValuePair<string, object?>("partition", partition));
    }

    // Taking part in the lifecycle only makes the silo create this at start.
    public void Participate(ISiloLifecycle lifecycle) { }

    public void Dispose() => _meter.Dispose();
}
