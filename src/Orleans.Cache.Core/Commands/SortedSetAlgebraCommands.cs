namespace Orleans.Cache.Core;

/// <summary>
/// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD. Inputs may be sorted sets or plain sets (members
/// scoring 1), as in Redis; the front door has already checked that all keys share one slot.
/// </summary>
internal static class SortedSetAlgebraCommands
{
    private enum Op { Union, Inter, Diff }
    private enum Aggregate { Sum, Min, Max }

    public static Reply ZUnion(Keyspace db, byte[][] a) => Combine(db, a, Op.Union, "zunion", store: false);
    public static Reply ZInter(Keyspace db, byte[][] a) => Combine(db, a, Op.Inter, "zinter", store: false);
    public static Reply ZDiff(Keyspace db, byte[][] a) => Combine(db, a, Op.Diff, "zdiff", store: false);
    public static Reply ZUnionStore(Keyspace db, byte[][] a) => Combine(db, a, Op.Union, "zunionstore", store: true);
    public static Reply ZInterStore(Keyspace db, byte[][] a) => Combine(db, a, Op.Inter, "zinterstore", store: true);
    public static Reply ZDiffStore(Keyspace db, byte[][] a) => Combine(db, a, Op.Diff, "zdiffstore", store: true);

    private static Reply Combine(Keyspace db, byte[][] a, Op op, string name, bool store)
    {
        int at = store ? 2 : 1;
        var keys = Keys(a, at, name);
        var weights = Enumerable.Repeat(1.0, keys.Length).ToArray();
        var aggregate = Aggregate.Sum;
        bool withScores = false;
        for (int i = at + 1 + keys.Length; i < a.Length; i++)
        {
            if (op != Op.Diff && Args.Is(a[i], "WEIGHTS") && i + keys.Length < a.Length)
            {
                for (int w = 0; w < keys.Length; w++)
                    if (!Args.TryDouble(a[++i], out weights[w]))
                        return Reply.Error("ERR weight value is not a float");
            }
            else if (op != Op.Diff && Args.Is(a[i], "AGGREGATE") && i + 1 < a.Length)
            {
                i++;
                if (Args.Is(a[i], "SUM")) aggregate = Aggregate.Sum;
                else if (Args.Is(a[i], "MIN")) aggregate = Aggregate.Min;
                else if (Args.Is(a[i], "MAX")) aggregate = Aggregate.Max;
                else return Errors.Syntax;
            }
            else if (!store && Args.Is(a[i], "WITHSCORES")) withScores = true;
            else return Errors.Syntax;
        }

        var inputs = keys.Select(k => Read(db, k)).ToArray();
        var result = new RedisSortedSet();
        switch (op)
        {
            case Op.Union:
                for (int i = 0; i < inputs.Length; i++)
                    foreach (var (member, score) in inputs[i] ?? Empty)
                    {
                        double weighted = Weigh(score, weights[i]);
                        result.Add(member, result.TryGetScore(member, out double acc) ? Fold(aggregate, acc, weighted) : weighted);
                    }
                break;
            case Op.Inter:
                if (inputs.Any(s => s is null)) break;
                foreach (var (member, score) in inputs[0]!)
                {
                    double acc = Weigh(score, weights[0]);
                    bool everywhere = true;
                    for (int i = 1; i < inputs.Length && everywhere; i++)
                    {
                        if (inputs[i]!.TryGetValue(member, out double other)) acc = Fold(aggregate, acc, Weigh(other, weights[i]));
                        else everywhere = false;
                    }
                    if (everywhere) result.Add(member, acc);
                }
                break;
            case Op.Diff:
                foreach (var (member, score) in inputs[0] ?? Empty)
                    if (!inputs.Skip(1).Any(s => s is not null && s.ContainsKey(member))) result.Add(member, score);
                break;
        }

        if (store)
        {
            if (result.Count == 0)
            {
                if (db.Delete(a[1])) db.Notify(KeyspaceEventFlags.Generic, "del", a[1]);
            }
            else
            {
                db.Set(a[1], result);
                db.Notify(KeyspaceEventFlags.SortedSet, name, a[1]); // zunionstore, zinterstore, zdiffstore
            }
            return Reply.Int(result.Count);
        }
        var items = new List<Reply>(result.Count * (withScores ? 2 : 1));
        foreach (var (member, score) in result.Tree)
        {
            items.Add(Reply.Bulk(member));
            if (withScores) items.Add(Reply.Dbl(score));
        }
        return withScores ? Reply.Pairs([.. items]) : Reply.Array([.. items]);
    }

    /// <summary>ZINTERCARD numkeys key [key …] [LIMIT limit]: the intersection's size, counting stops at the limit.</summary>
    public static Reply ZInterCard(Keyspace db, byte[][] a)
    {
        var keys = Keys(a, 1, "zintercard");
        long limit = 0;
        for (int i = 2 + keys.Length; i < a.Length; i++)
        {
            if (Args.Is(a[i], "LIMIT") && i + 1 < a.Length)
            {
                if (!Args.TryLong(a[++i], out limit) || limit < 0) return Reply.Error("ERR LIMIT can't be negative");
            }
            else return Errors.Syntax;
        }
        var inputs = keys.Select(k => Read(db, k)).ToArray();
        if (inputs.Any(s => s is null)) return Reply.Int(0);
        var ordered = inputs.OrderBy(s => s!.Count).ToArray();
        long count = 0;
        foreach (var (member, _) in ordered[0]!)
        {
            if (!ordered.Skip(1).All(s => s!.ContainsKey(member))) continue;
            if (++count == limit) break;
        }
        return Reply.Int(count);
    }

    /// <summary>numkeys key [key …] starting at a[at].</summary>
    private static byte[][] Keys(byte[][] a, int at, string name)
    {
        long n = Args.Long(a[at]);
        if (n < 1) throw new CommandException(Reply.Error($"ERR at least 1 input key is needed for '{name}' command"));
        if (n > a.Length - at - 1) throw new CommandException(Errors.Syntax);
        return a.AsSpan(at + 1, (int)n).ToArray();
    }

    /// <summary>A sorted set's scores, or a set's members with score 1; null when missing; WRONGTYPE for other types.</summary>
    private static IScores? Read(Keyspace db, byte[] key) => db.Find(key)?.Value switch
    {
        null => null,
        RedisSortedSet z => new ZSetScores(z),
        RedisSet s => new SetScores(s),
        _ => throw new CommandException(Errors.WrongType),
    };

    private static readonly IEnumerable<KeyValuePair<byte[], double>> Empty = [];

    private static double Weigh(double score, double weight)
    {
        double v = score * weight;
        return double.IsNaN(v) ? 0 : v; // 0 * inf: Redis counts it as 0
    }

    private static double Fold(Aggregate aggregate, double acc, double value) => aggregate switch
    {
        Aggregate.Sum => acc + value is var s && double.IsNaN(s) ? 0 : acc + value,
        Aggregate.Min => Math.Min(acc, value),
        _ => Math.Max(acc, value),
    };

    private interface IScores : IEnumerable<KeyValuePair<byte[], double>>
    {
        int Count { get; }
        bool ContainsKey(byte[] member);
        bool TryGetValue(byte[] member, out double score);
    }

    private sealed class ZSetScores(RedisSortedSet z) : IScores
    {
        public int Count => z.Count;
        public bool ContainsKey(byte[] member) => z.Members.ContainsKey(member);
        public bool TryGetValue(byte[] member, out double score) => z.TryGetScore(member, out score);
        public IEnumerator<KeyValuePair<byte[], double>> GetEnumerator() =>
            z.Members.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class SetScores(RedisSet s) : IScores
    {
        public int Count => s.Count;
        public bool ContainsKey(byte[] member) => s.Contains(member);
        public bool TryGetValue(byte[] member, out double score) { score = 1; return s.Contains(member); }
        public IEnumerator<KeyValuePair<byte[], double>> GetEnumerator() =>
            s.Members.Select(m => new KeyValuePair<byte[], double>(m.Key, 1)).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
