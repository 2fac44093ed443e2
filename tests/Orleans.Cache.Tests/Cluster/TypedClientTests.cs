using Orleans.Cache.Client;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>The typed client's data-type methods as the use cases need them, from different silos.</summary>
public sealed class TypedClientTests(ThreeSiloFixture fixture) : IClassFixture<ThreeSiloFixture>
{
    private CacheCluster C => fixture.Cache;
    private static string Me([System.Runtime.CompilerServices.CallerMemberName] string name = "") => name + ":" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_leaderboard_ranks_players_and_pages_the_top()
    {
        var board = Me();
        var cache = C.CacheOnSilo(0);
        Assert.Equal(3, await cache.SortedSetAddAsync(board, [new("ann", 10), new("bob", 30), new("cid", 20)]));
        Assert.Equal(40, await C.CacheOnSilo(1).SortedSetIncrementAsync(board, "ann", 30));
        Assert.Equal(0, await C.CacheOnSilo(2).SortedSetRankAsync(board, "ann", descending: true));
        Assert.Null(await cache.SortedSetRankAsync(board, "nobody"));
        Assert.Equal([new ScoredMember("ann", 40), new ScoredMember("bob", 30)], await cache.SortedSetRangeAsync(board, 0, 1, descending: true));
        Assert.Equal(20, await cache.SortedSetScoreAsync(board, "cid"));
    }

    [Fact]
    public async Task A_session_hash_and_a_job_queue_work_across_silos()
    {
        var session = Me();
        await C.CacheOnSilo(0).HashSetAsync(session, [new("user", "alice"), new("cart", "3")]);
        Assert.Equal(5, await C.CacheOnSilo(1).HashIncrementAsync(session, "cart", 2));
        Assert.Equal(new Dictionary<string, string> { ["user"] = "alice", ["cart"] = "5" }, await C.CacheOnSilo(2).HashGetAllAsync(session));

        var queue = Me();
        var waiting = C.CacheOnSilo(2).ListBlockingPopAsync(queue, TimeSpan.FromMinutes(5));
        Assert.Equal(2, await C.CacheOnSilo(1).ListPushAsync(queue, ["job-1", "job-2"]));
        Assert.Equal("job-1", await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["job-2"], await C.CacheOnSilo(0).ListRangeAsync(queue));

        var tags = Me();
        Assert.Equal(2, await C.CacheOnSilo(0).SetAddAsync(tags, ["a", "b", "a"]));
        Assert.True(await C.CacheOnSilo(1).SetContainsAsync(tags, "b"));
        Assert.Equal(["a", "b"], (await C.CacheOnSilo(2).SetMembersAsync(tags)).Order());
        var error = await Assert.ThrowsAsync<CacheException>(() => C.CacheOnSilo(0).ListPushAsync(tags, ["x"]));
        Assert.StartsWith("WRONGTYPE", error.Message);
    }
}
