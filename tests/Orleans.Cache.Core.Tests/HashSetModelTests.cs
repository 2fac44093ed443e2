using System.Globalization;
using CsCheck;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// Random hash and set command sequences against reference models (an insertion-ordered field list, a HashSet),
/// enough fields to make the shared <see cref="Dict{TValue}"/> leave holes and compact while order must hold.
/// </summary>
public class HashSetModelTests
{
    private static readonly Gen<string> Field = Gen.Int[0, 39].Select(i => "f" + i);
    private static readonly Gen<string> Small = Gen.Int[-3, 3].Select(i => i.ToString(CultureInfo.InvariantCulture));

    private static readonly Gen<string[]> HashOp = Gen.Frequency(
        (6, Gen.Select(Field, Small, Field, Small, (f, v, g, w) => new[] { "HSET", "h", f, v, g, w })),
        (4, Gen.Select(Field, Field, Field, (f, g, k) => new[] { "HDEL", "h", f, g, k })),
        (2, Gen.Select(Field, Small, (f, v) => new[] { "HSETNX", "h", f, v })),
        (2, Gen.Select(Field, Small, (f, by) => new[] { "HINCRBY", "h", f, by })),
        (2, Field.Select(f => new[] { "HGET", "h", f })),
        (1, Field.Select(f => new[] { "HEXISTS", "h", f })),
        (1, Gen.Const(new[] { "HLEN", "h" })),
        (2, Gen.Const(new[] { "HGETALL", "h" })));

    [Fact]
    public void Random_hash_sequences_match_an_insertion_ordered_model()
    {
        HashOp.Array[1, 150].Sample(ops =>
        {
            var db = new TypesDb();
            var model = new List<KeyValuePair<string, string>>();
            foreach (var op in ops)
            {
                string expected = ApplyHash(model, op), actual = db.Do(op);
                if (expected != actual) throw new Exception($"{string.Join(' ', op)}: expected {expected}, got {actual}");
            }
        }, iter: 1500, threads: 1, print: ops => string.Join(" | ", ops.Select(o => string.Join(' ', o))));
    }

    private static string ApplyHash(List<KeyValuePair<string, string>> h, string[] op)
    {
        int Find(string f) => h.FindIndex(p => p.Key == f);
        switch (op[0])
        {
            case "HSET":
                int added = 0;
                for (int i = 2; i < op.Length; i += 2)
                {
                    int at = Find(op[i]);
                    if (at >= 0) h[at] = new(op[i], op[i + 1]);
                    else { h.Add(new(op[i], op[i + 1])); added++; }
                }
                return added.ToString(CultureInfo.InvariantCulture);
            case "HDEL":
                return op[2..].Distinct().Count(f => h.RemoveAll(p => p.Key == f) > 0).ToString(CultureInfo.InvariantCulture);
            case "HSETNX":
                if (Find(op[2]) >= 0) return "0";
                h.Add(new(op[2], op[3]));
                return "1";
            case "HINCRBY":
            {
                int at = Find(op[2]);
                long value = (at >= 0 ? long.Parse(h[at].Value, CultureInfo.InvariantCulture) : 0) + long.Parse(op[3], CultureInfo.InvariantCulture);
                string text = value.ToString(CultureInfo.InvariantCulture);
                if (at >= 0) h[at] = new(op[2], text); else h.Add(new(op[2], text));
                return text;
            }
            case "HGET":
                return Find(op[2]) is var found && found >= 0 ? h[found].Value : "nil";
            case "HEXISTS":
                return Find(op[2]) >= 0 ? "1" : "0";
            case "HLEN":
                return h.Count.ToString(CultureInfo.InvariantCulture);
            default:
                return "[" + string.Join(",", h.SelectMany(p => new[] { p.Key, p.Value })) + "]";
        }
    }

    private static readonly Gen<string> SetKey = Gen.OneOf("{s}a", "{s}b");
    private static readonly Gen<string> Member = Gen.Int[0, 39].Select(i => "m" + i);

    private static readonly Gen<string[]> SetOp = Gen.Frequency(
        (6, Gen.Select(SetKey, Member, Member, Member, (k, a, b, c) => new[] { "SADD", k, a, b, c })),
        (4, Gen.Select(SetKey, Member, Member, Member, (k, a, b, c) => new[] { "SREM", k, a, b, c })),
        (2, Gen.Select(SetKey, Member, (k, m) => new[] { "SISMEMBER", k, m })),
        (1, SetKey.Select(k => new[] { "SCARD", k })),
        (2, SetKey.Select(k => new[] { "SMEMBERS", k })),
        (1, Gen.Const(new[] { "SINTER", "{s}a", "{s}b" })),
        (1, Gen.Const(new[] { "SUNION", "{s}a", "{s}b" })),
        (1, Gen.Const(new[] { "SDIFF", "{s}a", "{s}b" })),
        (1, Gen.Select(Member, m => new[] { "SMOVE", "{s}a", "{s}b", m })),
        (1, Gen.Const(new[] { "SINTERCARD", "2", "{s}a", "{s}b" })));

    [Fact]
    public void Random_set_sequences_match_a_hashset_model()
    {
        SetOp.Array[1, 150].Sample(ops =>
        {
            var db = new TypesDb();
            var model = new Dictionary<string, HashSet<string>> { ["{s}a"] = [], ["{s}b"] = [] };
            foreach (var op in ops)
            {
                string expected = ApplySet(model, op), actual = Normalize(op[0], db.Do(op));
                if (expected != actual) throw new Exception($"{string.Join(' ', op)}: expected {expected}, got {actual}");
            }
        }, iter: 1500, threads: 1, print: ops => string.Join(" | ", ops.Select(o => string.Join(' ', o))));
    }

    /// <summary>Set replies are unordered: compare them sorted.</summary>
    private static string Normalize(string command, string reply) =>
        command is "SMEMBERS" or "SINTER" or "SUNION" or "SDIFF" ? Sorted(reply.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries)) : reply;

    private static string Sorted(IEnumerable<string> items) => "[" + string.Join(",", items.Order(StringComparer.Ordinal)) + "]";

    private static string ApplySet(Dictionary<string, HashSet<string>> s, string[] op)
    {
        string N(int n) => n.ToString(CultureInfo.InvariantCulture);
        switch (op[0])
        {
            case "SADD": return N(op[2..].Distinct().Count(m => s[op[1]].Add(m)));
            case "SREM": return N(op[2..].Distinct().Count(m => s[op[1]].Remove(m)));
            case "SISMEMBER": return s[op[1]].Contains(op[2]) ? "1" : "0";
            case "SCARD": return N(s[op[1]].Count);
            case "SMEMBERS": return Sorted(s[op[1]]);
            case "SINTER": return Sorted(s["{s}a"].Intersect(s["{s}b"]));
            case "SUNION": return Sorted(s["{s}a"].Union(s["{s}b"]));
            case "SDIFF": return Sorted(s["{s}a"].Except(s["{s}b"]));
            case "SINTERCARD": return N(s["{s}a"].Intersect(s["{s}b"]).Count());
            default:
                if (!s["{s}a"].Remove(op[3])) return "0";
                s["{s}b"].Add(op[3]);
                return "1";
        }
    }
}
