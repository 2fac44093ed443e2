using System.Globalization;
using CsCheck;
using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// Random command sequences on two lists checked against a reference model (List&lt;string&gt; per key):
/// every reply must match, which exercises the ring buffer's wrap-around, growth and middle inserts/removals.
/// </summary>
public class ListModelTests
{
    private static readonly Gen<string> Key = Gen.OneOf("{l}a", "{l}b");
    private static readonly Gen<string> Value = Gen.Int[0, 5].Select(i => "v" + i);
    private static readonly Gen<string> Index = Gen.Int[-12, 12].Select(i => i.ToString(CultureInfo.InvariantCulture));
    private static readonly Gen<string> Side = Gen.OneOf("LEFT", "RIGHT");
    private static string N(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static readonly Gen<string[]> Op = Gen.Frequency(
        (8, Gen.Select(Gen.OneOf("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"), Key, Value.Array[1, 4], (c, k, vs) => (string[])[c, k, .. vs])),
        (4, Gen.Select(Gen.OneOf("LPOP", "RPOP"), Key, Gen.Int[-1, 3], (c, k, n) => n < 0 ? new[] { c, k } : [c, k, N(n)])),
        (2, Key.Select(k => new[] { "LLEN", k })),
        (3, Gen.Select(Key, Index, Index, (k, a, b) => new[] { "LRANGE", k, a, b })),
        (2, Gen.Select(Key, Index, (k, i) => new[] { "LINDEX", k, i })),
        (2, Gen.Select(Key, Index, Value, (k, i, v) => new[] { "LSET", k, i, v })),
        (2, Gen.Select(Key, Gen.OneOf("BEFORE", "AFTER"), Value, Value, (k, w, p, v) => new[] { "LINSERT", k, w, p, v })),
        (2, Gen.Select(Key, Gen.Int[-2, 2], Value, (k, n, v) => new[] { "LREM", k, N(n), v })),
        (1, Gen.Select(Key, Index, Index, (k, a, b) => new[] { "LTRIM", k, a, b })),
        (2, Gen.Select(Key, Value, Gen.Int[-2, 2], Gen.Int[-1, 2], (k, v, rank, count) =>
            (string[])["LPOS", k, v, .. rank != 0 ? ["RANK", N(rank)] : Array.Empty<string>(), .. count >= 0 ? ["COUNT", N(count)] : Array.Empty<string>()])),
        (3, Gen.Select(Key, Key, Side, Side, (s, d, f, t) => new[] { "LMOVE", s, d, f, t })),
        (1, Gen.Select(Gen.Int[1, 3], Side, (n, side) => new[] { "LMPOP", "2", "{l}a", "{l}b", side, "COUNT", N(n) })));

    [Fact]
    public void Random_command_sequences_match_the_reference_model()
    {
        Op.Array[1, 100].Sample(ops =>
        {
            var db = new TypesDb();
            var model = new ListModel();
            foreach (var op in ops)
            {
                string expected = model.Apply(op), actual = db.Do(op);
                if (expected != actual) throw new Exception($"{string.Join(' ', op)}: expected {expected}, got {actual}");
            }
        }, iter: 3000, threads: 1, print: ops => string.Join(" | ", ops.Select(o => string.Join(' ', o))));
    }
}

/// <summary>The obvious list: a List&lt;string&gt; per key, replies rendered like TypesDb.</summary>
internal sealed class ListModel
{
    private readonly Dictionary<string, List<string>> _lists = [];

    private static string N(long i) => i.ToString(CultureInfo.InvariantCulture);
    private static int I(string s) => int.Parse(s, CultureInfo.InvariantCulture);
    private static string Render(IEnumerable<string> items) => "[" + string.Join(",", items) + "]";

    private List<string>? Get(string key) => _lists.GetValueOrDefault(key);

    private void Drop(string key)
    {
        if (_lists.TryGetValue(key, out var l) && l.Count == 0) _lists.Remove(key);
    }

    private static (int Start, int Stop)? Range(int length, string a, string b)
    {
        int start = I(a), stop = I(b);
        if (start < 0) start += length;
        if (stop < 0) stop += length;
        if (start < 0) start = 0;
        if (start > stop || start >= length) return null;
        return (start, Math.Min(stop, length - 1));
    }

    public string Apply(string[] op)
    {
        var list = Get(op[1]);
        switch (op[0])
        {
            case "LPUSH" or "RPUSH" or "LPUSHX" or "RPUSHX":
                if (list is null)
                {
                    if (op[0].EndsWith('X')) return "0";
                    _lists[op[1]] = list = [];
                }
                foreach (var v in op[2..])
                    if (op[0][0] == 'L') list.Insert(0, v); else list.Add(v);
                return N(list.Count);
            case "LPOP" or "RPOP":
            {
                if (list is null) return "nil";
                int n = op.Length == 3 ? Math.Min(I(op[2]), list.Count) : 1;
                var popped = new List<string>();
                for (int i = 0; i < n; i++)
                {
                    int at = op[0] == "LPOP" ? 0 : list.Count - 1;
                    popped.Add(list[at]);
                    list.RemoveAt(at);
                }
                Drop(op[1]);
                return op.Length == 3 ? Render(popped) : popped[0];
            }
            case "LLEN":
                return N(list?.Count ?? 0);
            case "LRANGE":
                return list is not null && Range(list.Count, op[2], op[3]) is var (s, e) ? Render(list.GetRange(s, e - s + 1)) : "[]";
            case "LINDEX":
            {
                if (list is null) return "nil";
                int i = I(op[2]);
                if (i < 0) i += list.Count;
                return i >= 0 && i < list.Count ? list[i] : "nil";
            }
            case "LSET":
            {
                if (list is null) return "ERR no such key";
                int i = I(op[2]);
                if (i < 0) i += list.Count;
                if (i < 0 || i >= list.Count) return "ERR index out of range";
                list[i] = op[3];
                return "OK";
            }
            case "LINSERT":
            {
                if (list is null) return "0";
                int at = list.IndexOf(op[3]);
                if (at < 0) return "-1";
                list.Insert(op[2] == "AFTER" ? at + 1 : at, op[4]);
                return N(list.Count);
            }
            case "LREM":
            {
                if (list is null) return "0";
                int count = I(op[2]), removed = 0, limit = count == 0 ? int.MaxValue : Math.Abs(count);
                var order = Enumerable.Range(0, list.Count);
                if (count < 0) order = order.Reverse();
                var drop = order.Where(i => list[i] == op[3]).Take(limit).ToHashSet();
                removed = drop.Count;
                _lists[op[1]] = list = list.Where((_, i) => !drop.Contains(i)).ToList();
                Drop(op[1]);
                return N(removed);
            }
            case "LTRIM":
            {
                if (list is null) return "OK";
                if (Range(list.Count, op[2], op[3]) is var (from, to)) _lists[op[1]] = list.GetRange(from, to - from + 1);
                else _lists.Remove(op[1]);
                return "OK";
            }
            case "LPOS":
            {
                int rank = op.Contains("RANK") ? I(op[Array.IndexOf(op, "RANK") + 1]) : 1;
                int count = op.Contains("COUNT") ? I(op[Array.IndexOf(op, "COUNT") + 1]) : -1;
                if (list is null) return count >= 0 ? "[]" : "nil";
                var order = Enumerable.Range(0, list.Count);
                if (rank < 0) order = order.Reverse();
                var matches = order.Where(i => list[i] == op[2]).Skip(Math.Abs(rank) - 1);
                if (count < 0) return matches.Select(i => N(i)).FirstOrDefault() ?? "nil";
                return Render((count == 0 ? matches : matches.Take(count)).Select(i => N(i)));
            }
            case "LMOVE":
            {
                if (list is null) return "nil";
                int at = op[3] == "LEFT" ? 0 : list.Count - 1;
                string v = list[at];
                list.RemoveAt(at);
                if (!_lists.TryGetValue(op[2], out var to)) _lists[op[2]] = to = [];
                if (op[4] == "LEFT") to.Insert(0, v); else to.Add(v);
                Drop(op[1]);
                return v;
            }
            case "LMPOP":
            {
                string? key = new[] { op[2], op[3] }.FirstOrDefault(k => Get(k) is not null);
                if (key is null) return "nil";
                var popped = Apply([op[4] == "LEFT" ? "LPOP" : "RPOP", key, op[6]]);
                return $"[{key},{popped}]";
            }
        }
        throw new NotSupportedException(op[0]);
    }
}
