using Orleans.Cache.Core;
using Orleans.Cache.Tests.Resp;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Transactions;

/// <summary>
/// A busy script on a 3-silo cluster: its partition answers BUSY through every silo once the script has run past
/// busy-reply-threshold (on the cluster's fake clock), other partitions keep serving, and SCRIPT KILL through any silo stops it.
/// </summary>
/// <summary>
/// Tests whose script spins on a core until SCRIPT KILL: on two cores, two of them beside the rest of the suite starved
/// everything else (a FUNCTION KILL went unanswered for 10 s), so they run alone.
/// </summary>
[CollectionDefinition(nameof(SpinningScripts), DisableParallelization = true)]
public sealed class SpinningScripts;

[Collection(nameof(SpinningScripts))]
public sealed class BusyScriptClusterTests(TransactionClusterFixture fixture) : IClassFixture<TransactionClusterFixture>
{
    private const string BusyEval = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

    [Fact]
    public async Task Busy_script_answers_busy_through_every_silo_until_script_kill_through_another()
    {
        string me = $"{{busy:{Guid.NewGuid():N}}}";
        await using var runner = await fixture.ConnectAsync(0, RedisProtocol.Resp2);
        var clients = Enumerable.Range(0, 3).Select(i => new RawClient(fixture.EndPointOf(i))).ToArray();
        try
        {
            await runner.GetDatabase().StringSetAsync($"{me}:k", "before");
            var script = runner.GetDatabase().ScriptEvaluateAsync("redis.call('GET', KEYS[1]) while true do end", [(RedisKey)$"{me}:k"]);
            // FUNCTION KILL does not stop an EVAL: it answers BUSY while one runs, so it shows when the script has started.
            await WaitUntilAsync(async () => (await clients[2].CommandAsync("FUNCTION", "KILL")) == $"-{BusyEval}");

            // Before the threshold a command on the script's partition waits; then the clock passes it.
            var early = clients[1].CommandAsync("GET", $"{me}:k");
            fixture.Cache.Time.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal($"-{BusyEval}", await early);
            foreach (var client in clients)
            {
                Assert.Equal($"-{BusyEval}", await client.CommandAsync("GET", $"{me}:k"));
                Assert.Equal($"-{BusyEval}", await client.CommandAsync("SET", $"{me}:other", "x"));
                // Other partitions are not held by the script.
                Assert.Equal("+OK", await client.CommandAsync("SET", KeyOnAnotherPartition(me), "x"));
                Assert.Equal("+PONG", await client.CommandAsync("PING"));
            }

            Assert.Equal("+OK", await clients[2].CommandAsync("SCRIPT", "KILL"));
            var killed = await Assert.ThrowsAsync<RedisServerException>(() => script);
            Assert.StartsWith("ERR Script killed by user with SCRIPT KILL...", killed.Message);
            foreach (var client in clients) Assert.Equal("$6\r\nbefore\r\n", await client.CommandAsync("GET", $"{me}:k"));
            Assert.Equal("-NOTBUSY No scripts in execution right now.", await clients[0].CommandAsync("SCRIPT", "KILL"));
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    /// <summary>A fresh key whose partition is not the one <paramref name="busyTag"/> lives on.</summary>
    private static string KeyOnAnotherPartition(string busyTag)
    {
        var map = new PartitionMap(Cluster.CacheCluster.Partitions);
        int busy = map.PartitionOfKey(System.Text.Encoding.UTF8.GetBytes(busyTag));
        while (true)
        {
            string key = $"elsewhere:{Guid.NewGuid():N}";
            if (map.PartitionOfKey(System.Text.Encoding.UTF8.GetBytes(key)) != busy) return key;
        }
    }

    /// <summary>Polls a condition with a deadline (no fixed sleeps).</summary>
    private static Task WaitUntilAsync(Func<Task<bool>> condition) => Poll.Until(condition, "the condition", TimeSpan.FromSeconds(10));
}
