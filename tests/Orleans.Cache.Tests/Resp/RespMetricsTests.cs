using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Cache.Tests.Resp;

/// <summary>One silo with a RESP endpoint for <see cref="RespMetricsTests"/>.</summary>
public sealed class RespMetricsFixture() : RespClusterFixtureBase(1);

/// <summary>The RESP endpoint's instruments on the "Orleans.Cache" meter follow what clients send, per command.</summary>
public sealed class RespMetricsTests(RespMetricsFixture fixture) : IClassFixture<RespMetricsFixture>
{
    private Dictionary<string, double> Collect() =>
        MeterReadings.Collect([fixture.Cache.Cluster.Silos[0].ServiceProvider.GetRequiredService<IMeterFactory>()]);

    [Fact]
    public async Task Commands_errors_clients_and_bytes_are_counted_per_command()
    {
        var before = Collect();
        using var client = await RawClient.ConnectAsync(fixture.EndPointOf(0));
        for (int i = 0; i < 3; i++) Assert.Equal("+OK", await client.CommandAsync("SET", "metrics:k", "v"));
        for (int i = 0; i < 2; i++) Assert.Equal("$1\r\nv\r\n", await client.CommandAsync("GET", "metrics:k"));
        Assert.StartsWith("-ERR wrong number of arguments", await client.CommandAsync("GET"));
        var after = Collect();
        double Delta(string key) => after.GetValueOrDefault(key) - before.GetValueOrDefault(key);
        Assert.Equal(3, Delta("orleans_cache.commands|set"));
        Assert.Equal(2, Delta("orleans_cache.commands|get"));
        Assert.Equal(1, Delta("orleans_cache.commands.failed|get"));
        Assert.Equal(1, Delta("orleans_cache.errors|ERR"));
        Assert.True(Delta("orleans_cache.commands.duration|set") > 0);
        Assert.True(after["orleans_cache.clients.connected"] >= 1);
        Assert.True(Delta("orleans_cache.network.received") > 0 && Delta("orleans_cache.network.sent") > 0);
    }

    [Fact]
    public async Task The_latency_histogram_records_each_command_while_a_listener_has_it()
    {
        var scope = fixture.Cache.Cluster.Silos[0].ServiceProvider.GetRequiredService<IMeterFactory>();
        var recorded = new System.Collections.Concurrent.ConcurrentQueue<(string Command, double Seconds)>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "orleans_cache.commands.latency" && instrument.Meter.Scope == scope) l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<double>((_, value, tags, _) => recorded.Enqueue(((string)tags[0].Value!, value)));
            listener.Start();
            using var client = await RawClient.ConnectAsync(fixture.EndPointOf(0));
            for (int i = 0; i < 4; i++) Assert.Equal("+OK", await client.CommandAsync("SET", "latency:k", "v"));
            Assert.Equal("$1\r\nv\r\n", await client.CommandAsync("GET", "latency:k"));
            Assert.Equal("+OK", await client.CommandAsync("CONFIG", "SET", "slowlog-max-len", "128")); // a container: under its name
        }
        var mine = recorded.Where(r => r.Command is "set" or "get" or "config").ToList();
        Assert.Equal(4, mine.Count(r => r.Command == "set"));
        Assert.Equal(1, mine.Count(r => r.Command == "get"));
        Assert.Equal(1, mine.Count(r => r.Command == "config"));
        Assert.All(mine, r => Assert.InRange(r.Seconds, 0, 10));
    }
}
