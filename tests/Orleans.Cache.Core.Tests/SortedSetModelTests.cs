using System.Globalization;
using CsCheck;
using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// Random command sequences run on a sorted set and on a reference model (a dictionary sorted on demand);
/// every reply must match, and the tree's sizes, separators, fill and links must stay consistent.
/// </summary>
public class SortedSetModelTests
{
    /// <summary>
    /// The commands, over <paramref name="members"/> members, integer scores within ±<paramref name="scores"/> and ranks
    /// within ±<paramref name="ranks"/>; <paramref name="adds"/> weighs plain ZADDs (to "z", and half as many to "l") against the other commands (which weigh 28),
    /// and <paramref name="bulkAdds"/> ZADDs of 10 to 40 pairs.
    /// </summary>
    private static Gen<string[]> Ops(int members, int scores, int ranks, int adds = 6, int bulkAdds = 0)
    {
        var member = Gen.Int[0, members - 1].Select(i => "m" + i);
        var score = Gen.OneOf(
            Gen.Int[-scores, scores].Select(i => i.ToString(CultureInfo.InvariantCulture)), Gen.OneOf("1.5", "-0.25", "+inf", "-inf"));
        var bound = Gen.Select(score, Gen.Bool, (s, ex) => ex ? "(" + s : s);
        var index = Gen.Int[-ranks, ranks].Select(i => i.ToString(CultureInfo.InvariantCulture));
        var lexBound = Gen.OneOf(Gen.OneOf("-", "+"), Gen.Select(member, Gen.Bool, (m, ex) => (ex ? "(" : "[") + m));
        var flags = Gen.OneOf<string[]>(
            [], ["NX"], ["XX"], ["GT"], ["LT"], ["CH"], ["XX", "GT"], ["XX", "LT", "CH"], ["NX", "CH"], ["GT", "CH"]);
        var pairs = Gen.Select(score, member, (s, m) => new[] { s, m }).Array[10, 40];
        (int, IGen<string[]>)[] ops = [
            (bulkAdds, Gen.Select(pairs, Gen.Bool, (p, lex) => (string[])[
                "ZADD", lex ? "l" : "z", .. p.SelectMany(pair => lex ? ["0", pair[1]] : pair)])),
            (adds, Gen.Select(flags, score, member, (f, s, m) => (string[])["ZADD", "z", .. f, s, m])),
            (2, Gen.Select(score, member, (s, m) => new[] { "ZADD", "z", "INCR", s, m })),
            (2, Gen.Select(score, member, (s, m) => new[] { "ZINCRBY", "z", s, m })),
            (3, Gen.Select(member, member, (a, b) => new[] { "ZREM", "z", a, b })),
            (2, member.Select(m => new[] { "ZSCORE", "z", m })),
            (2, Gen.Select(member, Gen.Bool, Gen.Bool, (m, rev, ws) => (string[])[rev ? "ZREVRANK" : "ZRANK", "z", m, .. ws ? ["WITHSCORE"] : Array.Empty<string>()])),
            (3, Gen.Select(index, index, Gen.Bool, Gen.Bool, (a, b, rev, ws) =>
                (string[])["ZRANGE", "z", a, b, .. rev ? ["REV"] : Array.Empty<string>(), .. ws ? ["WITHSCORES"] : Array.Empty<string>()])),
            (3, Gen.Select(bound, bound, Gen.Bool, Gen.Int[-1, 3], (a, b, rev, limit) =>
                (string[])["ZRANGE", "z", a, b, "BYSCORE", .. rev ? ["REV"] : Array.Empty<string>(),
                    .. limit >= 0 ? ["LIMIT", "1", (limit - 1).ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>(), "WITHSCORES"])),
            (2, Gen.Select(bound, bound, (a, b) => new[] { "ZCOUNT", "z", a, b })),
            (2, Gen.Select(Gen.Int[0, 3], Gen.Bool, (n, max) => new[] { max ? "ZPOPMAX" : "ZPOPMIN", "z", n.ToString(CultureInfo.InvariantCulture) })),
            (1, Gen.Select(index, index, (a, b) => new[] { "ZREMRANGEBYRANK", "z", a, b })),
            (1, Gen.Select(bound, bound, (a, b) => new[] { "ZREMRANGEBYSCORE", "z", a, b })),
            (1, Gen.Const(new[] { "ZCARD", "z" })),
            (adds / 2, member.Select(m => new[] { "ZADD", "l", "0", m })),
            (2, Gen.Select(lexBound, lexBound, Gen.Bool, (a, b, rev) => rev
                ? new[] { "ZRANGE", "l", b, a, "BYLEX", "REV" } : ["ZRANGE", "l", a, b, "BYLEX"])),
            (1, Gen.Select(lexBound, lexBound, (a, b) => new[] { "ZLEXCOUNT", "l", a, b })),
            (1, Gen.Select(lexBound, lexBound, (a, b) => new[] { "ZREMRANGEBYLEX", "l", a, b }))];
        return Gen.Frequency(ops.Where(o => o.Item1 > 0).ToArray());
    }

    /// <summary>Runs the sequences; with a node capacity, every sorted set is one with nodes that small.</summary>
    private static void Check(Gen<string[][]> sequences, int iterations, int? nodeCapacity, int expectHeight = 0)
    {
        int tallest = 0;
        sequences.Sample(ops =>
        {
            var db = new TypesDb();
            var model = new SortedSetModel();
            foreach (var op in ops)
            {
                var key = Args.Bytes(op[1]);
                // An empty set stands for a missing key: no command here tells them apart, and it lets the test pick the set.
                if (nodeCapacity is int capacity && db.Keyspace.Get<RedisSortedSet>(key) is null)
                    db.Keyspace.Set(key, new RedisSortedSet(capacity));
                string expected = model.Apply(op), actual = db.Do(op);
                if (expected != actual)
                    throw new Exception($"{string.Join(' ', op)}: expected {expected}, got {actual}");
                if (db.Keyspace.Get<RedisSortedSet>(key) is { Count: 0 }) db.Keyspace.Delete(key);
                foreach (var k in new[] { "z", "l" })
                {
                    if (db.Keyspace.Get<RedisSortedSet>(Args.Bytes(k)) is not { } zset) continue;
                    zset.Tree.Validate();
                    tallest = Math.Max(tallest, zset.Tree.Height);
                }
            }
        }, iter: iterations, threads: 1, print: ops => string.Join(" | ", ops.Select(o => string.Join(' ', o))));
        Assert.True(tallest >= expectHeight, $"the trees grew only {tallest} levels above their leaves");
    }

    [Fact]
    public void Random_command_sequences_match_the_reference_model() =>
        Check(Ops(12, 4, 14).Array[1, 80], 3000, null);

    [Fact]
    public void Small_sets_in_tiny_nodes_match_the_reference_model() =>
        Check(Ops(12, 4, 14).Array[1, 80], 2000, 4);

    /// <summary>Hundreds of members in nodes of 4 to 6: every sequence splits and merges leaves and inner nodes many times.</summary>
    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Large_sets_in_tiny_nodes_match_the_reference_model(int nodeCapacity) =>
        Check(Ops(300, 60, 320, adds: 30, bulkAdds: 3).Array[200, 700], 120, nodeCapacity, expectHeight: 3);
}

/// <summary>The obvious sorted set: a dictionary of scores, sorted whenever asked; replies rendered like TypesDb.</summary>
internal sealed class SortedSetModel
{
    private readonly Dictionary<string, Dictionary<string, double>> _keys = [];

    private List<(string Member, double Score)> Sorted(string key) =>
        _keys.TryGetValue(key, out var z)
            ? z.Select(p => (p.Key, p.Value)).OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList()
            : [];

    private static string F(double d) => Args.FormatScore(d);
    private static string List(IEnumerable<string> items) => "[" + string.Join(",", items) + "]";
    private static string WithScores(IEnumerable<(string Member, double Score)> items, bool ws) =>
        List(items.SelectMany(p => ws ? new[] { p.Member, F(p.Score) } : [p.Member]));

    private static double D(string s) => Args.Double(Args.Bytes(s));

    private static (double Value, bool Exclusive) B(string s) => s.StartsWith('(') ? (D(s[1..]), true) : (D(s), false);

    private static bool InScores(double v, string min, string max)
    {
        var (lo, loEx) = B(min);
        var (hi, hiEx) = B(max);
        return (loEx ? v > lo : v >= lo) && (hiEx ? v < hi : v <= hi);
    }

    private static bool InLex(string m, string min, string max)
    {
        bool above = min == "-" || min != "+" && (min[0] == '(' ? string.CompareOrdinal(m, min[1..]) > 0 : string.CompareOrdinal(m, min[1..]) >= 0);
        bool below = max == "+" || max != "-" && (max[0] == '(' ? string.CompareOrdinal(m, max[1..]) < 0 : string.CompareOrdinal(m, max[1..]) <= 0);
        return above && below;
    }

    private Dictionary<string, double> Create(string key) => _keys.TryGetValue(key, out var z) ? z : _keys[key] = [];

    private void Drop(string key)
    {
        if (_keys.TryGetValue(key, out var z) && z.Count == 0) _keys.Remove(key);
    }

    public string Apply(string[] op)
    {
        string key = op[1];
        var sorted = Sorted(key);
        switch (op[0])
        {
            case "ZADD" when op.Length > 4 && op[2] is not ("NX" or "XX" or "GT" or "LT" or "CH" or "INCR"):
            {
                // Several pairs, no flags: applied in order; the reply counts members that were new.
                var z = Create(key);
                int added = 0;
                for (int i = 2; i < op.Length; i += 2)
                {
                    if (!z.ContainsKey(op[i + 1])) added++;
                    z[op[i + 1]] = D(op[i]);
                }
                return added.ToString(CultureInfo.InvariantCulture);
            }
            case "ZADD":
            {
                var flags = op[2..^2].ToHashSet();
                double score = D(op[^2]);
                string member = op[^1];
                bool exists = _keys.TryGetValue(key, out var z) && z.ContainsKey(member);
                bool incr = flags.Contains("INCR");
                if (!exists && flags.Contains("XX") || exists && flags.Contains("NX")) return incr ? "nil" : "0";
                double old = exists ? z![member] : 0;
                double next = incr ? old + score : score;
                if (double.IsNaN(next)) return "ERR resulting score is not a number (NaN)";
                if (exists && (flags.Contains("GT") && next <= old || flags.Contains("LT") && next >= old)) return incr ? "nil" : "0";
                Create(key)[member] = next;
                if (incr) return F(next);
                return !exists || flags.Contains("CH") && next != old ? "1" : "0";
            }
            case "ZINCRBY":
            {
                var z = _keys.GetValueOrDefault(key);
                double next = D(op[2]) + (z?.GetValueOrDefault(op[3]) ?? 0);
                if (double.IsNaN(next)) return "ERR resulting score is not a number (NaN)";
                Create(key)[op[3]] = next;
                return F(next);
            }
            case "ZREM":
            {
                int removed = op[2..].Distinct().Count(m => _keys.TryGetValue(key, out var z) && z.Remove(m));
                Drop(key);
                return removed.ToString(CultureInfo.InvariantCulture);
            }
            case "ZSCORE":
                return _keys.TryGetValue(key, out var zs) && zs.TryGetValue(op[2], out double sc) ? F(sc) : "nil";
            case "ZRANK" or "ZREVRANK":
            {
                int i = sorted.FindIndex(p => p.Member == op[2]);
                if (i < 0) return "nil";
                int rank = op[0] == "ZRANK" ? i : sorted.Count - 1 - i;
                return op.Length == 4 ? List([rank.ToString(CultureInfo.InvariantCulture), F(sorted[i].Score)]) : rank.ToString(CultureInfo.InvariantCulture);
            }
            case "ZRANGE" when op.Length > 4 && op[4] == "BYSCORE":
            {
                bool rev = op.Contains("REV");
                var (min, max) = rev ? (op[3], op[2]) : (op[2], op[3]);
                var items = sorted.Where(p => InScores(p.Score, min, max));
                if (rev) items = items.Reverse();
                int limitAt = Array.IndexOf(op, "LIMIT");
                if (limitAt > 0)
                {
                    items = items.Skip(int.Parse(op[limitAt + 1], CultureInfo.InvariantCulture));
                    int count = int.Parse(op[limitAt + 2], CultureInfo.InvariantCulture);
                    if (count >= 0) items = items.Take(count);
                }
                return WithScores(items, true);
            }
            case "ZRANGE" when op.Length > 4 && op[4] == "BYLEX":
            {
                bool rev = op.Contains("REV");
                var (min, max) = rev ? (op[3], op[2]) : (op[2], op[3]);
                var items = sorted.Where(p => InLex(p.Member, min, max));
                return WithScores(rev ? items.Reverse() : items, false);
            }
            case "ZRANGE":
            {
                var (start, stop) = RankBounds(sorted.Count, op[2], op[3]);
                IEnumerable<(string, double)> ordered = op.Contains("REV") ? Enumerable.Reverse(sorted) : sorted;
                return WithScores(start > stop ? [] : ordered.Skip(start).Take(stop - start + 1), op.Contains("WITHSCORES"));
            }
            case "ZCOUNT":
                return sorted.Count(p => InScores(p.Score, op[2], op[3])).ToString(CultureInfo.InvariantCulture);
            case "ZLEXCOUNT":
                return sorted.Count(p => InLex(p.Member, op[2], op[3])).ToString(CultureInfo.InvariantCulture);
            case "ZPOPMIN" or "ZPOPMAX":
            {
                var popped = (op[0] == "ZPOPMIN" ? sorted : Enumerable.Reverse(sorted)).Take(int.Parse(op[2], CultureInfo.InvariantCulture)).ToList();
                foreach (var p in popped) _keys[key].Remove(p.Member);
                Drop(key);
                return WithScores(popped, true);
            }
            case "ZREMRANGEBYRANK":
            {
                var (start, stop) = RankBounds(sorted.Count, op[2], op[3]);
                return Remove(key, start > stop ? [] : sorted.Skip(start).Take(stop - start + 1));
            }
            case "ZREMRANGEBYSCORE":
                return Remove(key, sorted.Where(p => InScores(p.Score, op[2], op[3])));
            case "ZREMRANGEBYLEX":
                return Remove(key, sorted.Where(p => InLex(p.Member, op[2], op[3])));
            case "ZCARD":
                return sorted.Count.ToString(CultureInfo.InvariantCulture);
        }
        throw new NotSupportedException(op[0]);
    }

    private string Remove(string key, IEnumerable<(string Member, double Score)> items)
    {
        int n = 0;
        foreach (var p in items.ToList()) { _keys[key].Remove(p.Member); n++; }
        Drop(key);
        return n.ToString(CultureInfo.InvariantCulture);
    }

    private static (int Start, int Stop) RankBounds(int length, string a, string b)
    {
        int start = int.Parse(a, CultureInfo.InvariantCulture), stop = int.Parse(b, CultureInfo.InvariantCulture);
        if (start < 0) start += length;
        if (stop < 0) stop += length;
        if (start < 0) start = 0;
        if (stop >= length) stop = length - 1;
        return start >= length ? (1, 0) : (start, stop);
    }
}
