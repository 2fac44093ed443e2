using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>Each data type through StackExchange.Redis on a 2-silo cluster, over RESP2 and RESP3.</summary>
public sealed class DataTypeTests(RespClusterFixture fixture) : IClassFixture<RespClusterFixture>
{
    public static TheoryData<RedisProtocol> Protocols => new() { RedisProtocol.Resp2, RedisProtocol.Resp3 };

    private static string Me(RedisProtocol protocol, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        $"{{{name}:{protocol}:{Guid.NewGuid():N}}}";

    [Theory, MemberData(nameof(Protocols))]
    public async Task Hashes_store_sessions_field_by_field(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(0, protocol);
        var db = redis.GetDatabase();
        var key = Me(protocol);
        await db.HashSetAsync(key, [new("user", "alice"), new("visits", 1)]);
        Assert.Equal(3, await db.HashIncrementAsync(key, "visits", 2));
        Assert.Equal(2.5, await db.HashIncrementAsync(key, "score", 2.5));
        var all = (await db.HashGetAllAsync(key)).ToDictionary(e => (string)e.Name!, e => (string?)e.Value);
        Assert.Equal(new Dictionary<string, string?> { ["user"] = "alice", ["visits"] = "3", ["score"] = "2.5" }, all);
        Assert.True(await db.HashDeleteAsync(key, "user"));
        Assert.Equal(2, await db.HashLengthAsync(key));
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.ListLeftPushAsync(key, "x"));
        Assert.StartsWith("WRONGTYPE", error.Message);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Lists_work_as_job_queues(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(1, protocol);
        var db = redis.GetDatabase();
        var key = Me(protocol);
        Assert.Equal(3, await db.ListRightPushAsync(key, ["j1", "j2", "j3"]));
        Assert.Equal("j1", (string?)await db.ListLeftPopAsync(key));
        Assert.Equal(["j2", "j3"], (await db.ListRangeAsync(key)).Select(v => (string?)v));
        Assert.Equal("j3", (string?)await db.ListMoveAsync(key, key + ":done", ListSide.Right, ListSide.Left));
        Assert.Equal(1, await db.ListLengthAsync(key + ":done"));
        await db.ListLeftPopAsync(key);
        Assert.False(await db.KeyExistsAsync(key)); // an emptied list deletes its key
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Sorted_sets_rank_a_leaderboard(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(0, protocol);
        var db = redis.GetDatabase();
        var key = Me(protocol);
        await db.SortedSetAddAsync(key, [new("ann", 10), new("bob", 30), new("cid", 20)]);
        Assert.Equal(35, await db.SortedSetIncrementAsync(key, "ann", 25));
        Assert.Equal(0, await db.SortedSetRankAsync(key, "ann", Order.Descending));
        var top = await db.SortedSetRangeByRankWithScoresAsync(key, 0, 1, Order.Descending);
        Assert.Equal(["ann:35", "bob:30"], top.Select(e => $"{e.Element}:{e.Score}"));
        Assert.Equal(3, await db.SortedSetLengthAsync(key, 20, 40));
        Assert.Equal(2, await db.SortedSetLengthAsync(key, 20, 40, Exclude.Start));
        Assert.Equal(1e20, (await db.SortedSetIncrementAsync(key, "big", 1e20)));
        Assert.Equal(1e20, await db.SortedSetScoreAsync(key, "big"));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Sets_count_unique_visitors_and_combine(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(1, protocol);
        var db = redis.GetDatabase();
        var key = Me(protocol);
        await db.SetAddAsync(key + ":mon", ["a", "b", "c"]);
        await db.SetAddAsync(key + ":tue", ["b", "c", "d"]);
        Assert.Equal(["b", "c"], (await db.SetCombineAsync(SetOperation.Intersect, key + ":mon", key + ":tue")).Select(v => (string)v!).Order());
        Assert.Equal(4, await db.SetCombineAndStoreAsync(SetOperation.Union, key + ":week", key + ":mon", key + ":tue"));
        Assert.True(await db.SetContainsAsync(key + ":week", "d"));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Bitmaps_hyperloglogs_and_geo_answer_like_redis(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(0, protocol);
        var db = redis.GetDatabase();
        var key = Me(protocol);
        await db.StringSetBitAsync(key + ":bits", 7, true);
        await db.StringSetBitAsync(key + ":bits", 100, true);
        Assert.Equal(2, await db.StringBitCountAsync(key + ":bits"));
        await db.HyperLogLogAddAsync(key + ":hll", Enumerable.Range(0, 1000).Select(i => (RedisValue)$"u{i}").ToArray());
        Assert.InRange(await db.HyperLogLogLengthAsync(key + ":hll"), 980, 1020);
        await db.GeoAddAsync(key + ":geo", [new(13.361389, 38.115556, "Palermo"), new(15.087269, 37.502669, "Catania")]);
        Assert.InRange((await db.GeoDistanceAsync(key + ":geo", "Palermo", "Catania", GeoUnit.Kilometers))!.Value, 166.2, 166.3);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task A_blocking_pop_on_one_silo_is_woken_by_a_push_through_the_other(RedisProtocol protocol)
    {
        await using var waiter = await fixture.ConnectAsync(0, protocol);
        await using var pusher = await fixture.ConnectAsync(1, protocol);
        var key = Me(protocol);
        var pop = waiter.GetDatabase().ExecuteAsync("BLPOP", key, "0");
        await Task.Delay(200); // let the pop reach its partition; correctness does not depend on it
        await pusher.GetDatabase().ListRightPushAsync(key, "wake-up");
        var reply = (RedisResult[])(await pop.WaitAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal([key, "wake-up"], reply.Select(r => (string?)r));
    }
}
