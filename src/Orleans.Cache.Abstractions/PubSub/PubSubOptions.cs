namespace Orleans.Cache.PubSub;

/// <summary>Pub/Sub settings shared by silos and clients (configuration section "PubSub").</summary>
public sealed class PubSubOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "PubSub";

    /// <summary>The stream provider every channel, shard channel and pattern stream uses.</summary>
    public string StreamProvider { get; set; } = "PubSub";

    /// <summary>
    /// Register an in-memory stream provider named <see cref="StreamProvider"/> (with a memory "PubSubStore"
    /// unless the host registered one). Set false when the host configures its own provider under that name.
    /// </summary>
    public bool UseMemoryStreams { get; set; } = true;

    /// <summary>How often memory-stream pulling agents look for new messages: the floor of delivery latency.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>How many sequencer grains the channel space is split into. Every silo of a cluster must agree.</summary>
    public int Shards { get; set; } = 8;

    /// <summary>
    /// How long an unsubscribing client waits for messages that were counted for it but are still on their way;
    /// past it, the hub gives up waiting (and logs it).
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Initial notify-keyspace-events (Redis's flag string, e.g. "Ex"); empty means off.</summary>
    public string NotifyKeyspaceEvents { get; set; } = "";
}

/// <summary>Where the cluster-wide notify-keyspace-events setting lives; partitions read it when they activate.</summary>
[Alias("Orleans.Cache.PubSub.IKeyspaceEventsGrain")]
internal interface IKeyspaceEventsGrain : IGrainWithIntegerKey
{
    /// <summary>The flags (a <c>KeyspaceEventFlags</c> value), or null when never set (use the configured default).</summary>
    [Alias("Get")]
    ValueTask<int?> Get();

    /// <summary>Stores the flags and pushes them to every partition.</summary>
    [Alias("Set")]
    ValueTask Set(int flags);

    /// <summary>
    /// Some client turned CLIENT TRACKING on: from now on every partition announces the keys it modifies (the flags
    /// carry the Tracking bit). It stays on while the grain lives.
    /// </summary>
    [Alias("EnableTracking")]
    ValueTask EnableTracking();
}
