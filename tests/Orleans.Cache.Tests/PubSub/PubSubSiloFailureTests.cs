using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.PubSub;
using Orleans.Cache.Resp;
using Orleans.Cache.Tests.Cluster;
using Orleans.Cache.Tests.Resp;
using Orleans.Runtime;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.PubSub;

/// <summary>
/// A silo that crashes never unsubscribes its clients: the shards must forget its hub's subscriptions once
/// membership declares it dead. Runs on a cluster of its own, since it kills a silo.
/// In-process, a killed silo's RESP server still closes its connections and its hub's leaves usually reach the
/// shards before the silo is gone; a real crash (the process killed) leaves them behind. So besides real subscribers
/// the test registers, under the victim hub's id, the kind of subscriptions a crash leaves: joins whose leaves never came.
/// </summary>
public sealed class PubSubSiloFailureTests
{
    private static async Task Eventually(Func<Task<bool>> condition, int timeoutMs = 60_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("condition not met");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Killing_a_silo_drops_its_subscribers_from_publish_numsub_and_numpat()
    {
        await using var c = await CacheCluster.StartAsync(3, b =>
            b.ConfigureSilo((_, silo) => silo.Services.AddRespEndpoint(o => o.Port = 0)));
        string me = $"failover:{Guid.NewGuid():N}";
        string channel = $"{me}:ch";
        string[] patterns = [$"{me}*", $"{me}:*", $"{me}:c*"];

        // One channel subscriber and one pattern subscriber (a distinct pattern each) on every silo.
        var subscribers = new List<RawClient>();
        try
        {
            for (int silo = 0; silo < 3; silo++)
            {
                var endPoint = c.Cluster.Silos[silo].ServiceProvider.GetRequiredService<RespServer>().EndPoints[0];
                var sub = await RawClient.ConnectAsync(endPoint);
                subscribers.Add(sub);
                await sub.SendAsync($"SUBSCRIBE {channel}\r\n");
                Assert.Contains(":1\r\n", await sub.ReceiveAsync(":1\r\n"));
                var psub = await RawClient.ConnectAsync(endPoint);
                subscribers.Add(psub);
                await psub.SendAsync($"PSUBSCRIBE {patterns[silo]}\r\n");
                Assert.Contains(":1\r\n", await psub.ReceiveAsync(":1\r\n"));
            }

            // The channel's shard grain keeps its directory in memory: kill a silo other than the one it lives on
            // (and never silo 0, the publisher's), so the survivors' subscriptions are still counted after the kill.
            var hub = c.Cluster.Silos[0].ServiceProvider.GetRequiredService<PubSubHub>();
            var shard = c.Cluster.Client.GetGrain<IPubSubShardGrain>(hub.ShardOf(Encoding.UTF8.GetBytes(channel)));
            var shardSilo = await c.Cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(shard);
            int victim = shardSilo == c.Cluster.Silos[2].SiloAddress ? 1 : 2;

            // The crash leftovers: one more channel subscription and one more pattern (on every shard, as hubs do).
            string victimHub = c.Cluster.Silos[victim].ServiceProvider.GetRequiredService<PubSubHub>().Id;
            string leftoverPattern = $"{me}:?h";
            await shard.Subscribe(victimHub, ChannelSpace.Channel, Encoding.UTF8.GetBytes(channel), 1);
            for (int i = 0; i < hub.Shards; i++)
                await c.Cluster.Client.GetGrain<IPubSubShardGrain>(i).SubscribePattern(victimHub, Encoding.UTF8.GetBytes(leftoverPattern), 1);

            await using var publisher = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
            {
                EndPoints = { c.Cluster.Silos[0].ServiceProvider.GetRequiredService<RespServer>().EndPoints[0] },
                ConnectTimeout = 10_000, SyncTimeout = 10_000, AsyncTimeout = 10_000,
            });
            var db = publisher.GetDatabase();
            Assert.Equal(8, await db.PublishAsync(RedisChannel.Literal(channel), "before"));
            Assert.Equal(4, await NumSub(db, channel));
            Assert.Equal(4, (long)await db.ExecuteAsync("PUBSUB", "NUMPAT"));

            await c.Cluster.KillSiloAsync(c.Cluster.Silos[victim]);
            await c.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

            // Neither the victim's clients nor its leftovers are counted any more; the survivors' clients still are.
            await Eventually(async () => await db.PublishAsync(RedisChannel.Literal(channel), "after") == 4);
            Assert.Equal(2, await NumSub(db, channel));
            Assert.Equal(2, (long)await db.ExecuteAsync("PUBSUB", "NUMPAT"));

            // The survivors still receive.
            int received = 0;
            for (int silo = 0; silo < 3; silo++)
            {
                if (silo == victim) continue;
                if ((await subscribers[2 * silo].ReceiveAsync("after")).Contains("after")) received++;
                if ((await subscribers[2 * silo + 1].ReceiveAsync("after")).Contains("after")) received++;
            }
            Assert.Equal(4, received);
        }
        finally
        {
            foreach (var s in subscribers) s.Dispose();
        }
    }

    private static async Task<long> NumSub(IDatabase db, string channel) =>
        (long)((RedisResult[])(await db.ExecuteAsync("PUBSUB", "NUMSUB", channel))!)[1];
}
