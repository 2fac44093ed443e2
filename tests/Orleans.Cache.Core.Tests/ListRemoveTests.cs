using System.Diagnostics;
using System.Globalization;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// LREM in one compaction pass: the same replies and the same list as Redis's element-by-element removal (a model
/// on List&lt;string&gt;), on ring buffers that wrap, for every sign of count, and in time linear in the list.
/// </summary>
public class ListRemoveTests
{
    private static string N(long i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Redis's listTypeDelete loop: walk from the head (count ≥ 0) or the tail, drop up to |count| matches (0: all).</summary>
    private static long ModelLrem(List<string> list, long count, string element)
    {
        long limit = count == 0 ? long.MaxValue : Math.Abs(count), removed = 0;
        if (count >= 0)
        {
            for (int i = 0; i < list.Count && removed < limit;)
                if (list[i] == element) { list.RemoveAt(i); removed++; } else i++;
        }
        else
        {
            for (int i = list.Count - 1; i >= 0 && removed < limit; i--)
                if (list[i] == element) { list.RemoveAt(i); removed++; }
        }
        return removed;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(-1)]
    [InlineData(-7)]
    [InlineData(1_000_000)]
    [InlineData(-1_000_000)]
    public void Lrem_on_a_wrapped_list_matches_the_model(long count)
    {
        var random = new Random(12345 + (int)count);
        for (int round = 0; round < 20; round++)
        {
            var db = new TypesDb();
            var model = new List<string>();
            int size = random.Next(1, 300);
            for (int i = 0; i < size; i++)
            {
                // Pushes at both ends, and some pops, so the ring's head moves and the elements wrap around its end.
                string v = "v" + random.Next(4);
                if (random.Next(3) == 0) { db.Do("LPUSH", "k", v); model.Insert(0, v); }
                else { db.Do("RPUSH", "k", v); model.Add(v); }
                if (random.Next(10) == 0) { db.Do("LPOP", "k"); model.RemoveAt(0); }
            }
            string element = "v" + random.Next(4);
            long expected = ModelLrem(model, count, element);
            Assert.Equal(N(expected), db.Do("LREM", "k", N(count), element));
            Assert.Equal(model.Count == 0 ? "[]" : "[" + string.Join(",", model) + "]", db.Do("LRANGE", "k", "0", "-1"));
            Assert.Equal(model.Count == 0 ? "0" : "1", db.Do("EXISTS", "k"));
            // The list keeps working as a ring after the compaction.
            db.Do("LPUSH", "k", "front");
            db.Do("RPUSH", "k", "back");
            Assert.Equal("front", db.Do("LINDEX", "k", "0"));
            Assert.Equal("back", db.Do("LINDEX", "k", "-1"));
            Assert.Equal(N(model.Count + 2), db.Do("LLEN", "k"));
        }
    }

    [Fact]
    public void Lrem_of_half_a_300k_element_list_is_linear()
    {
        // Element-by-element removal moved about N²/8 elements here: minutes under the partition's lock.
        var db = new TypesDb();
        for (int start = 0; start < 300_000; start += 10_000)
            db.Run(["RPUSH", "k", .. Enumerable.Range(start, 10_000).Select(i => i % 2 == 0 ? "a" : "b")]);
        var clock = Stopwatch.StartNew();
        Assert.Equal("150000", db.Do("LREM", "k", "0", "a"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"LREM took {clock.Elapsed}");
        Assert.Equal("150000", db.Do("LLEN", "k"));
        Assert.Equal("[b,b,b]", db.Do("LRANGE", "k", "0", "2"));
        Assert.Equal("nil", db.Do("LPOS", "k", "a"));
    }
}
