using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Grains;

namespace Orleans.Cache.Testing;

/// <summary>How <c>InProcessTestClusterBuilder.AddOrleansCache</c> sets Orleans.Cache up in a test cluster.</summary>
public sealed class OrleansCacheTestOptions
{
    /// <summary>
    /// The clock every partition reads for expiry (TTLs, EXPIRE, WAIT's timeout …); the test advances it. By default a
    /// new <see cref="FakeTimeProvider"/> set to the current time. Timers, retries and the client's back-offs stay on
    /// the system clock, so nothing waits for the test to move time.
    /// </summary>
    public FakeTimeProvider Time { get; set; } = new(DateTimeOffset.UtcNow);

    /// <summary>Cache settings for the silos and the client alike (e.g. <c>o => o.Partitions = 4</c>).</summary>
    public Action<CacheOptions>? Cache { get; set; }

    /// <summary>Snapshot settings. By default snapshots are off (<c>Storage = "None"</c>): a test cluster starts empty and writes no files.</summary>
    public Action<SnapshotOptions>? Snapshots { get; set; }

    /// <summary>A RESP endpoint in every silo on a free loopback port (<c>silo.GetRespEndPoint()</c>), for code that talks StackExchange.Redis.</summary>
    public bool RespEndpoint { get; set; }
}
