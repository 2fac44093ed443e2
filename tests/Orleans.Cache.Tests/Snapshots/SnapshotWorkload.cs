using System.Globalization;
using Orleans.Cache.Client;
using Orleans.Cache.Core;

namespace Orleans.Cache.Tests.Snapshots;

/// <summary>
/// Keys of every type, with and without TTLs, written before a restart and checked after it.
/// Key i: type by i % 5 (string, hash, list, set, sorted set); TTL by (i / 5) % 3: none, one hour, one minute.
/// </summary>
internal static class SnapshotWorkload
{
    public static readonly TimeSpan LongTtl = TimeSpan.FromHours(1), ShortTtl = TimeSpan.FromMinutes(1);

    private static string Key(int i) => $"w:{i}";
    private static int TtlClass(int i) => i / 5 % 3;
    private static string S(int i) => i.ToString(CultureInfo.InvariantCulture);
    private static string? Show(Reply r) => r.Kind == ReplyKind.Double ? Args.FormatScore(r.Double) : r.Text;

    public static async Task WriteAsync(ICache cache, int count)
    {
        var batch = cache.CreateBatch();
        var replies = new List<Task<Reply>>(count * 2);
        for (int i = 0; i < count; i++)
        {
            string key = Key(i), n = S(i);
            replies.Add((i % 5) switch
            {
                0 => batch.ExecuteAsync("SET", key, "v" + n),
                1 => batch.ExecuteAsync("HSET", key, "f", "v" + n, "g", n),
                2 => batch.ExecuteAsync("RPUSH", key, "a" + n, "b" + n),
                3 => batch.ExecuteAsync("SADD", key, "m" + n, "n" + n),
                _ => batch.ExecuteAsync("ZADD", key, n, "m" + n, "-1.5", "low"),
            });
            if (TtlClass(i) == 1) replies.Add(batch.ExecuteAsync("PEXPIRE", key, (long)LongTtl.TotalMilliseconds));
            if (TtlClass(i) == 2) replies.Add(batch.ExecuteAsync("PEXPIRE", key, (long)ShortTtl.TotalMilliseconds));
        }
        await batch.ExecuteAsync();
        foreach (var r in replies) Assert.False((await r).IsError, (await r).Text);
    }

    /// <summary>
    /// Checks every key after a restart <paramref name="downtime"/> after the writes: values, types and remaining
    /// TTLs; keys whose TTL passed during the downtime must be gone.
    /// </summary>
    public static async Task VerifyAsync(ICache cache, int count, TimeSpan downtime)
    {
        var batch = cache.CreateBatch();
        var reads = new (Task<Reply> Value, Task<Reply> Ttl)[count];
        for (int i = 0; i < count; i++)
        {
            string key = Key(i);
            var value = (i % 5) switch
            {
                0 => batch.ExecuteAsync("GET", key),
                1 => batch.ExecuteAsync("HMGET", key, "f", "g"),
                2 => batch.ExecuteAsync("LRANGE", key, "0", "-1"),
                3 => batch.ExecuteAsync("SMEMBERS", key),
                _ => batch.ExecuteAsync("ZRANGE", key, "0", "-1", "WITHSCORES"),
            };
            reads[i] = (value, batch.ExecuteAsync("PTTL", key));
        }
        await batch.ExecuteAsync();

        bool shortGone = downtime >= ShortTtl;
        int expected = 0;
        for (int i = 0; i < count; i++)
        {
            var value = await reads[i].Value;
            long ttl = (await reads[i].Ttl).Integer;
            if (TtlClass(i) == 2 && shortGone)
            {
                Assert.Equal(-2, ttl);
                continue;
            }
            expected++;
            string n = S(i);
            string shown = string.Join(",", value.Items?.Select(Show) ?? [Show(value)]);
            string want = (i % 5) switch
            {
                0 => "v" + n,
                1 => $"v{n},{n}",
                2 => $"a{n},b{n}",
                3 => $"m{n},n{n}",
                _ => $"low,-1.5,m{n},{n}",
            };
            if (i % 5 == 3) shown = string.Join(",", value.Items!.Select(x => x.Text).Order(StringComparer.Ordinal));
            Assert.True(want == shown, $"key {Key(i)}: expected {want}, got {shown}");
            var remaining = TtlClass(i) switch { 0 => (TimeSpan?)null, 1 => LongTtl - downtime, _ => ShortTtl - downtime };
            if (remaining is null) Assert.Equal(-1, ttl);
            else Assert.InRange(ttl, (long)remaining.Value.TotalMilliseconds - 1000, (long)remaining.Value.TotalMilliseconds);
        }
        Assert.Equal(expected, await cache.CountAsync());
    }
}
