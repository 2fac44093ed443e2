using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

/// <summary>The counted B+tree against a sorted list: growing to thousands of keys, churning, and shrinking to nothing.</summary>
public class ScoreTreeTests
{
    private static int Compare((double Score, string Member) a, (double Score, string Member) b) =>
        a.Score < b.Score ? -1 : a.Score > b.Score ? 1 : string.CompareOrdinal(a.Member, b.Member);

    [Theory]
    [InlineData(4, 3000)]
    [InlineData(7, 3000)]
    [InlineData(ScoreTree.DefaultCapacity, 20_000)]
    public void Ranks_positions_and_walks_match_a_sorted_list(int capacity, int members)
    {
        var random = new Random(capacity);
        var tree = new ScoreTree(capacity);
        var scores = new Dictionary<string, double>();
        // Ascending appends first (the right-edge split), then random churn growing, steady, and shrinking to empty.
        for (int i = 0; i < members / 4; i++) Insert("a" + i.ToString("D6"), 1e9 + i);
        Check();
        foreach (var (steps, insertOdds) in new[] { (members * 2, 0.8), (members * 2, 0.5), (members * 6, 0.1) })
        {
            for (int step = 0; step < steps; step++)
            {
                string member = "m" + random.Next(members);
                double score = random.Next(members / 8) / 4.0 - 100; // many ties, so members break them
                if (!scores.TryGetValue(member, out double current))
                {
                    if (random.NextDouble() < insertOdds) Insert(member, score);
                }
                else if (random.NextDouble() < insertOdds)
                {
                    // Small moves (ZINCRBY-like, often in place) and arbitrary ones.
                    double next = random.Next(2) == 0 ? current + random.Next(-2, 3) / 4.0 : score;
                    if (next != current) { tree.UpdateScore(current, Bytes(member), next); scores[member] = next; }
                }
                else
                {
                    tree.Delete(current, Bytes(member));
                    scores.Remove(member);
                }
                if (step % (members / 4) == 0) Check();
            }
            Check();
        }
        foreach (var (member, score) in scores.ToList()) { tree.Delete(score, Bytes(member)); scores.Remove(member); }
        Check();

        void Insert(string member, double score)
        {
            tree.Insert(score, Bytes(member));
            scores[member] = score;
        }

        void Check()
        {
            tree.Validate();
            var sorted = scores.Select(p => (Score: p.Value, Member: p.Key)).ToList();
            sorted.Sort(Compare);
            Assert.Equal(sorted.Count, tree.Count);
            Assert.Equal(sorted.Select(p => p.Member), tree.Select(e => Encoding.ASCII.GetString(e.Member)));
            for (int i = 0; i < sorted.Count; i += 1 + i % 7)
            {
                var (score, member) = sorted[i];
                Assert.Equal(i, tree.Rank(score, Bytes(member)));
                Assert.Equal(member, Encoding.ASCII.GetString(tree.At(i).Member));
            }
            if (sorted.Count == 0) return;
            int from = random.Next(sorted.Count);
            Assert.Equal(sorted.Skip(from).Take(50).Select(p => p.Member),
                tree.From(from, false).Take(50).Select(e => Encoding.ASCII.GetString(e.Member)));
            Assert.Equal(sorted.Take(from + 1).Reverse().Take(50).Select(p => p.Member),
                tree.From(from, true).Take(50).Select(e => Encoding.ASCII.GetString(e.Member)));
            var copied = new List<ZEntry>();
            int to = Math.Min(sorted.Count - 1, from + 70);
            tree.CopyRange(from, to, false, copied);
            Assert.Equal(sorted.Skip(from).Take(to - from + 1).Select(p => p.Member), copied.Select(e => Encoding.ASCII.GetString(e.Member)));
            copied.Clear();
            tree.CopyRange(from, to, true, copied);
            Assert.Equal(sorted.AsEnumerable().Reverse().Skip(from).Take(to - from + 1).Select(p => p.Member),
                copied.Select(e => Encoding.ASCII.GetString(e.Member)));
            double pivot = sorted[from].Score;
            Assert.Equal(sorted.Count(p => p.Score < pivot), tree.CountWhile(new Below(pivot)));
        }
    }

    private static byte[] Bytes(string s) => Encoding.ASCII.GetBytes(s);

    private readonly struct Below(double score) : IKeyTest
    {
        public bool Holds(double s, byte[] member) => s < score;
    }
}
