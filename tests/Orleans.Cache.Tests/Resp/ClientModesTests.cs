using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

public sealed class ClientClusterFixture() : RespClusterFixtureBase(3);

/// <summary>
/// CLIENT REPLY, NO-TOUCH, PAUSE / UNPAUSE and TRACKING (client-side caching) on a 3-silo cluster, over raw sockets and
/// StackExchange.Redis: invalidations reach the reader whichever silo ran the write.
/// </summary>
public sealed class ClientModesTests(ClientClusterFixture fixture) : IClassFixture<ClientClusterFixture>
{
    private static string Key(string name) => $"{name}:{Guid.NewGuid():N}";

    private static string Bulk(string s) => $"${s.Length}\r\n{s}\r\n";

    private static string Invalidation(string key) => $">2\r\n$10\r\ninvalidate\r\n*1\r\n{Bulk(key)}";

    [Fact]
    public async Task Reply_off_runs_commands_without_answering_and_skip_drops_one_reply()
    {
        string k = Key("reply");
        using var raw = new RawClient(fixture.EndPointOf(0));
        await raw.SendAsync(RawClient.Encode("CLIENT", "REPLY", "OFF") + RawClient.Encode("SET", k, "1") + RawClient.Encode("INCR", k)
            + RawClient.Encode("NOSUCH") + RawClient.Encode("CLIENT", "REPLY", "ON") + RawClient.Encode("GET", k));
        Assert.Equal("+OK\r\n", await raw.ReadValueAsync());
        Assert.Equal(Bulk("2"), await raw.ReadValueAsync());

        await raw.SendAsync(RawClient.Encode("CLIENT", "REPLY", "SKIP") + RawClient.Encode("INCR", k) + RawClient.Encode("GET", k));
        Assert.Equal(Bulk("3"), await raw.ReadValueAsync());
        Assert.Equal("+PONG\r\n", await raw.CallAsync("PING"));
    }

    [Fact]
    public async Task No_touch_reads_leave_the_idle_time_and_touch_still_resets_it()
    {
        string k = Key("idle");
        using var raw = new RawClient(fixture.EndPointOf(1));
        Assert.Equal("+OK", await raw.CommandAsync("SET", k, "v"));
        fixture.Cache.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("+OK", await raw.CommandAsync("CLIENT", "NO-TOUCH", "ON"));
        Assert.Contains("flags=T", await raw.CommandAsync("CLIENT", "INFO"));
        Assert.Equal(Bulk("v"), await raw.CallAsync("GET", k));
        Assert.True(long.Parse((await raw.CommandAsync("OBJECT", "IDLETIME", k))[1..]) >= 20);
        Assert.Equal(":1", await raw.CommandAsync("TOUCH", k));
        Assert.Equal(":0", await raw.CommandAsync("OBJECT", "IDLETIME", k));

        fixture.Cache.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("+OK", await raw.CommandAsync("CLIENT", "NO-TOUCH", "OFF"));
        Assert.Equal(Bulk("v"), await raw.CallAsync("GET", k));
        Assert.Equal(":0", await raw.CommandAsync("OBJECT", "IDLETIME", k));
        Assert.Equal("-ERR syntax error", await raw.CommandAsync("CLIENT", "NO-TOUCH", "MAYBE"));
    }

    [Fact]
    public async Task Pause_write_holds_writes_but_not_reads_until_unpause()
    {
        string k = Key("paused");
        using var admin = new RawClient(fixture.EndPointOf(2));
        using var other = new RawClient(fixture.EndPointOf(2));
        Assert.Equal("+OK", await other.CommandAsync("SET", k, "before"));
        Assert.Equal("+OK", await admin.CommandAsync("CLIENT", "PAUSE", "100000", "WRITE"));
        try
        {
            Assert.Equal(Bulk("before"), await other.CallAsync("GET", k));
            await other.SendCommandAsync("SET", k, "after");
            await Assert.ThrowsAsync<TimeoutException>(() => other.ReadValueAsync(300));
            Assert.Equal(Bulk("before"), await admin.CallAsync("GET", k));
        }
        finally
        {
            Assert.Equal("+OK", await admin.CommandAsync("CLIENT", "UNPAUSE"));
        }
        Assert.Equal("+OK\r\n", await other.ReadValueAsync());
        Assert.Equal(Bulk("after"), await admin.CallAsync("GET", k));
    }

    [Fact]
    public async Task Pause_all_holds_every_command_until_its_timeout_passes_on_the_clock()
    {
        using var admin = new RawClient(fixture.EndPointOf(2));
        using var other = new RawClient(fixture.EndPointOf(2));
        Assert.Equal("+OK", await admin.CommandAsync("CLIENT", "PAUSE", "5000"));
        await other.SendCommandAsync("PING");
        await Assert.ThrowsAsync<TimeoutException>(() => other.ReadValueAsync(300));
        // UNPAUSE waits too in ALL mode, as in Redis; the timeout ends the pause.
        await admin.SendCommandAsync("CLIENT", "UNPAUSE");
        fixture.Cache.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("+PONG\r\n", await other.ReadValueAsync());
        Assert.Equal("+OK\r\n", await admin.ReadValueAsync());
    }

    [Fact]
    public async Task Tracking_tells_a_resp3_reader_once_when_a_key_it_read_is_written_through_another_silo()
    {
        string k = Key("tracked"), other = Key("tracked");
        using var reader = new RawClient(fixture.EndPointOf(0));
        using var writer = new RawClient(fixture.EndPointOf(1));
        await reader.CallAsync("HELLO", "3");
        Assert.Equal("+OK\r\n", await reader.CallAsync("CLIENT", "TRACKING", "ON"));
        Assert.Equal("_\r\n", await reader.CallAsync("GET", k));
        Assert.Equal("_\r\n", await reader.CallAsync("GET", other));

        Assert.Equal("+OK", await writer.CommandAsync("SET", k, "1"));
        Assert.Equal(Invalidation(k), await reader.ReadValueAsync());
        // Told once: the key must be read again to be tracked again.
        Assert.Equal("+OK", await writer.CommandAsync("SET", k, "2"));
        Assert.Equal("+OK", await writer.CommandAsync("SET", other, "1"));
        Assert.Equal(Invalidation(other), await reader.ReadValueAsync());

        Assert.Equal(Bulk("2"), await reader.CallAsync("GET", k));
        Assert.Equal(":1", await writer.CommandAsync("DEL", k));
        Assert.Equal(Invalidation(k), await reader.ReadValueAsync());
        Assert.Contains("flags=t ", await reader.CallAsync("CLIENT", "INFO"));
    }

    [Fact]
    public async Task Broadcast_mode_tells_about_every_key_under_its_prefixes()
    {
        string tag = Guid.NewGuid().ToString("N")[..8];
        using var reader = new RawClient(fixture.EndPointOf(2));
        using var writer = new RawClient(fixture.EndPointOf(0));
        await reader.CallAsync("HELLO", "3");
        Assert.Equal("+OK\r\n", await reader.CallAsync("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", $"user:{tag}:", "PREFIX", $"cart:{tag}:"));
        Assert.Equal("+OK", await writer.CommandAsync("SET", $"user:{tag}:1", "a"));
        Assert.Equal("+OK", await writer.CommandAsync("SET", $"other:{tag}:1", "a"));
        Assert.Equal(":1", await writer.CommandAsync("SADD", $"cart:{tag}:9", "x"));
        // Keys of different partitions are announced on different channels: no order between them.
        var told = new[] { await reader.ReadValueAsync(), await reader.ReadValueAsync() }.Order().ToArray();
        Assert.Equal([Invalidation($"cart:{tag}:9"), Invalidation($"user:{tag}:1")], told);
        Assert.Contains("flags=tB", await reader.CallAsync("CLIENT", "INFO"));
    }

    [Fact]
    public async Task Redirect_sends_resp2_invalidations_to_the_subscribed_client()
    {
        string k = Key("redirected");
        using var sink = new RawClient(fixture.EndPointOf(1));
        using var reader = new RawClient(fixture.EndPointOf(1));
        using var writer = new RawClient(fixture.EndPointOf(2));
        string sinkId = await ClientId(sink);
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n", await sink.CallAsync("SUBSCRIBE", "__redis__:invalidate"));
        Assert.Equal("+OK", await reader.CommandAsync("CLIENT", "TRACKING", "ON", "REDIRECT", sinkId));
        Assert.Equal($":{sinkId}", await reader.CommandAsync("CLIENT", "GETREDIR"));
        Assert.Equal("$-1", await reader.CommandAsync("GET", k));
        Assert.Equal("+OK", await writer.CommandAsync("SET", k, "v"));
        Assert.Equal($"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n{Bulk(k)}", await sink.ReadValueAsync());
    }

    [Fact]
    public async Task Optin_tracks_only_reads_after_caching_yes()
    {
        string tracked = Key("optin"), untracked = Key("optin");
        using var reader = new RawClient(fixture.EndPointOf(0));
        using var writer = new RawClient(fixture.EndPointOf(2));
        await reader.CallAsync("HELLO", "3");
        Assert.Equal("+OK\r\n", await reader.CallAsync("CLIENT", "TRACKING", "ON", "OPTIN"));
        Assert.Equal("+OK\r\n", await reader.CallAsync("CLIENT", "CACHING", "YES"));
        Assert.Equal("_\r\n", await reader.CallAsync("GET", tracked));
        Assert.Equal("_\r\n", await reader.CallAsync("GET", untracked));
        Assert.Equal("+OK", await writer.CommandAsync("SET", untracked, "1"));
        Assert.Equal("+OK", await writer.CommandAsync("SET", tracked, "1"));
        Assert.Equal(Invalidation(tracked), await reader.ReadValueAsync());
    }

    [Fact]
    public async Task Flushall_through_any_silo_invalidates_everything_tracked_on_every_silo()
    {
        var readers = Enumerable.Range(0, 3).Select(i => new RawClient(fixture.EndPointOf(i))).ToArray();
        using var flusher = new RawClient(fixture.EndPointOf(0));
        try
        {
            foreach (var reader in readers)
            {
                await reader.CallAsync("HELLO", "3");
                Assert.Equal("+OK\r\n", await reader.CallAsync("CLIENT", "TRACKING", "ON"));
                Assert.Equal("_\r\n", await reader.CallAsync("GET", Key("flushed")));
            }
            Assert.Equal("+OK", await flusher.CommandAsync("FLUSHALL"));
            foreach (var reader in readers) Assert.Equal(">2\r\n$10\r\ninvalidate\r\n_\r\n", await reader.ReadValueAsync());
        }
        finally
        {
            foreach (var reader in readers) reader.Dispose();
        }
    }

    [Fact]
    public async Task StackExchange_redis_sees_tracking_state_through_trackinginfo()
    {
        await using var redis = await fixture.ConnectAsync(0, RedisProtocol.Resp2);
        var db = redis.GetDatabase();
        var info = (RedisResult[])(await db.ExecuteAsync("CLIENT", "TRACKINGINFO"))!;
        Assert.Equal("flags", (string?)info[0]);
        Assert.Equal(["off"], ((RedisResult[])info[1]!).Select(r => (string?)r));
        Assert.Equal(-1, (long)info[3]);
        Assert.Equal(-1, (long)await db.ExecuteAsync("CLIENT", "GETREDIR"));
    }

    private static async Task<string> ClientId(RawClient client) => (await client.CommandAsync("CLIENT", "ID"))[1..];
}
