using System.Diagnostics;
using Orleans.Cache.Core;

namespace Orleans.Cache;

/// <summary>
/// The names Orleans.Cache publishes telemetry under, for an OpenTelemetry <c>MeterProvider</c> (<c>AddMeter</c>) and
/// <c>TracerProvider</c> (<c>AddSource</c>).
/// </summary>
public static class CacheTelemetry
{
    /// <summary>The meter of every Orleans.Cache instrument (System.Diagnostics.Metrics).</summary>
    public const string MeterName = "Orleans.Cache";

    /// <summary>The activity source of the spans around the executor's grain calls to partitions in other silos.</summary>
    public const string ActivitySourceName = "Orleans.Cache";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>
    /// A client span for one grain call carrying <paramref name="commands"/> to <paramref name="partition"/>, or null —
    /// without allocating — when nobody listens or the sampler drops it. Named after the command (or
    /// <paramref name="name"/>, BATCH for several), with OpenTelemetry's database attributes; Orleans carries the trace
    /// context on to the partition's silo. Its parent is <paramref name="parent"/> when given (default: a new trace; a
    /// coalesced batch runs in the flow of whichever caller started the queue, not of the caller it serves), else the
    /// current activity.
    /// </summary>
    internal static Activity? StartGrainCall(int partition, IReadOnlyList<Command> commands, ActivityContext? parent = null, string? name = null)
    {
        if (!Source.HasListeners()) return null;
        name ??= commands.Count == 1 ? commands[0].Info.Name : "BATCH";
        if (parent is { } explicitParent && explicitParent == default) Activity.Current = null; // this async flow only
        // Tags from the start: a sampler sees them (the silo host's starts traces only at spans of a database system).
        ActivityTagsCollection tags = new()
        {
            ["db.system.name"] = "redis",
            ["db.operation.name"] = name,
            ["orleans_cache.partition"] = partition,
        };
        if (commands.Count > 1) tags["db.operation.batch.size"] = commands.Count;
        return Source.StartActivity(ActivityKind.Client, parent ?? default, tags, name: name);
    }

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="error"/>; false, to sit in an exception filter.</summary>
    internal static bool Failed(Activity? activity, Exception error)
    {
        if (activity is null) return false;
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        activity.SetTag("error.type", error.GetType().FullName);
        return false;
    }
}
