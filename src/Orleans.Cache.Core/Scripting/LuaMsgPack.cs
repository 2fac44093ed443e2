using System.Buffers.Binary;
using KeraLua;

namespace Orleans.Cache.Core.Scripting;

/// <summary>
/// The C# half of Redis's <c>cmsgpack</c> table, written for this project from the MessagePack specification with
/// lua-cmsgpack's choices: integral numbers take the smallest integer encoding, other numbers a float32 when exact,
/// a table with keys 1..n is an array (an empty one too), anything else a map; nesting past 16 packs as nil.
/// </summary>
internal static class LuaMsgPack
{
    private const int MaxNesting = 16;

    /// <summary>cmsgpack.pack(...): every argument packed, one after the other.</summary>
    public static int Pack(IntPtr state)
    {
        var l = Lua.FromIntPtr(state);
        var output = new List<byte>();
        int n = l.GetTop();
        for (int i = 1; i <= n; i++) PackValue(l, i, output, 0);
        l.PushBuffer([.. output]);
        return 1;
    }

    private static void PackValue(Lua l, int index, List<byte> o, int level)
    {
        index = l.AbsIndex(index);
        switch (l.Type(index))
        {
            case LuaType.Boolean:
                o.Add(l.ToBoolean(index) ? (byte)0xc3 : (byte)0xc2);
                break;
            case LuaType.Number:
                if (l.IsInteger(index)) PackInteger(l.ToInteger(index), o);
                else PackNumber(l.ToNumber(index), o);
                break;
            case LuaType.String:
                PackBytes(l.ToBuffer(index, false) ?? [], o);
                break;
            case LuaType.Table when level < MaxNesting:
                PackTable(l, index, o, level + 1);
                break;
            default:
                o.Add(0xc0);
                break;
        }
    }

    private static void PackNumber(double d, List<byte> o)
    {
        if (d == Math.Floor(d) && d is >= -9.2e18 and <= 1.8e19)
        {
            if (d >= 0 && d > long.MaxValue) PackUnsigned((ulong)d, o);
            else PackInteger((long)d, o);
        }
        else if ((double)(float)d == d || double.IsNaN(d))
        {
            o.Add(0xca);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleBigEndian(b, (float)d);
            o.AddRange(b);
        }
        else
        {
            o.Add(0xcb);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleBigEndian(b, d);
            o.AddRange(b);
        }
    }

    private static void PackInteger(long v, List<byte> o)
    {
        if (v >= 0)
        {
            PackUnsigned((ulong)v, o);
            return;
        }
        if (v >= -32) o.Add((byte)(sbyte)v);
        else if (v >= sbyte.MinValue) { o.Add(0xd0); o.Add((byte)(sbyte)v); }
        else if (v >= short.MinValue) { o.Add(0xd1); Put(o, (ulong)(ushort)(short)v, 2); }
        else if (v >= int.MinValue) { o.Add(0xd2); Put(o, (uint)(int)v, 4); }
        else { o.Add(0xd3); Put(o, (ulong)v, 8); }
    }

    private static void PackUnsigned(ulong v, List<byte> o)
    {
        if (v < 128) o.Add((byte)v);
        else if (v <= byte.MaxValue) { o.Add(0xcc); o.Add((byte)v); }
        else if (v <= ushort.MaxValue) { o.Add(0xcd); Put(o, v, 2); }
        else if (v <= uint.MaxValue) { o.Add(0xce); Put(o, v, 4); }
        else { o.Add(0xcf); Put(o, v, 8); }
    }

    private static void Put(List<byte> o, ulong v, int bytes)
    {
        for (int i = bytes - 1; i >= 0; i--) o.Add((byte)(v >> (8 * i)));
    }

    private static void PackBytes(byte[] s, List<byte> o)
    {
        if (s.Length < 32) o.Add((byte)(0xa0 | s.Length));
        else if (s.Length <= byte.MaxValue) { o.Add(0xd9); o.Add((byte)s.Length); }
        else if (s.Length <= ushort.MaxValue) { o.Add(0xda); Put(o, (ulong)s.Length, 2); }
        else { o.Add(0xdb); Put(o, (ulong)s.Length, 4); }
        o.AddRange(s);
    }

    private static void PackTable(Lua l, int index, List<byte> o, int level)
    {
        l.CheckStack(4);
        // An array when the keys are exactly 1..n.
        long count = 0, max = 0;
        bool array = true;
        l.PushNil();
        while (l.Next(index))
        {
            l.Pop(1);
            count++;
            if (l.IsInteger(-1) && l.ToInteger(-1) >= 1) max = Math.Max(max, l.ToInteger(-1));
            else array = false;
        }
        if (array && max == count)
        {
            PackHeader(count, 0x90, 0xdc, o);
            for (long i = 1; i <= count; i++)
            {
                l.RawGetInteger(index, i);
                PackValue(l, -1, o, level);
                l.Pop(1);
            }
            return;
        }
        PackHeader(count, 0x80, 0xde, o);
        l.PushNil();
        while (l.Next(index))
        {
            PackValue(l, -2, o, level);
            PackValue(l, -1, o, level);
            l.Pop(1);
        }
    }

    private static void PackHeader(long count, byte fix, byte code16, List<byte> o)
    {
        if (count < 16) o.Add((byte)(fix | count));
        else if (count <= ushort.MaxValue) { o.Add(code16); Put(o, (ulong)count, 2); }
        else { o.Add((byte)(code16 + 1)); Put(o, (ulong)count, 4); }
    }

    /// <summary>cmsgpack.unpack(s): (true, values...) or (false, error).</summary>
    public static int Unpack(IntPtr state)
    {
        var l = Lua.FromIntPtr(state);
        var s = l.ToBuffer(1, false) ?? [];
        int top = l.GetTop();
        l.PushBoolean(true);
        int pos = 0, count = 0;
        while (pos < s.Length)
        {
            l.CheckStack(8);
            string? error = UnpackValue(l, s, ref pos, 0);
            if (error is not null)
            {
                l.SetTop(top);
                l.PushBoolean(false);
                l.PushString(error);
                return 2;
            }
            count++;
        }
        return count + 1;
    }

    private const string Missing = "Missing bytes in input.";
    private const string BadFormat = "Bad data format in input.";

    private static string? UnpackValue(Lua l, byte[] s, ref int pos, int depth)
    {
        if (pos >= s.Length) return Missing;
        if (depth > 1000) return BadFormat;
        byte c = s[pos++];
        if (c < 0x80) { l.PushInteger(c); return null; }
        if (c >= 0xe0) { l.PushInteger((sbyte)c); return null; }
        if (c is >= 0xa0 and <= 0xbf) return Str(l, s, ref pos, c & 0x1f);
        if (c is >= 0x90 and <= 0x9f) return Array(l, s, ref pos, c & 0x0f, depth);
        if (c is >= 0x80 and <= 0x8f) return Map(l, s, ref pos, c & 0x0f, depth);
        switch (c)
        {
            case 0xc0: l.PushNil(); return null;
            case 0xc2: l.PushBoolean(false); return null;
            case 0xc3: l.PushBoolean(true); return null;
            case 0xca:
                if (!Take(s, ref pos, 4, out var f)) return Missing;
                l.PushNumber(BinaryPrimitives.ReadSingleBigEndian(f));
                return null;
            case 0xcb:
                if (!Take(s, ref pos, 8, out var d)) return Missing;
                l.PushNumber(BinaryPrimitives.ReadDoubleBigEndian(d));
                return null;
            case 0xcc:
            case 0xcd:
            case 0xce:
            case 0xcf:
            {
                int size = 1 << (c - 0xcc);
                if (!Take(s, ref pos, size, out var b)) return Missing;
                ulong v = Read(b);
                if (v > long.MaxValue) l.PushNumber(v);
                else l.PushInteger((long)v);
                return null;
            }
            case 0xd0:
            case 0xd1:
            case 0xd2:
            case 0xd3:
            {
                int size = 1 << (c - 0xd0);
                if (!Take(s, ref pos, size, out var b)) return Missing;
                ulong v = Read(b);
                int shift = 64 - 8 * size;
                l.PushInteger((long)(v << shift) >> shift);
                return null;
            }
            case 0xd9:
            case 0xda:
            case 0xdb:
            case 0xc4:
            case 0xc5:
            case 0xc6:
            {
                int size = c >= 0xd9 ? 1 << (c - 0xd9) : 1 << (c - 0xc4);
                if (!Take(s, ref pos, size, out var b)) return Missing;
                return Str(l, s, ref pos, (long)Read(b));
            }
            case 0xdc:
            case 0xdd:
            {
                if (!Take(s, ref pos, c == 0xdc ? 2 : 4, out var b)) return Missing;
                return Array(l, s, ref pos, (long)Read(b), depth);
            }
            case 0xde:
            case 0xdf:
            {
                if (!Take(s, ref pos, c == 0xde ? 2 : 4, out var b)) return Missing;
                return Map(l, s, ref pos, (long)Read(b), depth);
            }
            default:
                return BadFormat;
        }
    }

    private static bool Take(byte[] s, ref int pos, long count, out ReadOnlySpan<byte> bytes)
    {
        if (pos + count > s.Length)
        {
            bytes = default;
            return false;
        }
        bytes = s.AsSpan(pos, (int)count);
        pos += (int)count;
        return true;
    }

    private static ulong Read(ReadOnlySpan<byte> b)
    {
        ulong v = 0;
        foreach (byte x in b) v = (v << 8) | x;
        return v;
    }

    private static string? Str(Lua l, byte[] s, ref int pos, long length)
    {
        if (!Take(s, ref pos, length, out var b)) return Missing;
        l.PushBuffer(b.ToArray());
        return null;
    }

    private static string? Array(Lua l, byte[] s, ref int pos, long count, int depth)
    {
        l.CheckStack(4);
        l.CreateTable((int)Math.Min(count, 1024), 0);
        for (long i = 1; i <= count; i++)
        {
            string? error = UnpackValue(l, s, ref pos, depth + 1);
            if (error is not null) return error;
            l.RawSetInteger(-2, i);
        }
        return null;
    }

    private static string? Map(Lua l, byte[] s, ref int pos, long count, int depth)
    {
        l.CheckStack(4);
        l.CreateTable(0, (int)Math.Min(count, 1024));
        for (long i = 0; i < count; i++)
        {
            string? error = UnpackValue(l, s, ref pos, depth + 1) ?? UnpackValue(l, s, ref pos, depth + 1);
            if (error is not null) return error;
            if (l.Type(-2) == LuaType.Nil || (l.Type(-2) == LuaType.Number && double.IsNaN(l.ToNumber(-2)))) l.Pop(2);
            else l.RawSet(-3);
        }
        return null;
    }
}
