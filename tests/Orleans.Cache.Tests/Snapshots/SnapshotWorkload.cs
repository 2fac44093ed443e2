using System.Globalization;
using Orleans.Cache.Client;
using Orleans.Cache.Core;

namespace Orleans.Cache.Tests.Snapshots;

/// <summary>
/// Keys of every type, with and without TTLs, written before a restart and checked after it.
/// Key i: type by i % 9 (string, hash, list, set, sorted set, appended string, bitmap, HyperLogLog, geo);
/// TTL by (i / 9) % 3: none, one hour, one minute. Appended strings and bitmaps are strings held in a growable
/// buffer, HyperLogLogs are strings PFADD wrote (checked byte for byte), geo sets are sorted sets: each reaches the snapshot its own way.
/// </summary>
internal static class SnapshotWorkload
{
    public static readonly TimeSpan LongTtl = TimeSpan.FromHours(1), ShortTtl = TimeSpan.FromMinutes(1);

    private static string Key(int i) => $"w:{i}";
    private const int Types = 9;
    private static int TtlClass(int i) => i / Types % 3;
    /// <summary>The bitmap of key i: bits 1 and 6 of byte i % 3, so its value is i % 3 zero bytes and then "B".</summary>
    private static int BitOffset(int i) => 8 * (i % 3);
    private static string S(int i) => i.ToString(CultureInfo.InvariantCulture);
    private static string? Show(Reply r) => r.Kind == ReplyKind.Double ? Args.FormatScore(r.Double) : r.Text;

    /// <summary>The exact bytes PFADD leaves for key i's elements, from a Core keyspace (the caller's own).</summary>
    private static string Hll(Keyspace db, int i)
    {
        string n = S(i);
        db.Execute([.. new[] { "PFADD", "h", "a" + n, "b" + n, "c" + n }.Select(System.Text.Encoding.UTF8.GetBytes)]);
        var bytes = db.Execute(["GET"u8.ToArray(), "h"u8.ToArray()]).Bytes!;
        db.Execute(["DEL"u8.ToArray(), "h"u8.ToArray()]);
        return Convert.ToHexString(bytes);
    }

    public static async Task WriteAsync(ICache cache, int count)
    {
        var batch = cache.CreateBatch();
        var replies = new List<Task<Reply>>(count * 2);
        for (int i = 0; i < count; i++)
        {
            string key = Key(i), n = S(i);
            replies.Add((i % Types) switch
            {
                0 => batch.ExecuteAsync("SET", key, "v" + n),
                1 => batch.ExecuteAsync("HSET", key, "f", "v" + n, "g", n),
                2 => batch.ExecuteAsync("RPUSH", key, "a" + n, "b" + n),
                3 => batch.ExecuteAsync("SADD", key, "m" + n, "n" + n),
                4 => batch.ExecuteAsync("ZADD", key, n, "m" + n, "-1.5", "low"),
                5 => batch.ExecuteAsync("APPEND", key, "a" + n),
                6 => batch.ExecuteAsync("SETBIT", key, BitOffset(i) + 1, 1),
                7 => batch.ExecuteAsync("PFADD", key, "a" + n, "b" + n, "c" + n),
                _ => batch.ExecuteAsync("GEOADD", key, "13.361389", "38.115556", "Palermo"),
            });
            if (i % Types == 5) replies.Add(batch.ExecuteAsync("APPEND", key, "b" + n));
            if (i % Types == 6) replies.Add(batch.ExecuteAsync("SETBIT", key, BitOffset(i) + 6, 1));
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
            var value = (i % Types) switch
            {
                0 or 5 or 6 => batch.ExecuteAsync("GET", key),
                1 => batch.ExecuteAsync("HMGET", key, "f", "g"),
                2 => batch.ExecuteAsync("LRANGE", key, "0", "-1"),
                3 => batch.ExecuteAsync("SMEMBERS", key),
                4 => batch.ExecuteAsync("ZRANGE", key, "0", "-1", "WITHSCORES"),
                7 => batch.ExecuteAsync("GET", key),
                _ => batch.ExecuteAsync("GEOHASH", key, "Palermo"),
            };
            reads[i] = (value, batch.ExecuteAsync("PTTL", key));
        }
        await batch.ExecuteAsync();

        var reference = new Keyspace();
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
            string want = (i % Types) switch
            {
                0 => "v" + n,
                1 => $"v{n},{n}",
                2 => $"a{n},b{n}",
                3 => $"m{n},n{n}",
                4 => $"low,-1.5,m{n},{n}",
                5 => $"a{n}b{n}",
                6 => new string('\0', i % 3) + "B",
                7 => Hll(reference, i),
                _ => "sqc8b49rny0",
            };
            if (i % Types == 7) shown = Convert.ToHexString(value.Bytes ?? []);
            if (i % Types == 3) shown = string.Join(",", value.Items!.Select(x => x.Text).Order(StringComparer.Ordinal));
            Assert.True(want == shown, $"key {Key(i)}: expected {want}, got {shown}");
            var remaining = TtlClass(i) switch { 0 => (TimeSpan?)null, 1 => LongTtl - downtime, _ => ShortTtl - downtime };
            if (remaining is null) Assert.Equal(-1, ttl);
            else Assert.InRange(ttl, (long)remaining.Value.TotalMilliseconds - 1000, (long)remaining.Value.TotalMilliseconds);
        }
        Assert.Equal(expected, await cache.CountAsync());
    }
}
