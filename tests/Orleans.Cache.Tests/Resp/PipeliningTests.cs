using System.Text;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>Pipelines: one executor call per read, replies in request order with server commands in between, CROSSSLOT from the executor.</summary>
public sealed class PipeliningTests(RespServerFixture fixture) : IClassFixture<RespServerFixture>
{
    private RespTestServer Server => fixture.Server;

    public static TheoryData<RedisProtocol> Protocols => new() { RedisProtocol.Resp2, RedisProtocol.Resp3 };

    [Fact]
    public async Task Pipeline_in_one_read_is_one_executor_call_with_replies_in_order()
    {
        await using var server = await RespTestServer.StartAsync();
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        var request = new StringBuilder();
        var expected = new StringBuilder();
        for (int i = 1; i <= 50; i++)
        {
            request.Append("*2\r\n$4\r\nINCR\r\n$6\r\npipe:k\r\n");
            expected.Append(':').Append(i).Append("\r\n");
            request.Append("*2\r\n$4\r\nECHO\r\n$").Append(i.ToString().Length).Append("\r\n").Append(i).Append("\r\n");
            expected.Append('$').Append(i.ToString().Length).Append("\r\n").Append(i).Append("\r\n");
        }
        int before = server.Executor.Calls;
        Assert.Equal(expected.ToString(), await client.RoundTripAsync(request.ToString(), 300));
        Assert.Equal(1, server.Executor.Calls - before);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Batch_of_mixed_commands_keeps_order(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var db = redis.GetDatabase();
        var key = RedisClients.Me(protocol);
        await db.KeyDeleteAsync(key);
        var batch = db.CreateBatch();
        var tasks = new List<Task<RedisResult>>();
        for (int i = 0; i < 500; i++)
        {
            tasks.Add(batch.ExecuteAsync("INCR", key));
            tasks.Add(batch.ExecuteAsync("ECHO", i.ToString()));
        }
        batch.Execute();
        var results = await Task.WhenAll(tasks);
        for (int i = 0; i < 500; i++)
        {
            Assert.Equal(i + 1, (long)results[2 * i]);
            Assert.Equal(i.ToString(), (string?)results[2 * i + 1]);
        }
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Strings_and_keys_work_through_the_endpoint(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var db = redis.GetDatabase();
        string key = RedisClients.Me(protocol)!;
        Assert.True(await db.StringSetAsync(key, "v", TimeSpan.FromMinutes(1)));
        Assert.Equal("v", (string?)await db.StringGetAsync(key));
        Assert.InRange((await db.KeyTimeToLiveAsync(key))!.Value.TotalSeconds, 50, 60);
        Assert.Equal(5, await db.StringIncrementAsync(key + ":n", 5));
        Assert.Equal(7.5, await db.StringIncrementAsync(key + ":f", 7.5));
        var values = await db.StringGetAsync([key, $"{key}:missing", $"{key}:n"]);
        Assert.Equal(["v", null, "5"], values.Select(v => (string?)v));
        Assert.Equal(3, await db.KeyDeleteAsync([key, $"{key}:n", $"{key}:f", $"{key}:missing"]));
        Assert.False(await db.KeyExistsAsync(key));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Multi_key_commands_across_slots_are_sent_by_the_client_and_answered(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var db = redis.GetDatabase();
        string me = RedisClients.Me(protocol)!;
        RedisKey[] keys = [$"{{a}}{me}", $"{{b}}{me}", $"{{c}}{me}"];
        Assert.True(await db.StringSetAsync([new(keys[0], "1"), new(keys[1], "2"), new(keys[2], "3")]));
        Assert.Equal(["1", "2", "3"], (await db.StringGetAsync(keys)).Select(v => (string?)v));
        Assert.Equal(3, await db.KeyExistsAsync(keys));
        Assert.Equal(3, await db.KeyDeleteAsync(keys));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Atomic_multi_key_command_across_slots_gets_CROSSSLOT(RedisProtocol protocol)
    {
        await using var redis = await RedisClients.ConnectAsync(Server, protocol);
        var db = redis.GetDatabase();
        await db.StringSetAsync("{a}x", "1");
        var e = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("RENAME", "{a}x", "{b}y"));
        Assert.Equal("CROSSSLOT Keys in request don't hash to the same slot", e.Message);
    }

    [Fact]
    public async Task Many_connections_pipelining_concurrently_each_get_their_own_replies_in_order()
    {
        await using var server = await RespTestServer.StartAsync();
        var tasks = Enumerable.Range(0, 20).Select(async c =>
        {
            using var client = await RawClient.ConnectAsync(server.EndPoint);
            var request = new StringBuilder();
            var expected = new StringBuilder();
            for (int i = 1; i <= 200; i++)
            {
                request.Append($"INCR conc:{c}\r\n");
                expected.Append($":{i}\r\n");
            }
            await client.SendAsync(request.ToString());
            Assert.Equal(expected.ToString(), await client.ReceiveAsync(":200\r\n", 10_000));
        });
        await Task.WhenAll(tasks);
    }
}
