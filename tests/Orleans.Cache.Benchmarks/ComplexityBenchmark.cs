using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Benchmarks;

/// <summary>
/// Commands that touch many elements of one value, timed on a Core keyspace at N = 250k, 500k and 1M elements:
/// each must take time proportional to N (about 2x per doubling), since a partition's other keys wait on its lock
/// meanwhile. `-- complexity [maxN] [all]`; the named five run in well under a minute.
/// </summary>
public static class ComplexityBenchmark
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
    private static byte[] B(long i) => B(i.ToString(CultureInfo.InvariantCulture));

    private sealed record Case(string Name, Action<Keyspace, int> Fill, Func<int, byte[][][]> Commands);

    private static readonly Case[] Cases =
    [
        // Half the elements match, alternating: an O(N) removal per match would be N²/4 moves.
        new("LREM k 0 a (N/2 matches)", (db, n) => Fill(db, "RPUSH", n, i => B(i % 2 == 0 ? "a" : "b" + i)),
            n => [[B("LREM"), B("k"), B("0"), B("a")]]),
        new("LREM k -N/4 a (from the tail)", (db, n) => Fill(db, "RPUSH", n, i => B(i % 2 == 0 ? "a" : "b" + i)),
            n => [[B("LREM"), B("k"), B(-n / 4), B("a")]]),
        new("LINSERT k BEFORE <last> x (x100)", (db, n) => Fill(db, "RPUSH", n, i => B(i)),
            n => [.. Enumerable.Range(0, 100).Select(_ => new[] { B("LINSERT"), B("k"), B("BEFORE"), B(n - 1), B("x") })]),
        new("LSET every index (N calls)", (db, n) => Fill(db, "RPUSH", n, i => B(i)),
            n => [.. Enumerable.Range(0, n).Select(i => new[] { B("LSET"), B("k"), B(i), B("y") })]),
        new("LPOS k <absent> COUNT 0", (db, n) => Fill(db, "RPUSH", n, i => B(i)),
            n => [[B("LPOS"), B("k"), B("absent"), B("COUNT"), B("0")]]),
        new("LTRIM k N/4 -N/4", (db, n) => Fill(db, "RPUSH", n, i => B(i)),
            n => [[B("LTRIM"), B("k"), B(n / 4), B(-n / 4)]]),
        new("SREM k <N/2 members>", (db, n) => Fill(db, "SADD", n, i => B(i)),
            n => [[B("SREM"), B("k"), .. Enumerable.Range(0, n / 2).Select(i => B(i * 2))]]),
        new("HDEL k <N/2 fields>", (db, n) => FillPairs(db, "HSET", n, i => B(i), i => B("v")),
            n => [[B("HDEL"), B("k"), .. Enumerable.Range(0, n / 2).Select(i => B(i * 2))]]),
        new("ZREM k <N/2 members>", (db, n) => FillPairs(db, "ZADD", n, i => B(i), i => B(i)),
            n => [[B("ZREM"), B("k"), .. Enumerable.Range(0, n / 2).Select(i => B(i * 2))]]),
        new("ZREMRANGEBYRANK k 0 N/2", (db, n) => FillPairs(db, "ZADD", n, i => B(i), i => B(i)),
            n => [[B("ZREMRANGEBYRANK"), B("k"), B("0"), B(n / 2)]]),
        new("ZREMRANGEBYSCORE k N/4 3N/4", (db, n) => FillPairs(db, "ZADD", n, i => B(i), i => B(i)),
            n => [[B("ZREMRANGEBYSCORE"), B("k"), B(n / 4), B(3 * n / 4)]]),
        new("ZREMRANGEBYLEX k - + (same score)", (db, n) => FillPairs(db, "ZADD", n, i => B("0"), i => B(i)),
            n => [[B("ZREMRANGEBYLEX"), B("k"), B("-"), B("+")]]),
        new("APPEND k 16B (N/16 calls)", (db, n) => { },
            n => [.. Enumerable.Range(0, n / 16).Select(_ => new[] { B("APPEND"), B("k"), B("0123456789abcdef") })]),
        new("SETRANGE k <end> 16B (N/16 calls)", (db, n) => { },
            n => [.. Enumerable.Range(0, n / 16).Select(i => new[] { B("SETRANGE"), B("k"), B(i * 16), B("0123456789abcdef") })]),
    ];

    private static void Fill(Keyspace db, string command, int n, Func<int, byte[]> element)
    {
        for (int start = 0; start < n; start += 10_000)
            db.Execute([B(command), B("k"), .. Enumerable.Range(start, Math.Min(10_000, n - start)).Select(element)]);
    }

    private static void FillPairs(Keyspace db, string command, int n, Func<int, byte[]> first, Func<int, byte[]> second)
    {
        for (int start = 0; start < n; start += 10_000)
            db.Execute([B(command), B("k"), .. Enumerable.Range(start, Math.Min(10_000, n - start)).SelectMany(i => new[] { first(i), second(i) })]);
    }

    private static double Time(Case c, int n)
    {
        var db = new Keyspace(TimeProvider.System, 1);
        c.Fill(db, n);
        var commands = c.Commands(n);
        GC.Collect();
        var clock = Stopwatch.StartNew();
        foreach (var argv in commands)
        {
            var reply = db.Execute(argv);
            if (reply.Kind == ReplyKind.Error) throw new InvalidOperationException($"{c.Name}: {reply.Text}");
        }
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>The commands the issue names; "all" adds the rest of the audit (LREM from the tail, LPOS, LTRIM, HDEL, ZREM, ZREMRANGEBYSCORE/LEX, APPEND, SETRANGE).</summary>
    private static readonly string[] Named = ["LREM k 0", "LINSERT", "LSET", "SREM", "ZREMRANGEBYRANK"];

    public static void Run(int maxN, bool all)
    {
        int[] sizes = [maxN / 4, maxN / 2, maxN];
        Console.WriteLine($"{"command",-36} {sizes[0],10:N0} {sizes[1],10:N0} {sizes[2],10:N0}   ratios");
        foreach (var c in Cases.Where(c => all || Named.Any(c.Name.StartsWith)))
        {
            for (int i = 0; i < 3; i++) Time(c, 20_000); // warm-up (JIT tiers)
            // The best of two: a gen2 collection or a page fault in one run is not the command's cost.
            var ms = sizes.Select(n => Math.Min(Time(c, n), Time(c, n))).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Name,-36} {ms[0],8:F1}ms {ms[1],8:F1}ms {ms[2],8:F1}ms   {ms[1] / ms[0]:F1}x {ms[2] / ms[1]:F1}x"));
        }
    }
}
