namespace Orleans.Cache.Tests.Resp;

/// <summary>Three silos with RESP endpoints, for blocked clients on one silo woken by writes through others.</summary>
public sealed class BlockingRespFixture() : RespClusterFixtureBase(3);

/// <summary>
/// Blocked clients over RESP, compared with redis-server 7.0.15: every write that makes a key ready wakes the clients
/// blocked on it, whichever path ran it (a blocking move served at once, a chain of blocked moves, MULTI/EXEC, a script);
/// blocked clients show in CLIENT LIST (flag b) and INFO (blocked_clients), and CLIENT UNBLOCK wakes them with Redis's replies.
/// </summary>
public sealed class BlockingRespTests(BlockingRespFixture fixture) : IClassFixture<BlockingRespFixture>
{
    private static string Tag([System.Runtime.CompilerServices.CallerMemberName] string name = "") => "{" + name + Guid.NewGuid().ToString("N")[..8] + "}";

    private async Task<RawClient> ConnectAsync(int silo, int protocol = 2)
    {
        var raw = await RawClient.ConnectAsync(fixture.EndPointOf(silo));
        if (protocol == 3) Assert.StartsWith("%", await raw.CallAsync("HELLO", "3"));
        return raw;
    }

    private static async Task<long> IdOf(RawClient client) => long.Parse((await client.CallAsync("CLIENT", "ID"))[1..^2]);

    private static string Bulk(string s) => $"${s.Length}\r\n{s}\r\n";

    /// <summary>BLPOP's answer (an array in RESP3 too).</summary>
    private static string Popped(string key, string value) => $"*2\r\n{Bulk(key)}{Bulk(value)}";

    /// <summary>
    /// Sends a blocking command and returns once its client shows as blocked in CLIENT LIST on its silo and a command on
    /// the same partition, sent after it through the same silo, has been answered: its wait is registered.
    /// </summary>
    private async Task BlockAsync(RawClient client, int silo, string key, params string[] command)
    {
        long id = await IdOf(client);
        await client.SendCommandAsync(command);
        await WaitBlockedAsync(silo, id, key);
    }

    private async Task WaitBlockedAsync(int silo, long id, string key)
    {
        using var admin = await ConnectAsync(silo);
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!(await admin.CallAsync("CLIENT", "LIST", "ID", id.ToString())).Contains(" flags=b "))
        {
            Assert.True(DateTime.UtcNow < until, "the client never showed as blocked");
            await Task.Delay(5);
        }
        await admin.CallAsync("EXISTS", key);
    }

    [Theory, InlineData(2), InlineData(3)]
    public async Task A_blocking_move_served_at_once_wakes_the_client_blocked_on_its_destination(int protocol)
    {
        string tag = Tag(), src = $"{tag}src", dst = $"{tag}dst", other = $"{tag}other";
        using var waiter = await ConnectAsync(0, protocol);
        using var mover = await ConnectAsync(1, protocol);
        // A move towards dst that waits on another key, blocked first, must not stand in the way of dst's waiter.
        using var earlier = await ConnectAsync(2, protocol);
        await BlockAsync(earlier, 2, other, "BLMOVE", other, dst, "LEFT", "RIGHT", "0");
        await BlockAsync(waiter, 0, dst, "BLPOP", dst, "0");
        Assert.Equal(":1\r\n", await mover.CallAsync("RPUSH", src, "x"));
        Assert.Equal(Bulk("x"), await mover.CallAsync("BLMOVE", src, dst, "LEFT", "RIGHT", "0"));
        Assert.Equal(Popped(dst, "x"), await waiter.ReadValueAsync());
        Assert.Equal(":0\r\n", await mover.CallAsync("LLEN", dst));

        // BRPOPLPUSH too.
        await BlockAsync(waiter, 0, dst, "BLPOP", dst, "0");
        Assert.Equal(":1\r\n", await mover.CallAsync("RPUSH", src, "y"));
        Assert.Equal(Bulk("y"), await mover.CallAsync("BRPOPLPUSH", src, dst, "0"));
        Assert.Equal(Popped(dst, "y"), await waiter.ReadValueAsync());

        Assert.Equal(":1\r\n", await mover.CallAsync("RPUSH", other, "z"));
        Assert.Equal(Bulk("z"), await earlier.ReadValueAsync());
        Assert.Equal("*1\r\n" + Bulk("z"), await mover.CallAsync("LRANGE", dst, "0", "-1"));
    }

    [Fact]
    public async Task A_chain_of_blocked_moves_is_served_by_one_push_and_a_push_to_a_destination_serves_its_own_waiters()
    {
        string tag = Tag(), a = $"{tag}a", b = $"{tag}b", c = $"{tag}c";
        using var first = await ConnectAsync(0);   // a → b
        using var second = await ConnectAsync(1);  // b → c
        using var last = await ConnectAsync(2);    // pops c
        using var pusher = await ConnectAsync(1);
        await BlockAsync(first, 0, a, "BLMOVE", a, b, "LEFT", "RIGHT", "0");
        await BlockAsync(second, 1, b, "BLMOVE", b, c, "LEFT", "RIGHT", "0");
        await BlockAsync(last, 2, c, "BLPOP", c, "0");

        // A push to b serves b's waiter, though a move waiting on a (towards b) blocked first; its push to c serves c's.
        Assert.Equal(":1\r\n", await pusher.CallAsync("RPUSH", b, "x"));
        Assert.Equal(Bulk("x"), await second.ReadValueAsync());
        Assert.Equal(Popped(c, "x"), await last.ReadValueAsync());

        // One push to a runs the whole chain: a → b → c → popped.
        await BlockAsync(second, 1, b, "BLMOVE", b, c, "LEFT", "RIGHT", "0");
        await BlockAsync(last, 2, c, "BLPOP", c, "0");
        Assert.Equal(":1\r\n", await pusher.CallAsync("RPUSH", a, "y"));
        Assert.Equal(Bulk("y"), await first.ReadValueAsync());
        Assert.Equal(Bulk("y"), await second.ReadValueAsync());
        Assert.Equal(Popped(c, "y"), await last.ReadValueAsync());
        Assert.Equal("*0\r\n", await pusher.CallAsync("LRANGE", a, "0", "-1"));
        Assert.Equal("*0\r\n", await pusher.CallAsync("LRANGE", b, "0", "-1"));
        Assert.Equal("*0\r\n", await pusher.CallAsync("LRANGE", c, "0", "-1"));
    }

    [Fact]
    public async Task Writes_in_a_transaction_or_a_script_wake_blocked_clients()
    {
        string tag = Tag(), key = $"{tag}list", zkey = $"{tag}zset";
        using var waiter = await ConnectAsync(0);
        using var writer = await ConnectAsync(2);

        await BlockAsync(waiter, 0, key, "BLPOP", key, "0");
        Assert.Equal("+OK\r\n", await writer.CallAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await writer.CallAsync("RPUSH", key, "m"));
        Assert.Equal("*1\r\n:1\r\n", await writer.CallAsync("EXEC"));
        Assert.Equal(Popped(key, "m"), await waiter.ReadValueAsync());

        await BlockAsync(waiter, 0, key, "BRPOP", key, "0");
        Assert.Equal(":1\r\n", await writer.CallAsync("EVAL", "return redis.call('RPUSH', KEYS[1], 'e')", "1", key));
        Assert.Equal(Popped(key, "e"), await waiter.ReadValueAsync());

        await BlockAsync(waiter, 0, zkey, "BZPOPMIN", zkey, "0");
        Assert.Equal(":1\r\n", await writer.CallAsync("EVAL", "return redis.call('ZADD', KEYS[1], 2, 'z')", "1", zkey));
        Assert.Equal($"*3\r\n{Bulk(zkey)}{Bulk("z")}{Bulk("2")}", await waiter.ReadValueAsync());

        // Inside MULTI a blocking command does not block: it answers its timeout reply.
        Assert.Equal("+OK\r\n", await writer.CallAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await writer.CallAsync("BLPOP", $"{tag}none", "0"));
        Assert.Equal("*1\r\n*-1\r\n", await writer.CallAsync("EXEC"));
    }

    [Theory, InlineData(2), InlineData(3)]
    public async Task Client_unblock_wakes_a_blocked_client_with_the_timeout_reply_or_the_unblocked_error(int protocol)
    {
        string tag = Tag(), key = $"{tag}list";
        string timedOut = protocol == 3 ? "_\r\n" : "*-1\r\n";
        using var waiter = await ConnectAsync(1, protocol);
        using var admin = await ConnectAsync(1);
        long id = await IdOf(waiter);

        Assert.Contains(" flags=N ", await admin.CallAsync("CLIENT", "LIST", "ID", id.ToString()));
        Assert.Equal(":0\r\n", await admin.CallAsync("CLIENT", "UNBLOCK", id.ToString()));
        Assert.Contains("blocked_clients:0\r\n", await admin.CallAsync("INFO", "clients"));

        await BlockAsync(waiter, 1, key, "BLPOP", key, "0");
        Assert.Contains("blocked_clients:1\r\n", await admin.CallAsync("INFO", "clients"));
        Assert.Equal(":1\r\n", await admin.CallAsync("CLIENT", "UNBLOCK", id.ToString()));
        Assert.Equal(timedOut, await waiter.ReadValueAsync());
        Assert.Equal(":0\r\n", await admin.CallAsync("CLIENT", "UNBLOCK", id.ToString()));
        Assert.Contains("blocked_clients:0\r\n", await admin.CallAsync("INFO", "clients"));
        Assert.Contains(" flags=N ", await admin.CallAsync("CLIENT", "LIST", "ID", id.ToString()));

        await BlockAsync(waiter, 1, key, "BLMOVE", key, $"{tag}dst", "LEFT", "RIGHT", "0");
        Assert.Equal(":1\r\n", await admin.CallAsync("CLIENT", "UNBLOCK", id.ToString(), "TIMEOUT"));
        Assert.Equal(timedOut, await waiter.ReadValueAsync());

        await BlockAsync(waiter, 1, $"{tag}z", "BZPOPMAX", $"{tag}z", "0");
        Assert.Equal(":1\r\n", await admin.CallAsync("CLIENT", "UNBLOCK", id.ToString(), "error"));
        Assert.Equal("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", await waiter.ReadValueAsync());

        // The unblocked client took nothing and goes on; a later push stays in the list.
        Assert.Equal("+PONG\r\n", await waiter.CallAsync("PING"));
        Assert.Equal(":1\r\n", await admin.CallAsync("RPUSH", key, "kept"));
        Assert.Equal(":1\r\n", await admin.CallAsync("LLEN", key));

        Assert.Equal("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n", await admin.CallAsync("CLIENT", "UNBLOCK", id.ToString(), "LATER"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", await admin.CallAsync("CLIENT", "UNBLOCK", "abc"));
        Assert.Equal("-ERR wrong number of arguments for 'client|unblock' command\r\n", await admin.CallAsync("CLIENT", "UNBLOCK"));
    }

    [Fact]
    public async Task Commands_pipelined_after_a_blocking_one_wait_for_its_answer()
    {
        string tag = Tag(), key = $"{tag}list";
        using var waiter = await ConnectAsync(0);
        using var pusher = await ConnectAsync(2);
        long id = await IdOf(waiter);
        await waiter.SendAsync(RawClient.Encode("BLPOP", key, "0") + RawClient.Encode("ECHO", "after"));
        await WaitBlockedAsync(0, id, key);
        Assert.Equal(":1\r\n", await pusher.CallAsync("RPUSH", key, "v"));
        Assert.Equal(Popped(key, "v"), await waiter.ReadValueAsync());
        Assert.Equal(Bulk("after"), await waiter.ReadValueAsync());
    }
}
