using System.Text;
using Xunit.Abstractions;

namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// maxmemory under noeviction against redis-server 7.0.15, byte for byte: with memory over the limit (maxmemory 1 and
/// one key stored), the commands Redis's table flags denyoom answer the exact OOM error, and reads, DEL, EXPIRE, PERSIST
/// and GETDEL still run. maxmemory is put back to 0 on both servers whatever happens, so the other differential tests
/// that share the servers are not affected.
/// </summary>
[Collection(OrleansDiffCollection.Name)]
public sealed class MaxmemoryDifferentialTests(OrleansDiffFixture fixture, ITestOutputHelper output)
{
    private static readonly Scenario Noeviction = new("noeviction_refuses_denyoom_commands_only",
        "SET @a 1", "SET @b hello", "RPUSH @l x", "HSET @h f v", "CONFIG SET maxmemory-policy noeviction", "CONFIG SET maxmemory 1",
        "SET @k v", "SETNX @k v", "MSET @k 1 @j 2", "INCR @a", "APPEND @b x", "SETRANGE @b 0 x", "LPUSH @l y", "RPUSH @new y",
        "HSET @h g w", "SADD @s m", "ZADD @z 1 m", "PFADD @p a", "SETBIT @bits 1 1", "GETEX @b", "GET @b", "GET @a", "LRANGE @l 0 -1",
        "HGETALL @h", "EXISTS @a", "TTL @a", "EXPIRE @a 100", "PERSIST @a", "LPOP @l", "HDEL @h f", "GETDEL @b", "DEL @a", "EXISTS @a",
        "CONFIG SET maxmemory 0", "SET @k v", "GET @k");

    [Theory, InlineData(2), InlineData(3)]
    public async Task Noeviction_answers_OOM_to_denyoom_commands_as_redis_does(int protocol)
    {
        try
        {
            output.WriteLine(await new DifferentialHarness(fixture.Reference, fixture.Target).RunAsync(Noeviction, protocol));
        }
        finally
        {
            foreach (var endPoint in new[] { fixture.Redis.EndPoint, fixture.EndPointOf(0) })
            {
                using var connection = await RespConnection.ConnectAsync(endPoint);
                Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(await connection.CallAsync(["CONFIG", "SET", "maxmemory", "0"])));
            }
        }
    }
}
