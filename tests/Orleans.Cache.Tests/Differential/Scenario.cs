using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Cache.Tests.Differential;

/// <summary>One command of a scenario: the connection that sends it ("A", "B" …) and its arguments.</summary>
public sealed record Step(string Conn, string[] Argv)
{
    /// <summary>
    /// Parses "B: SET @k 1" (connection "A" when there is no "X:" prefix). Arguments split on spaces like redis-cli:
    /// "double quotes" take \" \\ \n \r \t escapes, 'single quotes' are literal. Every "@" becomes the run's key prefix.
    /// </summary>
    public static Step Parse(string line)
    {
        var conn = "A";
        var match = Regex.Match(line, "^([A-Z]):\\s*");
        if (match.Success)
        {
            conn = match.Groups[1].Value;
            line = line[match.Length..];
        }
        return new Step(conn, Split(line).ToArray());
    }

    public override string ToString() => $"{Conn}> {string.Join(' ', Argv.Select(Quote))}";

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => c > ' ' && c < 0x7f && c != '"' && c != '\'')
            ? arg
            : "\"" + arg.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r") + "\"";

    private static IEnumerable<string> Split(string line)
    {
        int i = 0;
        while (true)
        {
            while (i < line.Length && line[i] == ' ') i++;
            if (i == line.Length) yield break;
            var arg = new StringBuilder();
            if (line[i] == '"')
            {
                for (i++; line[i] != '"'; i++)
                    arg.Append(line[i] != '\\' ? line[i] : line[++i] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', var c => c });
                i++;
            }
            else if (line[i] == '\'')
            {
                int close = line.IndexOf('\'', i + 1);
                arg.Append(line, i + 1, close - i - 1);
                i = close + 1;
            }
            else
            {
                while (i < line.Length && line[i] != ' ') arg.Append(line[i++]);
            }
            yield return arg.ToString();
        }
    }
}

/// <summary>
/// A named list of commands over one or more connections, run against two servers with every reply compared byte for
/// byte. Keys are written "@name": "@" becomes "{prefix}" with a fresh prefix per run (one hash tag, so every key of a
/// scenario is in one slot). A scenario that must tolerate a difference says so with <see cref="Normalize"/>.
/// </summary>
public sealed class Scenario(string name, params string[] lines)
{
    public string Name { get; } = name;

    public IReadOnlyList<Step> Steps { get; private init; } = lines.Select(Step.Parse).ToArray();

    /// <summary>Regex replacements applied to both replies before they are compared (none by default).</summary>
    public IReadOnlyList<(Regex Pattern, string Replacement)> Normalizations { get; private init; } = [];

    public Scenario Normalize(string pattern, string replacement) =>
        new(Name) { Steps = Steps, Normalizations = [.. Normalizations, (new Regex(pattern), replacement)] };

    public override string ToString() => Name;
}

/// <summary>Theory rows of (scenario name, protocol) over a list of scenarios, and the lookup back.</summary>
public static class Scenarios
{
    public static TheoryData<string, int> Rows(IEnumerable<Scenario> scenarios)
    {
        var rows = new TheoryData<string, int>();
        foreach (var s in scenarios)
            foreach (var protocol in new[] { 2, 3 })
                rows.Add(s.Name, protocol);
        return rows;
    }

    public static Scenario Find(IEnumerable<Scenario> scenarios, string name) => scenarios.Single(s => s.Name == name);
}
