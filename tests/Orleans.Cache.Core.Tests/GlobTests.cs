using System.Diagnostics;
using System.Text;

namespace Orleans.Cache.Core.Tests;

/// <summary>Glob matching as Redis's stringmatchlen does it; the expected sets are what KEYS answered on redis-server 7.0.15.</summary>
public class GlobTests
{
    private static readonly string[] Keys =
        ["hello", "hallo", "hxllo", "hllo", "heeello", "h*llo", "h[llo", "a]", "ab", "a", "b", "a-", "-", "\\", "a\\b", "abc", "^", "x]", "]"];

    private static bool Match(string pattern, string text) => Glob.IsMatch(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("h?llo", "h*llo h[llo hallo hello hxllo")]
    [InlineData("h*llo", "h*llo h[llo hallo heeello hello hllo hxllo")]
    [InlineData("h[ae]llo", "hallo hello")]
    [InlineData("h[^e]llo", "h*llo h[llo hallo hxllo")]
    [InlineData("h[a-b]llo", "hallo")]
    [InlineData("h[b-a]llo", "hallo")]
    [InlineData("h\\*llo", "h*llo")]
    [InlineData("h\\[llo", "h[llo")]
    [InlineData("h[llo", "")]
    [InlineData("[ab", "a b")]
    [InlineData("[a", "a")]
    [InlineData("a[", "")]
    [InlineData("[]", "")]
    [InlineData("[]]", "")]
    [InlineData("[^]", "- \\ ] ^ a b")]
    [InlineData("[^]]", "a] x]")]
    [InlineData("[a-]", "] ^ a")]
    [InlineData("[-a]", "- a")]
    [InlineData("[\\]]", "]")]
    [InlineData("[\\", "\\")]
    [InlineData("\\", "\\")]
    [InlineData("a\\", "")]
    [InlineData("[a-", "- a")]
    [InlineData("a\\b", "ab")]
    [InlineData("a\\\\b", "a\\b")]
    [InlineData("*]", "] a] x]")]
    [InlineData("[!a]", "a")]
    [InlineData("[^a-z]", "- \\ ] ^")]
    [InlineData("?", "- \\ ] ^ a b")]
    [InlineData("[]a]", "")]
    [InlineData("[x]]", "x]")]
    [InlineData("*[", "")]
    [InlineData("[*", "")]
    [InlineData("a[]", "")]
    [InlineData("[a]]", "a]")]
    [InlineData("a*", "a a- a\\b a] ab abc")]
    [InlineData("a**", "a a- a\\b a] ab abc")]
    [InlineData("*c", "abc")]
    [InlineData("*", "- \\ ] ^ a a- a\\b a] ab abc b h*llo h[llo hallo heeello hello hllo hxllo x]")]
    public void Pattern_matches_the_same_keys_as_Redis_KEYS(string pattern, string expected)
    {
        var matched = Keys.Where(k => Match(pattern, k)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, string.Join(' ', matched));
    }

    [Fact]
    public void Matching_is_case_sensitive()
    {
        Assert.False(Match("HELLO", "hello"));
        Assert.False(Match("h[A-Z]llo", "hello"));
    }

    [Fact]
    public void A_pattern_never_matches_the_empty_string_unless_it_is_empty_as_in_Redis()
    {
        Assert.True(Match("", ""));
        Assert.False(Match("*", ""));
        Assert.False(Match("**", ""));
        Assert.False(Match("?", ""));
        Assert.False(Match("", "a"));
    }

    [Fact]
    public void Matching_is_binary_safe()
    {
        Assert.True(Glob.IsMatch("a?c"u8, [(byte)'a', 0, (byte)'c']));
        Assert.True(Glob.IsMatch([0xFF, (byte)'*'], [0xFF, 1, 2]));
        Assert.False(Glob.IsMatch([0xFE, (byte)'*'], [0xFF, 1, 2]));
    }

    [Fact]
    public async Task Many_stars_that_cannot_match_fail_fast_instead_of_backtracking_exponentially()
    {
        var pattern = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*a", 30)) + "*b");
        var text = Encoding.ASCII.GetBytes(new string('a', 200));
        var watch = Stopwatch.StartNew();
        var task = Task.Run(() => Glob.IsMatch(pattern, text));
        Assert.True(await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10))) == task, "the match did not finish");
        Assert.False(await task);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Many_stars_that_can_match_still_match()
    {
        var pattern = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*a", 30)) + "*");
        Assert.True(Glob.IsMatch(pattern, Encoding.ASCII.GetBytes(new string('a', 200))));
        Assert.False(Glob.IsMatch(pattern, Encoding.ASCII.GetBytes(new string('a', 29))));
    }
}
