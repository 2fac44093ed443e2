using System.Text;
using Orleans.Cache.Tests.Resp;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Transactions;

/// <summary>Scripts on a 3-silo cluster: the script cache is cluster-wide, and a script is atomic in its partition.</summary>
public sealed class ScriptClusterTests(TransactionClusterFixture fixture) : IClassFixture<TransactionClusterFixture>
{
    private const string Buy = """
        local stock = tonumber(redis.call('GET', KEYS[1]) or '0')
        if stock <= 0 then return 0 end
        redis.call('DECR', KEYS[1])
        redis.call('RPUSH', KEYS[2], ARGV[1])
        return 1
        """;

    [Fact]
    public async Task Flash_sale_by_200_concurrent_evalsha_callers_on_3_silos_never_oversells()
    {
        string sale = $"{{sale:{Guid.NewGuid():N}}}";
        var connections = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => fixture.ConnectAsync(i, RedisProtocol.Resp2)));
        try
        {
            var first = connections[0].GetDatabase();
            await first.StringSetAsync($"{sale}:stock", 50);
            // Loaded through silo 0 only: the other silos run it by its sha from the cluster's script cache.
            var sha = (byte[])(await connections[0].GetServer(fixture.EndPointOf(0)).ScriptLoadAsync(Buy))!;
            var buyers = Enumerable.Range(0, 200).Select(buyer => Task.Run(async () =>
            {
                var db = connections[buyer % 3].GetDatabase();
                return (long)await db.ScriptEvaluateAsync(sha, [$"{sale}:stock", $"{sale}:orders"], [$"buyer{buyer}"]);
            }));
            var bought = await Task.WhenAll(buyers);
            Assert.Equal(50, bought.Sum());
            Assert.Equal(0, (long)await first.StringGetAsync($"{sale}:stock"));
            var orders = await first.ListRangeAsync($"{sale}:orders");
            Assert.Equal(50, orders.Length);
            Assert.Equal(50, orders.Distinct().Count());
        }
        finally
        {
            foreach (var c in connections) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Evalsha_pipelined_right_after_script_load_finds_the_script()
    {
        var body = $"return '{Guid.NewGuid():N}'";
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(body)));
        using var raw = new RawClient(fixture.EndPointOf(2));
        // Both requests in one write: SCRIPT LOAD is answered after the round's data commands, so it must end the round.
        await raw.SendAsync($"*3\r\n$6\r\nSCRIPT\r\n$4\r\nLOAD\r\n${body.Length}\r\n{body}\r\n*3\r\n$7\r\nEVALSHA\r\n$40\r\n{sha}\r\n$1\r\n0\r\n");
        var replies = await raw.ReceiveAsync(until: body[8..^1] + "\r\n");
        Assert.Equal($"$40\r\n{sha}\r\n$32\r\n{body[8..^1]}\r\n", replies);
    }
}
