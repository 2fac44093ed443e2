using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Orleans.Cache.Core.Tests.Engine;

/// <summary>
/// Eviction without writes (Redis's evictionTimeProc): when CONFIG SET lowers maxmemory below what a silo holds, its
/// partitions get back under it on their periodic sweep, even those no client writes to.
/// </summary>
public sealed class BackgroundEvictionTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly SiloMemory _silo = new();
    private readonly PartitionEngine _a, _b;

    public BackgroundEvictionTests()
    {
        _a = new PartitionEngine(_time);
        _b = new PartitionEngine(_time);
        _a.Locked(k => k.Memory = _silo);
        _b.Locked(k => k.Memory = _silo);
    }

    private static Command C(params string[] argv) => new(CommandTable.Find(argv[0])!, [.. argv.Select(Encoding.UTF8.GetBytes)]);

    private void Fill(PartitionEngine engine, string prefix, int keys)
    {
        for (int i = 0; i < keys; i++) Assert.Equal("OK", engine.TryExecute(C("SET", prefix + i, new string('v', 100)))!.Text);
    }

    private void Limit(long maxMemory)
    {
        var settings = new EvictionSettings(maxMemory, EvictionPolicy.AllKeysLru, Samples: 10);
        _a.Locked(k => k.Eviction = settings);
        _b.Locked(k => k.Eviction = settings);
    }

    [Fact]
    public void Partitions_no_one_writes_to_get_the_silo_under_a_lowered_maxmemory_on_their_sweep()
    {
        Fill(_a, "a:", 300);
        Fill(_b, "b:", 100);
        Limit(long.MaxValue); // publishes each partition's total to the silo's (writes publish it in 1 MB steps)
        long held = _silo.Used;
        Assert.Equal(_a.Keyspace.UsedMemory + _b.Keyspace.UsedMemory, held);
        Limit(held / 2);

        // Reads do not evict, as in Redis (only commands flagged denyoom make room before they run).
        Assert.Equal(ReplyKind.Null, _a.TryExecute(C("GET", "missing"))!.Kind);
        Assert.Equal(held, _silo.Used);

        // Each sweep, each partition gives back its share of the excess (its part of the silo's memory), so the silo
        // converges within a few sweeps (100 ms apart in a silo: Cache:ExpireSweepInterval).
        int sweeps = 0;
        while (_silo.Used > held / 2 && sweeps < 10)
        {
            _a.SweepExpired(20);
            _b.SweepExpired(20);
            sweeps++;
        }
        Assert.True(_silo.Used <= held / 2, $"{_silo.Used} bytes held after {sweeps} sweeps, maxmemory {held / 2}");
        Assert.InRange(sweeps, 1, 5);
        int left = _a.Locked(k => k.Count) + _b.Locked(k => k.Count);
        Assert.InRange(left, 150, 205);
        long evicted = _a.Locked(k => k.EvictedTotal) + _b.Locked(k => k.EvictedTotal);
        Assert.Equal(400 - left, evicted);
        // Both gave back, the one that held more gave back more.
        Assert.True(_a.Locked(k => k.EvictedTotal) > _b.Locked(k => k.EvictedTotal));
        Assert.True(_b.Locked(k => k.EvictedTotal) > 0);
    }

    [Fact]
    public void Without_maxmemory_the_sweep_evicts_nothing()
    {
        Fill(_a, "a:", 100);
        _a.SweepExpired(20);
        Assert.Equal(100, _a.Locked(k => k.Count));
        Assert.Equal(0, _a.Locked(k => k.EvictedTotal));
    }
}
