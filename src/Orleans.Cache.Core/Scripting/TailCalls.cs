namespace Orleans.Cache.Core.Scripting;

/// <summary>
/// Lets most scripts run without the tracked <c>redis</c> table. Lua 5.4 drops a script's frame on
/// <c>return redis.call(...)</c> (a tail call into the prelude's Lua wrapper; Redis's 5.1 calls a C function, which keeps
/// it), so an error raised there cannot name the script's line unless every lookup of <c>redis.call</c> notes its line
/// first — a call into C# per lookup. A script in which <c>redis</c> appears only as <c>redis.name(</c> never needs that:
/// its <c>return redis.name(...)</c> at the end of a block is compiled as <c>return (redis.name(...))</c> (the same single
/// value, but no tail call, so the frame and its line stay), and it runs with a plain <c>redis</c> table. Other scripts
/// (an alias such as <c>local call = redis.call</c>, a local named redis, method syntax) keep the tracked table.
/// Only parentheses are inserted, on the same line, so lines and the script's sha do not change.
/// </summary>
internal static class TailCalls
{
    private enum Kind : byte { Name, Symbol, Other }

    private readonly record struct Token(Kind Kind, int Start, int End);

    /// <summary>
    /// True when <paramref name="code"/> may run with the plain <c>redis</c> table; then <paramref name="rewritten"/> is the
    /// code to compile (<paramref name="code"/> itself when it has no such tail call). False when it may not, or when it
    /// does not lex as Lua (the compiler then gives its error on the original).
    /// </summary>
    public static bool TryRewrite(byte[] code, out byte[] rewritten)
    {
        rewritten = code;
        var tokens = Lex(code);
        if (tokens is null) return false;
        var inserts = new List<(int At, byte Paren)>();
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!IsName(code, tokens[i], "redis") || (i > 0 && IsSymbol(code, tokens[i - 1], '.', ':'))) continue;
            // redis.name( and nothing else; a field named redis (t.redis) is not the global.
            if (i + 3 >= tokens.Count || !IsSymbol(code, tokens[i + 1], '.') || tokens[i + 2].Kind != Kind.Name || !IsSymbol(code, tokens[i + 3], '('))
                return false;
            if (i == 0 || !IsName(code, tokens[i - 1], "return")) continue;
            int close = Matching(code, tokens, i + 3);
            if (close < 0) return false;
            bool last = close + 1 == tokens.Count || IsSymbol(code, tokens[close + 1], ';') ||
                IsName(code, tokens[close + 1], "end") || IsName(code, tokens[close + 1], "else") ||
                IsName(code, tokens[close + 1], "elseif") || IsName(code, tokens[close + 1], "until");
            if (!last) continue;
            inserts.Add((tokens[i].Start, (byte)'('));
            inserts.Add((tokens[close].End, (byte)')'));
        }
        if (inserts.Count == 0) return true;
        var output = new byte[code.Length + inserts.Count];
        int from = 0, to = 0;
        foreach (var (at, paren) in inserts)
        {
            code.AsSpan(from, at - from).CopyTo(output.AsSpan(to));
            to += at - from;
            output[to++] = paren;
            from = at;
        }
        code.AsSpan(from).CopyTo(output.AsSpan(to));
        rewritten = output;
        return true;
    }

    private static int Matching(byte[] code, List<Token> tokens, int open)
    {
        int depth = 0;
        for (int i = open; i < tokens.Count; i++)
        {
            if (IsSymbol(code, tokens[i], '(')) depth++;
            else if (IsSymbol(code, tokens[i], ')') && --depth == 0) return i;
        }
        return -1;
    }

    private static bool IsName(byte[] code, Token t, string name)
    {
        if (t.Kind != Kind.Name || t.End - t.Start != name.Length) return false;
        for (int i = 0; i < name.Length; i++)
            if (code[t.Start + i] != name[i]) return false; // Lua's names are case-sensitive
        return true;
    }

    private static bool IsSymbol(byte[] code, Token t, char a, char b = '\0') =>
        t.Kind == Kind.Symbol && (code[t.Start] == a || (b != '\0' && code[t.Start] == b));

    /// <summary>Lua's tokens, as far as this needs them (names, one-character symbols, and the rest); null when it does not lex.</summary>
    private static List<Token>? Lex(byte[] s)
    {
        var tokens = new List<Token>();
        int i = 0, n = s.Length;
        while (i < n)
        {
            byte c = s[i];
            if (c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\f' or (byte)'\v') { i++; continue; }
            int start = i;
            if (c == '-' && i + 1 < n && s[i + 1] == '-')
            {
                i += 2;
                if (LongBracket(s, i) is int level) { i = CloseLongBracket(s, i, level); if (i < 0) return null; }
                else while (i < n && s[i] != '\n') i++;
                continue;
            }
            if (c == '[' && LongBracket(s, i) is int strLevel)
            {
                i = CloseLongBracket(s, i, strLevel);
                if (i < 0) return null;
                tokens.Add(new Token(Kind.Other, start, i));
                continue;
            }
            if (c is (byte)'\'' or (byte)'"')
            {
                for (i++; ; i++)
                {
                    if (i >= n || s[i] == '\n') return null;
                    if (s[i] == '\\') { i++; continue; }
                    if (s[i] == c) { i++; break; }
                }
                tokens.Add(new Token(Kind.Other, start, i));
                continue;
            }
            if (char.IsAsciiLetter((char)c) || c == '_')
            {
                while (i < n && (char.IsAsciiLetterOrDigit((char)s[i]) || s[i] == '_')) i++;
                tokens.Add(new Token(Kind.Name, start, i));
                continue;
            }
            if (char.IsAsciiDigit((char)c) || (c == '.' && i + 1 < n && char.IsAsciiDigit((char)s[i + 1])))
            {
                for (i++; i < n; i++)
                {
                    byte d = s[i];
                    if (char.IsAsciiLetterOrDigit((char)d) || d == '.' || d == '_') continue;
                    if ((d is (byte)'+' or (byte)'-') && s[i - 1] is (byte)'e' or (byte)'E' or (byte)'p' or (byte)'P') continue;
                    break;
                }
                tokens.Add(new Token(Kind.Other, start, i));
                continue;
            }
            if (c >= 0x80) return null;
            tokens.Add(new Token(Kind.Symbol, start, ++i));
        }
        return tokens;
    }

    /// <summary>The level of a long bracket opening at <paramref name="i"/> ([[, [=[, …), or null.</summary>
    private static int? LongBracket(byte[] s, int i)
    {
        if (i >= s.Length || s[i] != '[') return null;
        int j = i + 1;
        while (j < s.Length && s[j] == '=') j++;
        return j < s.Length && s[j] == '[' ? j - i - 1 : null;
    }

    /// <summary>Just past the long bracket of <paramref name="level"/> closing what opens at <paramref name="i"/>; -1 when it never closes.</summary>
    private static int CloseLongBracket(byte[] s, int i, int level)
    {
        for (int j = i + level + 2; j < s.Length; j++)
        {
            if (s[j] != ']') continue;
            int k = j + 1;
            while (k < s.Length && s[k] == '=') k++;
            if (k - j - 1 == level && k < s.Length && s[k] == ']') return k + 1;
        }
        return -1;
    }
}
