using Orleans.Cache.Client;
using Orleans.Cache.Core;
using Orleans.Cache.Tests.Cluster;
using Orleans.Cache.Tests.Resp;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Transactions;

/// <summary>
/// Three silos with RESP endpoints: transactions whose clients, watchers and writers sit on different silos. The expiry
/// sweep runs only when a test calls it (SweepExpired, on the fake clock): the partitions' own 100 ms sweep could take
/// the key first, and the call would find nothing to reclaim.
/// </summary>
public sealed class TransactionClusterFixture() : RespClusterFixtureBase(3, o => o.ExpireSweepInterval = TimeSpan.FromHours(1));

/// <summary>MULTI/EXEC/WATCH across silos, over StackExchange.Redis (RESP2 and RESP3) and the typed client.</summary>
public sealed class TransactionClusterTests(TransactionClusterFixture fixture) : IClassFixture<TransactionClusterFixture>
{
    public static TheoryData<RedisProtocol> Protocols => new() { RedisProtocol.Resp2, RedisProtocol.Resp3 };

    private static string Me(RedisProtocol protocol, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        $"{{{name}:{protocol}:{Guid.NewGuid():N}}}";

    [Theory, MemberData(nameof(Protocols))]
    public async Task Condition_that_holds_commits_every_command_atomically(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(0, protocol);
        var db = redis.GetDatabase();
        string me = Me(protocol);
        await db.StringSetAsync($"{me}:stock", 5);
        var tran = db.CreateTransaction();
        tran.AddCondition(Condition.StringEqual($"{me}:stock", 5));
        var left = tran.StringDecrementAsync($"{me}:stock");
        var order = tran.ListRightPushAsync($"{me}:orders", "alice");
        Assert.True(await tran.ExecuteAsync());
        Assert.Equal(4, await left);
        Assert.Equal(1, await order);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Write_through_another_silo_after_watch_makes_exec_answer_nil(RedisProtocol protocol)
    {
        await using var watcher = await fixture.ConnectAsync(0, protocol);
        await using var writer = await fixture.ConnectAsync(2, protocol);
        string me = Me(protocol);
        var db = watcher.GetDatabase();
        await db.StringSetAsync($"{me}:k", "1");
        var tran = db.CreateTransaction();
        tran.AddCondition(Condition.StringEqual($"{me}:k", "1"));
        var set = tran.StringSetAsync($"{me}:k", "from-transaction");
        var log = tran.ListRightPushAsync($"{me}:log", "set");
        // StackExchange.Redis sends WATCH + GET for the condition, then MULTI … EXEC: write in between through silo 2
        // by running the condition check ourselves with raw commands on one connection.
        using var raw = new RawClient(fixture.EndPointOf(1));
        Assert.Equal("+OK", await raw.CommandAsync("WATCH", $"{me}:k"));
        await writer.GetDatabase().StringSetAsync($"{me}:k", "2");
        Assert.Equal("+OK", await raw.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED", await raw.CommandAsync("SET", $"{me}:k", "3"));
        Assert.Equal("*-1", await raw.CommandAsync("EXEC"));
        Assert.Equal("2", (string?)await db.StringGetAsync($"{me}:k"));
        // A condition that no longer holds: nothing runs.
        Assert.False(await tran.ExecuteAsync());
        Assert.True(set.IsCanceled);
        Assert.True(log.IsCanceled);
        Assert.Equal(0, await db.ListLengthAsync($"{me}:log"));
    }

    [Fact]
    public async Task Watched_key_reclaimed_by_the_expiry_sweep_makes_exec_answer_nil()
    {
        string me = Me(RedisProtocol.Resp2);
        using var raw = new RawClient(fixture.EndPointOf(0));
        Assert.Equal("+OK", await raw.CommandAsync("SET", $"{me}:session", "x", "PX", "1000"));
        Assert.Equal("+OK", await raw.CommandAsync("WATCH", $"{me}:session"));
        fixture.Cache.Time.Advance(TimeSpan.FromSeconds(2));
        var partition = new PartitionMap(CacheCluster.Partitions).PartitionOfKey(System.Text.Encoding.UTF8.GetBytes($"{me}:session"));
        Assert.Equal(1, await fixture.Cache.Partition(partition).SweepExpired(1000));
        Assert.Equal("+OK", await raw.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED", await raw.CommandAsync("SET", $"{me}:session", "renewed"));
        Assert.Equal("*-1", await raw.CommandAsync("EXEC"));
        Assert.Equal("$-1", await raw.CommandAsync("GET", $"{me}:session"));
    }

    [Fact]
    public async Task Transaction_over_two_slots_answers_crossslot_at_exec_and_runs_nothing()
    {
        using var raw = new RawClient(fixture.EndPointOf(1));
        Assert.Equal("+OK", await raw.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED", await raw.CommandAsync("SET", "{a}x", "1"));
        Assert.Equal("+QUEUED", await raw.CommandAsync("SET", "{b}x", "1"));
        Assert.Equal("-CROSSSLOT Keys in request don't hash to the same slot", await raw.CommandAsync("EXEC"));
        Assert.Equal("$-1", await raw.CommandAsync("GET", "{a}x"));
        // One command over two slots is refused while queueing, and dooms the transaction.
        Assert.Equal("+OK", await raw.CommandAsync("MULTI"));
        Assert.Equal("-CROSSSLOT Keys in request don't hash to the same slot", await raw.CommandAsync("MSET", "{a}x", "1", "{b}x", "2"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.", await raw.CommandAsync("EXEC"));
    }

    [Fact]
    public async Task Optimistic_increments_from_every_silo_with_the_typed_client_lose_no_update()
    {
        string key = Me(RedisProtocol.Resp2) + ":counter";
        var caches = Enumerable.Range(0, 3).Select(fixture.Cache.CacheOnSilo).Append(fixture.Cache.ExternalCache).ToArray();
        await caches[0].SetAsync(key, "0");
        int commits = 0, conflicts = 0;
        await Task.WhenAll(caches.SelectMany(cache => Enumerable.Range(0, 2)).Select((cache, i) => Task.Run(async () =>
        {
            var c = caches[i % caches.Length];
            for (int n = 0; n < 25;)
            {
                long current = long.Parse((await c.GetStringAsync(key))!);
                var tx = c.CreateTransaction();
                tx.AddCondition(CacheCondition.StringEqual(key, current.ToString()));
                _ = tx.SetAsync(key, (current + 1).ToString());
                if (await tx.ExecuteAsync()) { n++; Interlocked.Increment(ref commits); }
                else Interlocked.Increment(ref conflicts);
            }
        })));
        Assert.Equal(200, commits);
        Assert.Equal("200", await caches[1].GetStringAsync(key));
    }
}
