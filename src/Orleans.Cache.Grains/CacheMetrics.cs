using System.Diagnostics.Metrics;
using Orleans.Cache.Core;

namespace Orleans.Cache.Grains;

/// <summary>
/// The silo's Orleans.Cache instruments, on the meter "Orleans.Cache": observed from the partitions active in this silo
/// when a listener (OpenTelemetry, dotnet-counters) collects, so the command path does nothing for them. Counters of a
/// partition go with it when it leaves the silo.
/// </summary>
internal sealed class CacheMetrics : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    public const string MeterName = "Orleans.Cache";
    private readonly Meter _meter;

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
    }

    // Taking part in the lifecycle only makes the silo create this at start.
    public void Participate(ISiloLifecycle lifecycle) { }

    public void Dispose() => _meter.Dispose();
}
