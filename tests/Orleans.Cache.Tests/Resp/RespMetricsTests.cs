using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Cache.Tests.Resp;

/// <summary>One silo with a RESP endpoint for <see cref="RespMetricsTests"/>.</summary>
public sealed class RespMetricsFixture() : RespClusterFixtureBase(1);

/// <summary>The RESP endpoint's instruments on the "Orleans.Cache" meter follow what clients send, per command.</summary>
public sealed class RespMetricsTests(RespMetricsFixture fixture) : IClassFixture<RespMetricsFixture>
{
    /// <summary>Each instrument's values of this silo, by "name" or "name|tag".</summary>
    private Dictionary<string, double> Collect()
    {
        var scope = fixture.Cache.Cluster.Silos[0].ServiceProvider.GetRequiredService<IMeterFactory>();
        var values = new Dictionary<string, double>();
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string key = tags.Length == 0 ? instrument.Name : instrument.Name + "|" + tags[0].Value;
            values[key] = values.GetValueOrDefault(key) + value;
        }
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == "Orleans.Cache" && instrument.Meter.Scope == scope) l.EnableMeasurementEvents(instrument); },
        };
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

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
}
