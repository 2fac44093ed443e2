using System.Globalization;
using System.Net;
using Orleans.Cache.Tests.Postgres;
using Orleans.Cache.Tests.Resp;

namespace Orleans.Cache.Tests.Deployment;

/// <summary>
/// A real silo process with <c>--http-port</c> and <c>Telemetry:Prometheus</c> on, scraped as Prometheus scrapes it: every
/// Orleans.Cache instrument is there under the names the README's Grafana how-to uses, with the values the commands sent made.
/// </summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task The_metrics_endpoint_serves_every_instrument_with_what_the_commands_did()
    {
        var snapshots = Directory.CreateTempSubdirectory("orleans-cache-prometheus-").FullName;
        int httpPort = PostgresSilo.FreePort();
        try
        {
            using var silo = await RunningSilo.StartAsync("--http-port", $"{httpPort}", "--Telemetry:Prometheus", "true",
                "--Snapshots:Dir", snapshots, "--Snapshots:Save", "");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
            await Poll.Until(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "the silo to be ready", TimeSpan.FromSeconds(30));

            using (var client = await RawClient.ConnectAsync(silo.EndPoint))
            {
                for (int i = 0; i < 3; i++) Assert.Equal("+OK", await client.CommandAsync("SET", $"k{i}", "v"));
                Assert.Equal("$1", (await client.CommandAsync("GET", "k0")).Split("\r\n")[0]);
                Assert.Equal("$-1", await client.CommandAsync("GET", "missing"));
                Assert.StartsWith("-ERR value is not an integer", await client.CommandAsync("INCR", "k1"));
                using var scrape = await http.GetAsync("/metrics");
                Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
                var text = await scrape.Content.ReadAsStringAsync();
                var metrics = Parse(text);

                foreach (var name in new[]
                {
                    "orleans_cache_commands_total", "orleans_cache_commands_failed_total", "orleans_cache_commands_duration_seconds_total",
                    "orleans_cache_commands_latency_seconds_bucket", "orleans_cache_commands_latency_seconds_count", "orleans_cache_errors_total",
                    "orleans_cache_clients_connected", "orleans_cache_network_received_bytes_total", "orleans_cache_network_sent_bytes_total",
                    "orleans_cache_keyspace_hits_total", "orleans_cache_keyspace_misses_total", "orleans_cache_keys_expired_total",
                    "orleans_cache_keys_evicted_total", "orleans_cache_keys", "orleans_cache_memory_used_bytes", "orleans_cache_partitions",
                    "orleans_cache_partitions_activated_total", "orleans_cache_replication_lag",
                })
                    Assert.True(metrics.Keys.Any(k => k.Name == name), $"{name} is not in the scrape:\n{text}");

                Assert.Equal(3, Value(metrics, "orleans_cache_commands_total", "command=\"set\""));
                Assert.Equal(2, Value(metrics, "orleans_cache_commands_latency_seconds_count", "command=\"get\""));
                Assert.Equal(1, Value(metrics, "orleans_cache_commands_failed_total", "command=\"incr\""));
                Assert.Equal(1, Value(metrics, "orleans_cache_errors_total", "error=\"ERR\""));
                Assert.Equal(1, Value(metrics, "orleans_cache_keyspace_hits_total"));
                Assert.Equal(1, Value(metrics, "orleans_cache_keyspace_misses_total"));
                Assert.Equal(3, Value(metrics, "orleans_cache_keys"));
                Assert.Equal(8, Value(metrics, "orleans_cache_partitions"));
                Assert.Equal(8, Value(metrics, "orleans_cache_partitions_activated_total", "from=\"storage\""));
                Assert.Equal(1, Value(metrics, "orleans_cache_clients_connected"));
                // Every latency bucket is cumulative, so +Inf holds all of the command's calls.
                Assert.Equal(3, Value(metrics, "orleans_cache_commands_latency_seconds_bucket", "command=\"set\"", "le=\"+Inf\""));
            }
        }
        finally
        {
            Directory.Delete(snapshots, recursive: true);
        }
    }

    /// <summary>Prometheus's text format: "name{labels} value" lines, comments skipped.</summary>
    private static Dictionary<(string Name, string Labels), double> Parse(string text)
    {
        var metrics = new Dictionary<(string, string), double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.LastIndexOf(' ');
            string series = line[..space];
            int brace = series.IndexOf('{');
            metrics[brace < 0 ? (series, "") : (series[..brace], series[brace..])] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return metrics;
    }

    private static double Value(Dictionary<(string Name, string Labels), double> metrics, string name, params string[] labels) =>
        Assert.Single(metrics, m => m.Key.Name == name && labels.All(m.Key.Labels.Contains)).Value;
}
