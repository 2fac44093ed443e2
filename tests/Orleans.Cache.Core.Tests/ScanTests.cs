namespace Orleans.Cache.Core.Tests;

/// <summary>SCAN over one keyspace: Redis's guarantees (every key present for the whole scan is returned, even across resizes), options and errors.</summary>
public class ScanTests
{
    private readonly Session s = new();

    /// <summary>Runs a SCAN to completion, calling <paramref name="between"/> after each step; returns every key seen (duplicates kept).</summary>
    private List<string> FullScan(string[] options, Action<int>? between = null)
    {
        var seen = new List<string>();
        string cursor = "0";
        int step = 0;
        do
        {
            var reply = s.Raw(["SCAN", cursor, .. options]);
            Assert.Equal(ReplyKind.Array, reply.Kind);
            cursor = reply.Items![0].Text!;
            seen.AddRange(reply.Items[1].Items!.Select(i => i.Text!));
            between?.Invoke(step++);
            Assert.True(step < 20_000, "scan does not terminate");
        } while (cursor != "0");
        return seen;
    }

    private void Fill(string prefix, int count)
    {
        for (int i = 0; i < count; i++) s.Run("SET", $"{prefix}:{i}", "v");
    }

    [Fact]
    public void Scan_of_an_empty_keyspace_is_cursor_zero_and_no_keys() =>
        Assert.Equal("[\"0\", []]", s.Run("SCAN", "0"));

    [Fact]
    public void Full_scan_returns_every_key()
    {
        Fill("k", 1000);
        var seen = FullScan([]);
        Assert.Equal(1000, seen.Distinct().Count());
        Assert.All(Enumerable.Range(0, 1000), i => Assert.Contains($"k:{i}", seen));
    }

    [Fact]
    public void Full_scan_returns_every_key_present_throughout_while_the_table_grows()
    {
        Fill("stable", 500);
        var seen = FullScan(["COUNT", "5"], step => { if (step < 60) Fill($"new{step}", 200); });
        Assert.True(s.Db.Count > 10_000);
        var stable = seen.Where(k => k.StartsWith("stable:")).ToHashSet();
        Assert.Equal(500, stable.Count);
    }

    [Fact]
    public void Full_scan_returns_every_key_present_throughout_while_the_table_shrinks()
    {
        Fill("stable", 300);
        Fill("temp", 20_000);
        int next = 0;
        var seen = FullScan(["COUNT", "20"], _ =>
        {
            for (int end = Math.Min(next + 2000, 20_000); next < end; next++) s.Run("DEL", $"temp:{next}");
        });
        Assert.Equal(300, seen.Where(k => k.StartsWith("stable:")).ToHashSet().Count);
        Assert.Equal("(integer) 300", s.Run("DBSIZE"));
    }

    [Fact]
    public void Full_scan_returns_every_stable_key_under_mixed_growth_and_shrinkage()
    {
        var rng = new Random(3);
        Fill("stable", 1000);
        var temp = new List<string>();
        var seen = FullScan(["COUNT", "3"], step =>
        {
            if (step > 400) return;
            if (rng.Next(2) == 0)
                for (int i = 0; i < 300; i++) { var k = $"t{step}:{i}"; s.Run("SET", k, "v"); temp.Add(k); }
            else
                while (temp.Count > 0 && rng.Next(300) != 0) { s.Run("DEL", temp[^1]); temp.RemoveAt(temp.Count - 1); }
        });
        Assert.Equal(1000, seen.Where(k => k.StartsWith("stable:")).ToHashSet().Count);
    }

    [Fact]
    public void Count_is_a_hint_for_how_much_work_a_call_does()
    {
        Fill("k", 100);
        var reply = s.Raw("SCAN", "0", "COUNT", "1000");
        Assert.Equal("0", reply.Items![0].Text);
        Assert.Equal(100, reply.Items[1].Items!.Length);
        var small = s.Raw("SCAN", "0", "COUNT", "1");
        Assert.NotEqual("0", small.Items![0].Text);
        Assert.InRange(small.Items[1].Items!.Length, 1, 10);
    }

    [Fact]
    public void Match_filters_the_keys_returned()
    {
        Fill("user", 50);
        Fill("order", 50);
        var seen = FullScan(["MATCH", "user:*", "COUNT", "7"]);
        Assert.Equal(50, seen.Distinct().Count());
        Assert.All(seen, k => Assert.StartsWith("user:", k));
    }

    [Fact]
    public void The_last_match_option_wins()
    {
        s.Run("MSET", "a", "1", "b", "2");
        Assert.Equal(["b"], FullScan(["MATCH", "a", "MATCH", "b"]));
    }

    [Fact]
    public void Type_filters_by_value_type_ignoring_case()
    {
        Fill("s", 20);
        for (int i = 0; i < 10; i++) s.PutList($"l:{i}");
        Assert.Equal(10, FullScan(["TYPE", "list"]).Distinct().Count());
        Assert.Equal(20, FullScan(["TYPE", "STRING"]).Distinct().Count());
        Assert.Empty(FullScan(["TYPE", "foo"]));
        Assert.Equal(["l:3"], FullScan(["TYPE", "list", "MATCH", "*3"]));
    }

    [Theory]
    [InlineData("(error) ERR syntax error", "COUNT", "0")]
    [InlineData("(error) ERR syntax error", "COUNT", "-1")]
    [InlineData("(error) ERR value is not an integer or out of range", "COUNT", "abc")]
    [InlineData("(error) ERR value is not an integer or out of range", "COUNT", "9999999999999999999")]
    [InlineData("(error) ERR syntax error", "COUNT")]
    [InlineData("(error) ERR syntax error", "MATCH")]
    [InlineData("(error) ERR syntax error", "TYPE")]
    [InlineData("(error) ERR syntax error", "FOO", "bar")]
    [InlineData("(error) ERR syntax error", "MATCH", "*", "COUNT")]
    public void Scan_option_errors(string expected, params string[] options) =>
        Assert.Equal(expected, s.Run(["SCAN", "0", .. options]));

    [Theory]
    [InlineData("abc")]
    [InlineData(" 0")]
    [InlineData("0 ")]
    [InlineData("1.5")]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData("18446744073709551616")]
    public void Scan_with_a_malformed_cursor_is_invalid(string cursor) =>
        Assert.Equal("(error) ERR invalid cursor", s.Run("SCAN", cursor));

    [Theory]
    [InlineData("")]
    [InlineData("+0")]
    [InlineData("-0")]
    public void Scan_reads_the_cursor_as_strtoul_does(string cursor)
    {
        s.Run("SET", "a", "1");
        Assert.Equal("[\"0\", [\"a\"]]", s.Run("SCAN", cursor));
    }

    [Theory]
    [InlineData("-1", ulong.MaxValue)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("-18446744073709551615", 1UL)]
    [InlineData("42", 42UL)]
    public void Cursor_parsing_wraps_negative_values_like_strtoul(string text, ulong expected)
    {
        Assert.True(KeyCommands.TryCursor(System.Text.Encoding.ASCII.GetBytes(text), out var cursor));
        Assert.Equal(expected, cursor);
    }

    [Fact]
    public void Scan_with_the_largest_cursor_ends_the_scan()
    {
        s.Run("SET", "a", "1");
        Assert.Equal("0", s.Raw("SCAN", "18446744073709551615").Items![0].Text);
    }
}
