using Orleans.Cache.Tests.Resp;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Transactions;

/// <summary>Its own three silos: the test changes busy-reply-threshold for every partition.</summary>
public sealed class BusyThresholdClusterFixture() : RespClusterFixtureBase(3);

/// <summary>CONFIG SET busy-reply-threshold (or its alias lua-time-limit) through one silo reaches the partitions on every silo.</summary>
[Collection(nameof(SpinningScripts))]
public sealed class BusyThresholdConfigTests(BusyThresholdClusterFixture fixture) : IClassFixture<BusyThresholdClusterFixture>
{
    private const string BusyEval = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

    [Fact]
    public async Task Lua_time_limit_set_through_one_silo_decides_when_other_silos_answer_busy()
    {
        string me = $"{{busy-config:{Guid.NewGuid():N}}}";
        await using var runner = await fixture.ConnectAsync(0, RedisProtocol.Resp2);
        var clients = Enumerable.Range(0, 3).Select(i => new RawClient(fixture.EndPointOf(i))).ToArray();
        try
        {
            Assert.Equal("+OK", await clients[2].CommandAsync("CONFIG", "SET", "lua-time-limit", "1000"));
            Assert.Equal("*2\r\n$20\r\nbusy-reply-threshold\r\n$4\r\n1000\r\n", await clients[2].CommandAsync("CONFIG", "GET", "busy-reply-threshold"));
            await runner.GetDatabase().StringSetAsync($"{me}:k", "before");
            var script = runner.GetDatabase().ScriptEvaluateAsync("redis.call('GET', KEYS[1]) while true do end", [(RedisKey)$"{me}:k"]);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (await clients[1].CommandAsync("FUNCTION", "KILL") != $"-{BusyEval}")
                Assert.True(DateTime.UtcNow < deadline, "the script did not start in 10 s");

            // One second on the cluster's clock is past the new threshold (the default would wait five).
            var early = clients[1].CommandAsync("GET", $"{me}:k");
            fixture.Cache.Time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal($"-{BusyEval}", await early);
            Assert.Equal($"-{BusyEval}", await clients[0].CommandAsync("GET", $"{me}:k"));

            Assert.Equal("+OK", await clients[2].CommandAsync("SCRIPT", "KILL"));
            await Assert.ThrowsAsync<RedisServerException>(() => script);
        }
        finally
        {
            await clients[2].CommandAsync("CONFIG", "SET", "busy-reply-threshold", "5000");
            foreach (var client in clients) client.Dispose();
        }
    }
}
