using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Core;
using Orleans.Diagnostics;
using Orleans.Hosting;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>
/// Spans as a tracing backend sees them when the app traces its requests: a command whose partition lives in another
/// silo is one client span around the grain call (activity source "Orleans.Cache"), continued on the partition's silo by
/// Orleans's own spans of the call (activity propagation, which the silo host turns on with OTLP); a command served in
/// the caller's silo crosses nothing and makes no span.
/// </summary>
public sealed class TracingTests
{
    private const string AppName = "Orleans.Cache.Tests.App";
    private static readonly ActivitySource App = new(AppName);

    [Fact]
    public async Task A_command_for_a_partition_in_another_silo_is_a_client_span_continued_in_that_silo()
    {
        await using var c = await CacheCluster.StartAsync(2, b => b.ConfigureSilo((_, silo) => silo.AddActivityPropagation()));
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is CacheTelemetry.ActivitySourceName or ActivitySources.RuntimeActivitySourceName or AppName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var cache = c.CacheOnSilo(0);
        await cache.SetAsync("warm-up", "x"); // every partition active somewhere
        for (int p = 0; p < CacheCluster.Partitions; p++) await c.Partition(p).GetSilo();
        var local = c.Cluster.Silos[0].ServiceProvider.GetRequiredService<LocalPartitions>();
        var map = new PartitionMap(CacheCluster.Partitions);
        string KeyIn(bool here) => Enumerable.Range(0, 10_000).Select(i => $"traced:{i}")
            .First(k => local.Find(map.PartitionOfKey(Encoding.UTF8.GetBytes(k))) is null != here);
        string remote = KeyIn(here: false), near = KeyIn(here: true);

        ActivityTraceId trace;
        using (var request = App.StartActivity("request")!)
        {
            trace = request.TraceId;
            await cache.SetAsync(remote, "v");
            await cache.SetAsync(near, "v");
        }
        var client = Assert.Single(spans, s => s.TraceId == trace && s.Source.Name == CacheTelemetry.ActivitySourceName);
        Assert.Equal("SET", client.DisplayName);
        Assert.Equal(ActivityKind.Client, client.Kind);
        Assert.Equal("redis", client.GetTagItem("db.system.name"));
        Assert.Equal(map.PartitionOfKey(Encoding.UTF8.GetBytes(remote)), client.GetTagItem("orleans_cache.partition"));
        Assert.Equal(spans.Single(s => s.TraceId == trace && s.Source == App).SpanId, client.ParentSpanId);
        // The partition's silo served the call inside the same trace: Orleans's client span of the call is a child of this
        // one, and its server span in the other silo a child of that (Orleans files grains in an Orleans.* namespace under
        // its runtime source).
        Activity? server = null;
        await Poll.Until(() => (server = spans.FirstOrDefault(s => s.TraceId == trace && s.Kind == ActivityKind.Server && s.DisplayName == "IPartitionGrain/Execute")) is not null,
            "the partition silo's span", TimeSpan.FromSeconds(10));
        var call = Assert.Single(spans, s => s.ParentSpanId == client.SpanId);
        Assert.Equal((ActivitySources.RuntimeActivitySourceName, "IPartitionGrain/Execute", ActivityKind.Client), (call.Source.Name, call.DisplayName, call.Kind));
        Assert.Equal(call.SpanId, server!.ParentSpanId);
        Assert.Equal(ActivitySources.RuntimeActivitySourceName, server.Source.Name);
    }
}
