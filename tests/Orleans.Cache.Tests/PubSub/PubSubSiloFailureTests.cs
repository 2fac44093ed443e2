using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Grains;
using Orleans.Cache.PubSub;
using Orleans.Cache.Resp;
using Orleans.Cache.Tests.Cluster;
using Orleans.Cache.Tests.Resp;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
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
    private static Task Eventually(Func<Task<bool>> condition) => Poll.Until(condition, "the condition", TimeSpan.FromSeconds(60));

    [Fact]
    public async Task Killing_a_silo_drops_its_subscribers_from_publish_numsub_and_numpat()
    {
        await using var c = await CacheCluster.StartAsync(3, b =>
            b.ConfigureSilo((_, silo) => silo.Services.AddRespEndpoint(o => o.Port = 0)));
        string me = $"failover:{Guid.NewGuid():N}";
        // The victim hosts neither shard 0 (which answers NUMPAT) nor the channel's shard, so the counts checked here are
        // those the sweep left, not a rebuilt directory (the test below kills a shard's silo); nor is it silo 0 (the
        // publisher's): pick both to make that so.
        var hub = c.Cluster.Silos[0].ServiceProvider.GetRequiredService<PubSubHub>();
        var management = c.Cluster.Client.GetGrain<IManagementGrain>(0);
        async Task<SiloAddress?> SiloOf(int shardIndex)
        {
            var shardGrain = c.Cluster.Client.GetGrain<IPubSubShardGrain>(shardIndex);
            await shardGrain.NumPat(); // activates it
            return await management.GetActivationAddress(shardGrain);
        }
        int victim = await SiloOf(0) == c.Cluster.Silos[2].SiloAddress ? 1 : 2;
        string channel = $"{me}:ch";
        for (int n = 0; await SiloOf(hub.ShardOf(Encoding.UTF8.GetBytes(channel))) == c.Cluster.Silos[victim].SiloAddress; n++)
            channel = $"{me}:ch{n}";
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

            var shard = c.Cluster.Client.GetGrain<IPubSubShardGrain>(hub.ShardOf(Encoding.UTF8.GetBytes(channel)));

            // The crash leftovers: one more channel subscription and one more pattern (on every shard, as hubs do).
            string victimHub = c.Cluster.Silos[victim].ServiceProvider.GetRequiredService<PubSubHub>().Id;
            string leftoverPattern = $"{me}:?h*";
            await shard.Subscribe(victimHub, ChannelSpace.Channel, Encoding.UTF8.GetBytes(channel), 1, 0);
            for (int i = 0; i < hub.Shards; i++)
                await c.Cluster.Client.GetGrain<IPubSubShardGrain>(i).SubscribePattern(victimHub, Encoding.UTF8.GetBytes(leftoverPattern), 1, 0);

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

            // The survivors still receive. Stream queues that lived on the dead silo move to the survivors first, and a
            // message published meanwhile may be lost with its queue (at-most-once, as Redis pub/sub): publish again
            // until every survivor has seen one.
            var survivors = Enumerable.Range(0, 3).Where(silo => silo != victim)
                .SelectMany(silo => new[] { subscribers[2 * silo], subscribers[2 * silo + 1] }).ToList();
            var seen = survivors.Select(sub => sub.ReceiveAsync("after", timeoutMs: 60_000)).ToList();
            await Poll.Until(async () =>
            {
                await db.PublishAsync(RedisChannel.Literal(channel), "after");
                return seen.All(t => t.IsCompleted);
            }, "every survivor to receive a message", TimeSpan.FromSeconds(60));
            Assert.All(await Task.WhenAll(seen), text => Assert.Contains("after", text));
        }
        finally
        {
            foreach (var s in subscribers) s.Dispose();
        }
    }

    /// <summary>
    /// The victim hosts the channel's shard (and, with <paramref name="channelOnShardZero"/>, that shard is shard 0, which
    /// answers NUMPAT): the shard comes back empty on a survivor, and the surviving hubs restore what they had registered
    /// there. Fails without the restore: the new activation would count nobody, so PUBLISH would answer 0 for good.
    /// </summary>
    [Theory, InlineData(false), InlineData(true)]
    public async Task Killing_the_silo_of_a_channels_shard_rebuilds_its_counts_and_deliveries(bool channelOnShardZero)
    {
        await using var c = await CacheCluster.StartAsync(3, b =>
            b.ConfigureSilo((_, silo) => silo.Services.AddRespEndpoint(o => o.Port = 0)));
        string me = $"rebuild:{Guid.NewGuid():N}";
        var hub = c.Cluster.Silos[0].ServiceProvider.GetRequiredService<PubSubHub>();
        var management = c.Cluster.Client.GetGrain<IManagementGrain>(0);

        // The victim (silo 1 or 2; silo 0 publishes) must host the channel's shard, and with channelOnShardZero that is
        // shard 0; otherwise shard 0 lives on a survivor. A placement hint, given by the silo named in it (a silo honours
        // a hint only for a silo it sees active), puts a shard there unless it is active already: every silo's RESP
        // server subscribes an internal shard channel as it starts. So read where each shard actually lives.
        async Task<int> PlaceAsync(int shardIndex, int silo)
        {
            var shardGrain = c.Cluster.Silos[silo].ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IPubSubShardGrain>(shardIndex);
            RequestContext.Set(IPlacementDirector.PlacementHintKey, c.Cluster.Silos[silo].SiloAddress);
            try { await shardGrain.NumPat(); }
            finally { RequestContext.Remove(IPlacementDirector.PlacementHintKey); }
            var placed = await management.GetActivationAddress(shardGrain);
            return c.Cluster.Silos.ToList().FindIndex(s => s.SiloAddress == placed);
        }
        int shardZeroSilo = await PlaceAsync(0, channelOnShardZero ? 1 : 2);
        int channelShard = 0, victim = shardZeroSilo;
        if (!channelOnShardZero)
        {
            for (channelShard = 1; channelShard < hub.Shards; channelShard++)
            {
                victim = await PlaceAsync(channelShard, 1);
                if (victim is 1 or 2 && victim != shardZeroSilo) break;
            }
        }
        Assert.True(victim is 1 or 2 && channelShard < hub.Shards && (channelOnShardZero || victim != shardZeroSilo),
            $"no shard could be placed as the test needs (shard 0 on silo {shardZeroSilo}, shard {channelShard} on silo {victim})");
        string channel = $"{me}:ch";
        for (int n = 0; hub.ShardOf(Encoding.UTF8.GetBytes(channel)) != channelShard; n++) channel = $"{me}:ch{n}";

        // On every silo: a channel subscriber, a pattern subscriber (a distinct pattern each), a shard channel subscriber.
        string[] patterns = [$"{me}*", $"{me}:*", $"{me}:c*"];
        var subscribers = new List<RawClient>();
        try
        {
            for (int silo = 0; silo < 3; silo++)
            {
                var endPoint = c.Cluster.Silos[silo].ServiceProvider.GetRequiredService<RespServer>().EndPoints[0];
                foreach (var command in new[] { $"SUBSCRIBE {channel}", $"PSUBSCRIBE {patterns[silo]}", $"SSUBSCRIBE {channel}" })
                {
                    var sub = await RawClient.ConnectAsync(endPoint);
                    subscribers.Add(sub);
                    await sub.SendAsync(command + "\r\n");
                    Assert.Contains(":1\r\n", await sub.ReceiveAsync(":1\r\n"));
                }
            }

            await using var publisher = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
            {
                EndPoints = { c.Cluster.Silos[0].ServiceProvider.GetRequiredService<RespServer>().EndPoints[0] },
                ConnectTimeout = 10_000, SyncTimeout = 10_000, AsyncTimeout = 10_000,
            });
            var db = publisher.GetDatabase();
            Assert.Equal(6, await db.PublishAsync(RedisChannel.Literal(channel), "before"));
            Assert.Equal(3, (long)await db.ExecuteAsync("SPUBLISH", channel, "before"));
            Assert.Equal(3, await NumSub(db, channel));
            Assert.Equal(3, await NumSub(db, channel, "SHARDNUMSUB"));
            Assert.Equal(3, (long)await db.ExecuteAsync("PUBSUB", "NUMPAT"));

            await c.Cluster.KillSiloAsync(c.Cluster.Silos[victim]);
            await c.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

            // The survivors' hubs restore the new activation: it counts their clients again, and only theirs.
            await Eventually(async () =>
            {
                try { return await db.PublishAsync(RedisChannel.Literal(channel), "after") == 4; }
                catch (RedisException) { return false; } // the shard's old activation was still addressed
            });
            Assert.Equal(2, (long)await db.ExecuteAsync("SPUBLISH", channel, "after"));
            Assert.Equal(2, await NumSub(db, channel));
            Assert.Equal(2, await NumSub(db, channel, "SHARDNUMSUB"));
            Assert.Equal(2, (long)await db.ExecuteAsync("PUBSUB", "NUMPAT"));

            // Every surviving subscriber receives what is published from now on. A stream queue that lived on the dead silo
            // may still be moving and lose a message with it (at-most-once, as Redis pub/sub): publish until all have one.
            var survivors = Enumerable.Range(0, 3).Where(silo => silo != victim).SelectMany(silo => subscribers.Skip(3 * silo).Take(3)).ToList();
            var seen = survivors.Select(sub => sub.ReceiveAsync("recovered", timeoutMs: 60_000)).ToList();
            await Poll.Until(async () =>
            {
                Assert.Equal(4, await db.PublishAsync(RedisChannel.Literal(channel), "recovered"));
                Assert.Equal(2, (long)await db.ExecuteAsync("SPUBLISH", channel, "recovered"));
                return seen.All(t => t.IsCompleted);
            }, "every survivor to receive a message", TimeSpan.FromSeconds(60));
            var texts = await Task.WhenAll(seen);
            string[] kinds = ["message", "pmessage", "smessage"]; // in each silo's order of subscribers
            for (int i = 0; i < texts.Length; i++)
            {
                Assert.Contains("recovered", texts[i]);
                Assert.Contains($"${kinds[i % 3].Length}\r\n{kinds[i % 3]}\r\n", texts[i]);
            }
        }
        finally
        {
            foreach (var s in subscribers) s.Dispose();
        }
    }

    private static async Task<long> NumSub(IDatabase db, string channel, string subcommand = "NUMSUB") =>
        (long)((RedisResult[])(await db.ExecuteAsync("PUBSUB", subcommand, channel))!)[1];
}
