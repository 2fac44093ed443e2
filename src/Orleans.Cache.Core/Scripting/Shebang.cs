using System.Text;

namespace Orleans.Cache.Core.Scripting;

/// <summary>The '#!lua ...' first line of an EVAL script or a function library, parsed as Redis 7 does.</summary>
internal static class Shebang
{
    private static readonly HashSet<string> KnownFlags =
        ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"];

    /// <summary>
    /// Parses an EVAL body's optional shebang; returns Redis's error or null. <paramref name="code"/> is what Lua
    /// compiles: the body, with the shebang line turned into a comment so line numbers stay those of the body.
    /// </summary>
    public static Reply? ParseScript(byte[] body, out bool noWrites, out byte[] code)
    {
        noWrites = false;
        code = body;
        if (!StartsWithShebang(body)) return null;
        int end = Array.IndexOf(body, (byte)'\n');
        if (end < 0) return Reply.Error("ERR Invalid script shebang");
        var parts = Encoding.UTF8.GetString(body, 0, end).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] != "#!lua")
            return Reply.Error("ERR Unexpected engine in script shebang: " + (parts.Length == 0 ? "" : parts[0]));
        foreach (var part in parts.Skip(1))
        {
            if (!part.StartsWith("flags=", StringComparison.Ordinal)) return Reply.Error("ERR Unknown lua shebang option: " + part);
            foreach (var flag in part[6..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!KnownFlags.Contains(flag)) return Reply.Error("ERR Unexpected flag in script shebang: " + flag);
                if (flag == "no-writes") noWrites = true;
            }
        }
        code = Commented(body);
        return null;
    }

    /// <summary>Parses a library's required '#!&lt;engine&gt; name=&lt;lib&gt;' line; returns Redis's error or null.</summary>
    public static Reply? ParseLibrary(byte[] body, out string name, out byte[] code)
    {
        name = "";
        code = body;
        if (!StartsWithShebang(body)) return Reply.Error("ERR Missing library metadata");
        int end = Array.IndexOf(body, (byte)'\n');
        if (end < 0) return Reply.Error("ERR Invalid library metadata");
        var parts = Encoding.UTF8.GetString(body, 0, end).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return Reply.Error("ERR Invalid library metadata");
        string engine = parts[0][2..];
        string? found = null;
        foreach (var part in parts.Skip(1))
        {
            if (part.StartsWith("name=", StringComparison.OrdinalIgnoreCase))
            {
                if (found is not null) return Reply.Error("ERR Invalid metadata value, name argument was given multiple times");
                found = part[5..];
                continue;
            }
            return Reply.Error("ERR Invalid metadata value given: " + part);
        }
        if (found is null) return Reply.Error("ERR Library name was not given");
        if (!engine.Equals("lua", StringComparison.OrdinalIgnoreCase)) return Reply.Error($"ERR Engine '{engine}' not found");
        if (!IsValidName(found)) return Reply.Error("ERR " + ScriptErrors.BadLibraryName);
        name = found;
        code = Commented(body);
        return null;
    }

    /// <summary>Letters, digits and underscores, at least one: Redis's rule for library and function names.</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_');

    private static bool StartsWithShebang(byte[] body) => body.Length >= 2 && body[0] == '#' && body[1] == '!';

    // "--" in front makes the shebang line a Lua comment ("--#!lua ..."), keeping every later line's number.
    private static byte[] Commented(byte[] body)
    {
        var code = new byte[body.Length + 2];
        code[0] = (byte)'-';
        code[1] = (byte)'-';
        body.CopyTo(code, 2);
        return code;
    }
}
