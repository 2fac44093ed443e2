using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Orleans.Cache.Core.Tests;

/// <summary>The pure parts of INFO, SLOWLOG, LATENCY and MONITOR: keyspace counters, truncation, quoting, histograms.</summary>
public class ObservabilityTests
{
    private readonly TypesDb _db = new();

    [Fact]
    public void Reads_count_hits_and_misses_and_writes_count_neither()
    {
        _db.Do("SET", "a", "1");
        _db.Do("GET", "a");
        _db.Do("GET", "missing");
        _db.Do("MGET", "a", "a", "nope");
        _db.Do("INCR", "a");
        _db.Do("SET", "b", "2");
        Assert.Equal(3, _db.Keyspace.Hits);
        Assert.Equal(2, _db.Keyspace.Misses);
    }

    [Fact]
    public void Reading_an_expired_key_is_a_miss_and_an_expired_key()
    {
        _db.Do("SET", "k", "v", "PX", "100");
        _db.Clock.Advance(TimeSpan.FromMilliseconds(101));
        Assert.Equal("nil", _db.Do("GET", "k"));
        Assert.Equal(1, _db.Keyspace.Misses);
        Assert.Equal(1, _db.Keyspace.ExpiredTotal);
        _db.Keyspace.ResetStats();
        Assert.Equal(0, _db.Keyspace.Misses);
        Assert.Equal(0, _db.Keyspace.ExpiredTotal);
    }

    [Fact]
    public void Partition_stats_count_keys_expires_and_the_average_ttl()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var engine = new PartitionEngine(clock);
        foreach (var argv in new string[][] { ["SET", "a", "1"], ["SET", "b", "2", "PX", "10000"], ["SET", "c", "3", "PX", "20000"] })
            engine.TryExecute(CommandRouter.Resolve([.. argv.Select(Encoding.UTF8.GetBytes)], out _)!.Value);
        var stats = engine.Stats();
        Assert.Equal(3, stats.Keys);
        Assert.Equal(2, stats.Expires);
        Assert.Equal(15000, stats.AverageTtl);
        Assert.Equal(3, stats.Dirty);
    }

    [Fact]
    public void Slowlog_keeps_32_arguments_and_128_bytes_of_each_as_Redis_does()
    {
        var many = Enumerable.Range(0, 40).Select(i => Encoding.ASCII.GetBytes($"a{i}")).ToArray();
        var kept = CommandLog.Truncate(many);
        Assert.Equal(32, kept.Length);
        Assert.Equal("a30", Encoding.ASCII.GetString(kept[30]));
        Assert.Equal("... (9 more arguments)", Encoding.ASCII.GetString(kept[31]));

        var big = CommandLog.Truncate([Encoding.ASCII.GetBytes("SET"), new byte[200]]);
        Assert.Equal(128 + "... (72 more bytes)".Length, big[1].Length);
        Assert.EndsWith("... (72 more bytes)", Encoding.ASCII.GetString(big[1]));
    }

    [Fact]
    public void Monitor_lines_quote_and_escape_arguments_as_Redis_does()
    {
        var line = CommandLog.MonitorLine(1_700_000_000_123_456, "127.0.0.1:54321",
            [Encoding.ASCII.GetBytes("SET"), Encoding.ASCII.GetBytes("k"), [(byte)'a', (byte)'"', (byte)'\n', 0x01, (byte)'\\']]);
        Assert.Equal("1700000000.123456 [0 127.0.0.1:54321] \"SET\" \"k\" \"a\\\"\\n\\x01\\\\\"", line);
        Assert.StartsWith("1700000000.000007 ", CommandLog.MonitorLine(1_700_000_000_000_007, "c", [Encoding.ASCII.GetBytes("PING")]));
    }

    [Fact]
    public void Latency_histogram_buckets_cover_values_within_an_eighth_and_give_percentiles()
    {
        for (long v = 0; v < 5_000_000; v = v * 9 / 8 + 1)
        {
            int b = LatencyHistogram.Bucket(v);
            Assert.True(LatencyHistogram.UpperBound(b) >= v, $"{v} above its bucket");
            Assert.True(b == 0 || LatencyHistogram.UpperBound(b - 1) < v, $"{v} below its bucket");
            Assert.True(LatencyHistogram.UpperBound(b) <= v + v / 8 + 1, $"{v}'s bucket too wide");
        }
        var counts = new long[LatencyHistogram.Buckets];
        for (int i = 1; i <= 100; i++) counts[LatencyHistogram.Bucket(i < 100 ? 3 : 1000)]++;
        Assert.Equal(3, LatencyHistogram.Percentile(counts, 50));
        Assert.Equal(3, LatencyHistogram.Percentile(counts, 99));
        Assert.InRange(LatencyHistogram.Percentile(counts, 99.9), 1000, 1125);
    }

    [Fact]
    public void Latency_series_keeps_the_highest_sample_of_a_second_and_the_last_160_seconds()
    {
        var series = new LatencySeries();
        series.Add(100, 5);
        series.Add(100, 3);
        series.Add(100, 9);
        series.Add(101, 2);
        Assert.Equal(new[] { (100L, 9L), (101L, 2L) }, series.Samples);
        Assert.Equal(9, series.Max);
        for (int t = 200; t < 400; t++) series.Add(t, 1);
        Assert.Equal(LatencySeries.Capacity, series.Samples.Count);
        Assert.Equal((399L, 1L), series.Latest);
        Assert.Equal(9, series.Max);
    }
}
