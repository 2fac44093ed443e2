using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

/// <summary>The aggregate types' table against a dictionary plus an insertion-ordered list.</summary>
public class DictTests
{
    [Fact]
    public void Lookups_order_and_scans_match_a_model_through_growth_churn_and_shrinking()
    {
        var random = new Random(5);
        var dict = new Dict<int>();
        var values = new Dictionary<string, int>();
        var order = new List<string>();
        foreach (var (steps, addOdds) in new[] { (20_000, 0.9), (40_000, 0.5), (30_000, 0.05) })
        {
            for (int step = 0; step < steps; step++)
            {
                // Keys that collide in the low hash bits are likely among 5000, so probe runs wrap and shift.
                string key = "k" + random.Next(5000);
                var bytes = Encoding.ASCII.GetBytes(key); // a fresh array: lookups compare bytes, not references
                if (random.NextDouble() < addOdds)
                {
                    int value = random.Next();
                    Assert.Equal(!values.ContainsKey(key), dict.Set(bytes, value));
                    if (!values.ContainsKey(key)) order.Add(key);
                    values[key] = value;
                }
                else
                {
                    Assert.Equal(values.Remove(key), dict.Remove(bytes));
                    order.Remove(key);
                }
                if (step % 997 == 0) Check();
            }
            Check();
        }

        void Check()
        {
            Assert.Equal(values.Count, dict.Count);
            Assert.Equal(order, dict.Select(p => Encoding.ASCII.GetString(p.Key)));
            foreach (var (key, value) in values)
            {
                Assert.True(dict.TryGetValue(Encoding.ASCII.GetBytes(key), out int found));
                Assert.Equal(value, found);
            }
            Assert.False(dict.ContainsKey("absent"u8.ToArray()));
            var scanned = new List<KeyValuePair<byte[], int>>();
            ulong cursor = 0;
            do cursor = dict.Scan(cursor, 10, 0, scanned); while (cursor != 0);
            Assert.Equal(order, scanned.Select(p => Encoding.ASCII.GetString(p.Key)));
            if (values.Count > 0) Assert.True(values.ContainsKey(Encoding.ASCII.GetString(dict.Random(random).Key)));
        }
    }
}
