using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Resp;
using Orleans.Cache.Tests.Resp;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>ACL users are the cluster's: set through one silo, enforced by every silo, and kept across a full restart.</summary>
public sealed class AclClusterTests
{
    private static Task<CacheCluster> StartAsync(string dir) => CacheCluster.StartAsync(2,
        b => b.ConfigureSilo((_, silo) => silo.Services.AddRespEndpoint(o => o.Port = 0)), snapshotDir: dir);

    private static Task<RawClient> ConnectAsync(CacheCluster cluster, int silo) =>
        RawClient.ConnectAsync(cluster.Cluster.Silos[silo].ServiceProvider.GetRequiredService<RespServer>().EndPoints[0]);

    [Fact]
    public async Task A_user_set_on_one_silo_is_enforced_on_another_and_survives_a_full_restart()
    {
        var dir = Directory.CreateTempSubdirectory("orleans-cache-acl-").FullName;
        try
        {
            await using (var cluster = await StartAsync(dir))
            {
                using var admin = await ConnectAsync(cluster, 0);
                Assert.Equal("+OK\r\n", await admin.CallAsync("ACL", "SETUSER", "alice", "on", ">pw", "~app:*", "-@all", "+get", "+set"));

                // The change answered once every silo had it: silo 1 knows alice at once.
                using var other = await ConnectAsync(cluster, 1);
                Assert.Equal("+OK\r\n", await other.CallAsync("AUTH", "alice", "pw"));
                Assert.Equal("+OK\r\n", await other.CallAsync("SET", "app:1", "v"));
                Assert.Equal("-NOPERM No permissions to access a key\r\n", await other.CallAsync("GET", "x"));
                Assert.Equal("-NOPERM User alice has no permissions to run the 'del' command\r\n", await other.CallAsync("DEL", "app:1"));

                // A change of rules through silo 1 reaches alice's connection on silo 0 too.
                using var aliceOnZero = await ConnectAsync(cluster, 0);
                Assert.Equal("+OK\r\n", await aliceOnZero.CallAsync("AUTH", "alice", "pw"));
                Assert.Equal("$1\r\nv\r\n", await aliceOnZero.CallAsync("GET", "app:1"));
                using var admin1 = await ConnectAsync(cluster, 1);
                Assert.Equal("+OK\r\n", await admin1.CallAsync("ACL", "SETUSER", "alice", "-get", "+del"));
                Assert.Equal("-NOPERM User alice has no permissions to run the 'get' command\r\n", await aliceOnZero.CallAsync("GET", "app:1"));
                Assert.Equal("+OK\r\n", await admin1.CallAsync("ACL", "SETUSER", "bob", "on", ">b"));
                Assert.Equal(":1\r\n", await admin.CallAsync("ACL", "DELUSER", "bob"));
                Assert.Equal("+OK\r\n", await admin.CallAsync("CONFIG", "SET", "requirepass", "s3cret"));
            }

            await using (var restarted = await StartAsync(dir))
            {
                foreach (int silo in new[] { 0, 1 })
                {
                    using var client = await ConnectAsync(restarted, silo);
                    Assert.Equal("-NOAUTH Authentication required.\r\n", await client.CallAsync("GET", "app:1"));
                    Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", await client.CallAsync("AUTH", "bob", "b"));
                    Assert.Equal("+OK\r\n", await client.CallAsync("AUTH", "alice", "pw"));
                    Assert.Equal("-NOPERM User alice has no permissions to run the 'get' command\r\n", await client.CallAsync("GET", "app:1"));
                    Assert.Equal(":0\r\n", await client.CallAsync("DEL", "app:nothing"));
                    Assert.Equal("+OK\r\n", await client.CallAsync("AUTH", "default", "s3cret"));
                    Assert.Equal("$7\r\ndefault\r\n", await client.CallAsync("ACL", "WHOAMI"));
                    Assert.Contains("user alice on #", await client.CallAsync("ACL", "LIST"));
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_subscriber_whose_user_loses_its_channel_is_closed_and_channels_are_enforced_across_silos()
    {
        var dir = Directory.CreateTempSubdirectory("orleans-cache-acl-").FullName;
        try
        {
            await using var cluster = await StartAsync(dir);
            using var admin = await ConnectAsync(cluster, 0);
            Assert.Equal("+OK\r\n", await admin.CallAsync("ACL", "SETUSER", "sub", "on", ">pw", "&news.*", "&other", "+@pubsub"));
            using var kept = await ConnectAsync(cluster, 1);
            using var lost = await ConnectAsync(cluster, 1);
            foreach (var client in new[] { kept, lost }) Assert.Equal("+OK\r\n", await client.CallAsync("AUTH", "sub", "pw"));
            Assert.Equal("-NOPERM No permissions to access a channel\r\n", await kept.CallAsync("SUBSCRIBE", "secret"));
            Assert.Equal("-NOPERM No permissions to access a channel\r\n", await kept.CallAsync("PSUBSCRIBE", "news*"));
            Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$6\r\nnews.1\r\n:1\r\n", await kept.CallAsync("SUBSCRIBE", "news.1"));
            Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$5\r\nother\r\n:1\r\n", await lost.CallAsync("SUBSCRIBE", "other"));
            using var publisher = await ConnectAsync(cluster, 0);
            Assert.Equal("+OK\r\n", await publisher.CallAsync("AUTH", "sub", "pw"));
            Assert.Equal("-NOPERM No permissions to access a channel\r\n", await publisher.CallAsync("PUBLISH", "secret", "m"));

            Assert.Equal("+OK\r\n", await admin.CallAsync("ACL", "SETUSER", "sub", "resetchannels", "&news.*"));
            Assert.Equal("<closed>", await lost.ReadValueAsync());
            Assert.Equal(":1\r\n", await publisher.CallAsync("PUBLISH", "news.1", "hello"));
            Assert.Equal("*3\r\n$7\r\nmessage\r\n$6\r\nnews.1\r\n$5\r\nhello\r\n", await kept.ReadValueAsync());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
