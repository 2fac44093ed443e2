using Orleans.Cache.Tests.Cluster;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>Its own two silos: the tests change settings that act in every partition of the cluster.</summary>
public sealed class ConfigClusterFixture() : RespClusterFixtureBase(2);

/// <summary>CONFIG SET of the settings that act in partitions, which may live on any silo: set through one, seen through the other.</summary>
public sealed class ConfigClusterTests(ConfigClusterFixture fixture) : IClassFixture<ConfigClusterFixture>
{
    public static TheoryData<RedisProtocol> Protocols => new() { RedisProtocol.Resp2, RedisProtocol.Resp3 };

    [Theory, MemberData(nameof(Protocols))]
    public async Task Object_encoding_follows_encoding_thresholds_set_through_another_silo(RedisProtocol protocol)
    {
        await using var a = await fixture.ConnectAsync(0, protocol);
        await using var b = await fixture.ConnectAsync(1, protocol);
        var db = b.GetDatabase();
        // Keys in many slots, so every partition (on both silos) holds some.
        var keys = Enumerable.Range(0, 32).Select(i => $"{nameof(Object_encoding_follows_encoding_thresholds_set_through_another_silo)}:{protocol}:{i}").ToArray();
        foreach (var key in keys)
        {
            await db.HashSetAsync(key, [new("f1", "1"), new("f2", "2"), new("f3", "3")]);
            await db.SortedSetAddAsync($"{key}:z", [new("a", 1), new("b", 2)]);
        }
        async Task<string[]> Encodings(IDatabase on, string suffix = "") =>
            await Task.WhenAll(keys.Select(async k => (string)(await on.ExecuteAsync("OBJECT", "ENCODING", k + suffix))!));
        Assert.All(await Encodings(db), e => Assert.Equal("listpack", e));

        try
        {
            var admin = a.GetDatabase();
            Assert.Equal("OK", (string?)await admin.ExecuteAsync("CONFIG", "SET", "hash-max-listpack-entries", "2", "zset-max-ziplist-entries", "1"));
            // A hash is stored in its encoding: its next write (even an update) converts it, as in Redis.
            Assert.All(await Encodings(db), e => Assert.Equal("listpack", e));
            foreach (var key in keys) await db.HashSetAsync(key, "f1", "1");
            Assert.All(await Encodings(db), e => Assert.Equal("hashtable", e));
            Assert.All(await Encodings(db, ":z"), e => Assert.Equal("skiplist", e));
            Assert.Equal("2", (await a.GetServer(fixture.EndPointOf(0)).ConfigGetAsync("hash-max-ziplist-entries")).Single().Value);

            // A bad pair changes nothing, here or in the partitions.
            Assert.StartsWith("ERR CONFIG SET failed (possibly related to argument 'zset-max-listpack-value')",
                (await Assert.ThrowsAsync<RedisServerException>(() =>
                    admin.ExecuteAsync("CONFIG", "SET", "hash-max-listpack-entries", "512", "zset-max-listpack-value", "-1"))).Message);
            foreach (var key in keys) await db.HashSetAsync(key + ":new", [new("f1", "1"), new("f2", "2"), new("f3", "3")]);
            Assert.All(await Encodings(db, ":new"), e => Assert.Equal("hashtable", e));

            // Raised again: new hashes are listpacks, converted ones stay tables (Redis never converts back).
            Assert.Equal("OK", (string?)await admin.ExecuteAsync("CONFIG", "SET", "hash-max-listpack-entries", "512"));
            foreach (var key in keys) await db.HashSetAsync(key + ":newer", [new("f1", "1"), new("f2", "2"), new("f3", "3")]);
            Assert.All(await Encodings(db, ":newer"), e => Assert.Equal("listpack", e));
            Assert.All(await Encodings(db), e => Assert.Equal("hashtable", e));
        }
        finally
        {
            await a.GetDatabase().ExecuteAsync("CONFIG", "SET", "hash-max-listpack-entries", "512", "zset-max-listpack-entries", "128");
        }
    }

    [Fact]
    public async Task Partitions_activated_after_the_silo_that_took_config_set_stopped_keep_its_thresholds()
    {
        var own = new ConfigClusterFixture();
        await own.InitializeAsync();
        try
        {
            await using (var b = await own.ConnectAsync(1, RedisProtocol.Resp2))
                Assert.Equal("OK", (string?)await b.GetDatabase().ExecuteAsync("CONFIG", "SET", "hash-max-listpack-entries", "2"));
            // The push activated every partition; some of them on silo 1.
            var silos = new HashSet<string>();
            for (int i = 0; i < CacheCluster.Partitions; i++) silos.Add(await own.Cache.Partition(i).GetSilo());
            Assert.Equal(2, silos.Count);

            await own.Cache.Cluster.StopSiloAsync(own.Cache.Cluster.Silos[1]);

            // Every partition that lived on silo 1 activates again on silo 0, where the settings must still hold.
            await using var a = await own.ConnectAsync(0, RedisProtocol.Resp2);
            var db = a.GetDatabase();
            for (int i = 0; i < 64; i++)
            {
                string key = $"after-stop:{i}";
                await db.HashSetAsync(key, [new("f1", "1"), new("f2", "2"), new("f3", "3")]);
                Assert.Equal("hashtable", (string?)await db.ExecuteAsync("OBJECT", "ENCODING", key));
            }
        }
        finally
        {
            await own.DisposeAsync();
        }
    }
}
