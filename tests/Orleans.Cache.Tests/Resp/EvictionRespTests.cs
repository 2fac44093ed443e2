using System.Globalization;
using System.Text.RegularExpressions;

namespace Orleans.Cache.Tests.Resp;

/// <summary>One silo of its own for <see cref="EvictionRespTests"/> (maxmemory acts on the whole silo).</summary>
public sealed class EvictionFixture() : RespClusterFixtureBase(1);

/// <summary>
/// maxmemory over RESP: CONFIG SET turns it on at run time, the silo's partitions stay within it by evicting (allkeys-lru),
/// INFO memory and stats report it, evictions are published as "evicted" keyspace events, and noeviction refuses writes.
/// Each test puts maxmemory back to 0.
/// </summary>
public sealed class EvictionRespTests(EvictionFixture fixture) : IClassFixture<EvictionFixture>
{
    private const long MaxMemory = 100 * 1024;

    private Task<RawClient> ConnectAsync() => RawClient.ConnectAsync(fixture.EndPointOf(0));

    private static string? Field(string info, string name) =>
        Regex.Match(info, "^" + Regex.Escape(name) + ":(.*?)\r$", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;

    private static long Number(string info, string name) =>
        long.Parse(Field(info, name) ?? throw new Xunit.Sdk.XunitException($"no {name} in {info}"), CultureInfo.InvariantCulture);

    [Fact]
    public async Task Allkeys_lru_keeps_the_silo_within_maxmemory_and_info_reports_it()
    {
        using var client = await ConnectAsync();
        using var subscriber = await ConnectAsync();
        try
        {
            Assert.Equal("+OK\r\n", await client.CallAsync("FLUSHALL"));
            Assert.Equal("+OK\r\n", await client.CallAsync("CONFIG", "SET", "notify-keyspace-events", "Ee"));
            Assert.StartsWith("*3\r\n$9\r\nsubscribe\r\n", await subscriber.CallAsync("SUBSCRIBE", "__keyevent@0__:evicted"));
            Assert.Equal("+OK\r\n", await client.CallAsync("CONFIG", "SET", "maxmemory", "100kb", "maxmemory-policy", "allkeys-lru"));
            string value = new('v', 100);
            for (int i = 0; i < 1500; i++) Assert.Equal("+OK\r\n", await client.CallAsync("SET", $"k:{i:D4}", value));

            string info = await client.CallAsync("INFO", "memory");
            long used = Number(info, "used_memory");
            // Each partition may go one write past its share before its next write evicts: a few hundred bytes per partition.
            Assert.InRange(used, MaxMemory / 2, MaxMemory + 32 * 1024);
            Assert.Equal(MaxMemory, Number(info, "maxmemory"));
            Assert.Equal("100.00K", Field(info, "maxmemory_human"));
            Assert.Equal("allkeys-lru", Field(info, "maxmemory_policy"));
            Assert.True(Number(info, "used_memory_peak") >= used);
            Assert.True(Number(info, "used_memory_rss") > used);
            Assert.InRange(Number(info, "used_memory_dataset"), 1, used);
            Assert.NotNull(Field(info, "mem_fragmentation_ratio"));

            long keys = long.Parse((await client.CallAsync("DBSIZE"))[1..^2], CultureInfo.InvariantCulture);
            Assert.InRange(keys, 200, 1499);
            string stats = await client.CallAsync("INFO", "stats");
            Assert.Equal(1500 - keys, Number(stats, "evicted_keys"));
            Assert.Equal(":224\r\n", await client.CallAsync("MEMORY", "USAGE", "k:1499")); // entry 64 + key 32 + value 128
            Assert.Matches(@"^\*3\r\n\$7\r\nmessage\r\n\$22\r\n__keyevent@0__:evicted\r\n\$6\r\nk:\d{4}\r\n$", await subscriber.ReadValueAsync());
        }
        finally
        {
            await client.CallAsync("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction", "notify-keyspace-events", "");
        }
    }

    [Fact]
    public async Task Noeviction_refuses_writes_over_maxmemory_and_still_serves_reads_and_del()
    {
        using var client = await ConnectAsync();
        try
        {
            Assert.Equal("+OK\r\n", await client.CallAsync("SET", "kept", "v"));
            Assert.Equal("+OK\r\n", await client.CallAsync("CONFIG", "SET", "maxmemory", "1", "maxmemory-policy", "noeviction"));
            Assert.Equal("-OOM command not allowed when used memory > 'maxmemory'.\r\n", await client.CallAsync("SET", "other", "v"));
            Assert.Equal("$1\r\nv\r\n", await client.CallAsync("GET", "kept"));
            Assert.Equal(":1\r\n", await client.CallAsync("DEL", "kept"));
            Assert.Equal("+OK\r\n", await client.CallAsync("FLUSHALL"));
            Assert.Equal("+OK\r\n", await client.CallAsync("SET", "other", "v")); // an empty silo is under any maxmemory
        }
        finally
        {
            await client.CallAsync("CONFIG", "SET", "maxmemory", "0");
        }
    }
}
