namespace Orleans.Cache.Core.Scripting;

/// <summary>Lua 5.4 messages reworded as Redis's Lua 5.1 prints them, where the difference is mechanical.</summary>
internal static class LuaText
{
    /// <summary>5.4 says "near &lt;eof&gt;", 5.1 "near '&lt;eof&gt;'".</summary>
    public static string CompileError(string message) => message.Replace("near <eof>", "near '<eof>'");
}
