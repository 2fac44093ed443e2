using System.Diagnostics.Metrics;

namespace Orleans.Cache.Tests;

/// <summary>Reads the "Orleans.Cache" meter as OpenTelemetry or dotnet-counters would (a MeterListener).</summary>
internal static class MeterReadings
{
    /// <summary>
    /// Each instrument's value, summed over the meters created by <paramref name="scopes"/> (the silos' IMeterFactory: other
    /// clusters of the test run are left out), keyed "name", or "name|tag value" for a tagged measurement.
    /// </summary>
    public static Dictionary<string, double> Collect(IEnumerable<IMeterFactory> scopes)
    {
        var wanted = scopes.ToHashSet<object>();
        var values = new Dictionary<string, double>();
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string key = tags.Length == 0 ? instrument.Name : instrument.Name + "|" + tags[0].Value;
            values[key] = values.GetValueOrDefault(key) + value;
        }
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Orleans.Cache" && instrument.Meter.Scope is { } scope && wanted.Contains(scope)) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
