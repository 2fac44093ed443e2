namespace Orleans.Cache.Core;

/// <summary>Redis's glob-style matching (stringmatchlen): * ? [abc] [^a] [a-z] and \ escapes, case-sensitive.</summary>
public static class Glob
{
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text) => Match(pattern, text, 0);

    private static bool Match(ReadOnlySpan<byte> p, ReadOnlySpan<byte> s, int depth)
    {
        // Redis bounds recursion the same way, so hostile patterns like "a*a*a*…" cannot blow the stack.
        if (depth > 1000) return false;
        while (p.Length > 0 && s.Length > 0 || p.Length > 0 && p[0] == '*')
        {
            switch (p[0])
            {
                case (byte)'*':
                    while (p.Length > 1 && p[1] == '*') p = p[1..];
                    if (p.Length == 1) return true;
                    for (int i = 0; i <= s.Length; i++)
                        if (Match(p[1..], s[i..], depth + 1)) return true;
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
                    while (true)
                    {
                        if (p.Length == 0) break;
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
                    if (p.Length == 0) return s.Length == 0; // unterminated class: pattern ends here
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
