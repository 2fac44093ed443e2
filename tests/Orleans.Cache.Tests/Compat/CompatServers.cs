using Orleans.Cache.Tests.Differential;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Compat;

/// <summary>
/// The two servers every compatibility test runs against — a real redis-server and the Orleans.Cache 2-silo cluster —
/// and the StackExchange.Redis options an app would configure for them. App 0 talks to silo 0 and app 1 to silo 1, so
/// on Orleans.Cache two "app instances" also cross silos; a test reads the server's own state (PTTL, EXISTS, LLEN)
/// through a third connection. Each server is run once with the client's default protocol (StackExchange.Redis 3.x
/// negotiates RESP3, where pub/sub messages arrive as pushes on the command connection) and once with RESP2 forced,
/// with a separate subscription connection.
/// </summary>
internal static class CompatServers
{
    public const string RedisServer = "redis-server";
    public const string OrleansCache = "Orleans.Cache";

    private const string Resp2 = " RESP2";

    public static TheoryData<string> All => new() { RedisServer, OrleansCache, RedisServer + Resp2, OrleansCache + Resp2 };

    /// <summary>Fresh options for app <paramref name="app"/>: the packages keep (and some mutate) what they are given.</summary>
    public static ConfigurationOptions Options(this OrleansDiffFixture fixture, string server, int app = 0) => new()
    {
        EndPoints = { server.StartsWith(RedisServer, StringComparison.Ordinal) ? fixture.Redis.EndPoint : fixture.EndPointOf(app % 2) },
        Protocol = server.EndsWith(Resp2, StringComparison.Ordinal) ? RedisProtocol.Resp2 : null,
        ConnectTimeout = 10_000,
        SyncTimeout = 10_000,
        AsyncTimeout = 10_000,
    };

    /// <summary>
    /// A connection of the test's own, to look at what the package left on the server; it checks that the server
    /// speaks the protocol the row means (the client would otherwise fall back to RESP2 without a word).
    /// </summary>
    public static async Task<ConnectionMultiplexer> InspectAsync(this OrleansDiffFixture fixture, string server)
    {
        var options = fixture.Options(server, app: 1);
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        Assert.Equal(options.Protocol ?? RedisProtocol.Resp3, connection.GetServer(connection.GetEndPoints()[0]).Protocol);
        return connection;
    }

    /// <summary>The server's PTTL of <paramref name="key"/>: -2 missing, -1 no expiry, else milliseconds left.</summary>
    public static async Task<long> PttlAsync(this IDatabase db, RedisKey key) => (long)await db.ExecuteAsync("PTTL", key);

    /// <summary>A key prefix no other test uses.</summary>
    public static string Unique(string what) => $"compat-{what}-{Guid.NewGuid():N}:";
}
