namespace Orleans.Cache.Core;

/// <summary>
/// Redis's glob-style matching (stringmatchlen): * ? [abc] [^a] [a-z] and \ escapes, case-sensitive. It follows Redis
/// to the corner cases: a pattern never matches an empty string unless it is empty too (callers treat a lone "*" as
/// "everything"), an unterminated [class ends with the pattern, and a failed "*" stops earlier stars from retrying, so
/// patterns like "*a*a*a*…b" cost polynomial, not exponential, time.
/// </summary>
internal static class Glob
{
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        bool skipLongerMatches = false;
        return Match(pattern, text, ref skipLongerMatches, 0);
    }

    private static bool Match(ReadOnlySpan<byte> p, ReadOnlySpan<byte> s, ref bool skipLongerMatches, int depth)
    {
        // Redis bounds recursion the same way, so hostile patterns cannot blow the stack.
        if (depth > 1000) return false;
        while (p.Length > 0 && s.Length > 0)
        {
            switch (p[0])
            {
                case (byte)'*':
                    while (p.Length > 1 && p[1] == '*') p = p[1..];
                    if (p.Length == 1) return true;
                    for (; s.Length > 0; s = s[1..])
                    {
                        if (Match(p[1..], s, ref skipLongerMatches, depth + 1)) return true;
                        if (skipLongerMatches) return false;
                    }
                    // The rest of the pattern matches no suffix, so no earlier star can help by matching more.
                    skipLongerMatches = true;
                    return false;
                case (byte)'?':
                    s = s[1..];
                    break;
                case (byte)'[':
                {
                    p = p[1..];
                    bool not = p.Length > 0 && p[0] == '^';
                    if (not) p = p[1..];
                    bool match = false;
                    while (p.Length > 0)
                    {
                        if (p[0] == '\\' && p.Length >= 2)
                        {
                            p = p[1..];
                            if (p[0] == s[0]) match = true;
                        }
                        else if (p[0] == ']') break;
                        else if (p.Length >= 3 && p[1] == '-')
                        {
                            int start = p[0], end = p[2], c = s[0];
                            if (start > end) (start, end) = (end, start);
                            if (c >= start && c <= end) match = true;
                            p = p[2..];
                        }
                        else if (p[0] == s[0]) match = true;
                        p = p[1..];
                    }
                    if (not) match = !match;
                    if (!match) return false;
                    s = s[1..];
                    if (p.Length == 0) return s.Length == 0; // unterminated class: the pattern ends with it
                    break;
                }
                case (byte)'\\':
                    if (p.Length >= 2) p = p[1..];
                    goto default;
                default:
                    if (p[0] != s[0]) return false;
                    s = s[1..];
                    break;
            }
            p = p[1..];
            if (s.Length == 0)
            {
                while (p.Length > 0 && p[0] == '*') p = p[1..];
                break;
            }
        }
        return p.Length == 0 && s.Length == 0;
    }
}
