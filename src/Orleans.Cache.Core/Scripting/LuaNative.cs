using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Orleans.Cache.Core.Scripting;

/// <summary>
/// The few Lua C API calls a tracked lookup (<see cref="ScriptEngine"/>'s <c>P.index_of</c>) makes, straight on the
/// state pointer: KeraLua's wrapper would allocate a <c>Lua</c> object per call on a coroutine, and its
/// <c>lua_Debug</c> is marshalled. <see cref="Line"/> is what <c>debug.getinfo(level, 'l')</c> gives, without a table.
/// </summary>
internal static class LuaNative
{
    /// <summary>The current line of the function <paramref name="level"/> frames up (0 = the running C function), or null.</summary>
    public static int? Line(IntPtr state, int level)
    {
        var debug = default(Debug);
        if (lua_getstack(state, level, ref debug) == 0 || lua_getinfo(state, LineOption, ref debug) == 0) return null;
        return debug.CurrentLine;
    }

    /// <summary>lua_pushvalue then lua_rawget on <paramref name="table"/>: pushes table[stack[key]] without metamethods.</summary>
    public static void RawGetByKeyAt(IntPtr state, int table, int key)
    {
        lua_pushvalue(state, key);
        _ = lua_rawget(state, table); // the type of the value pushed; the caller reads the value itself
    }

    /// <summary>Switches the state's collector to generational mode with Lua's default parameters (LUA_GCGEN, 0, 0).</summary>
    public static void Generational(IntPtr state) => _ = lua_gc(state, 10, 0, 0);

    // "l\0", for lua_getinfo; allocated once for the process.
    private static readonly IntPtr LineOption = Marshal.StringToHGlobalAnsi("l");

    // Lua 5.4's lua_Debug (lua.h), public part then private part; blittable, so it is passed without marshalling.
    [StructLayout(LayoutKind.Sequential)]
    private struct Debug
    {
        public int Event;
        public IntPtr Name, NameWhat, What, Source;
        public nuint SourceLength;
        public int CurrentLine, LineDefined, LastLineDefined;
        public byte Upvalues, Parameters, IsVararg, IsTailCall;
        public ushort FirstTransferred, Transferred;
        public ShortSource ShortSource;
        public IntPtr CallInfo;
    }

    [InlineArray(60)] // LUA_IDSIZE
    private struct ShortSource
    {
        private byte _first;
    }

    // The native library KeraLua ships (liblua54): the same states KeraLua drives.
    private const string Library = "lua54";

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int lua_getstack(IntPtr state, int level, ref Debug debug);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int lua_getinfo(IntPtr state, IntPtr what, ref Debug debug);

    // lua_gc is variadic; LUA_GCGEN reads two ints (minor and major multipliers, 0 = default).
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int lua_gc(IntPtr state, int what, int minor, int major);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern void lua_pushvalue(IntPtr state, int index);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int lua_rawget(IntPtr state, int index);
}
