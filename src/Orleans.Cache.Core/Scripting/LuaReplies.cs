using System.Text;
using KeraLua;

namespace Orleans.Cache.Core.Scripting;

/// <summary>
/// Lua ↔ RESP conversion as Redis documents it (redis.io lua-api, "Data type conversion"), for both protocols.
/// Reads tables raw (no metamethods), so nothing here can raise a Lua error.
/// </summary>
internal static class LuaReplies
{
    private const int MaxDepth = 1000;

    /// <summary>A redis.call argument: strings as they are, numbers as Redis prints them; null for any other type.</summary>
    public static byte[]? ArgumentBytes(Lua l, int index)
    {
        switch (l.Type(index))
        {
            case LuaType.String:
                return l.ToBuffer(index, false);
            case LuaType.Number:
                return Encoding.ASCII.GetBytes(NumberText(l, index));
            default:
                return null;
        }
    }

    /// <summary>
    /// A Lua number as Redis 7.2 turns it into an argument: Redis's Lua has only doubles, printed with the shortest
    /// round-trip digits (3 → "3", 0.1 → "0.1", 1e20 → "1e+20"); 5.4 integers past 2^53 are printed as that double would be.
    /// </summary>
    public static string NumberText(Lua l, int index)
    {
        if (l.IsInteger(index))
        {
            long v = l.ToInteger(index);
            if (v is > -(1L << 53) and < 1L << 53) return v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Args.FormatScore(v);
        }
        double d = l.ToNumber(index);
        if (double.IsNaN(d)) return double.IsNegative(d) ? "-nan" : "nan";
        return Args.FormatScore(d);
    }

    /// <summary>A Lua number as a reply integer: truncated like Redis's C cast (NaN and out-of-range give INT64_MIN).</summary>
    public static long ToInteger(Lua l, int index)
    {
        if (l.IsInteger(index)) return l.ToInteger(index);
        double d = l.ToNumber(index);
        if (double.IsNaN(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) return long.MinValue;
        return (long)d;
    }

    /// <summary>Pushes {err = text}.</summary>
    public static void PushErrorTable(Lua l, string text)
    {
        l.CreateTable(0, 1);
        l.PushString(text);
        l.SetField(-2, "err");
    }

    /// <summary>Pushes a command's reply as the script sees it; <paramref name="resp"/> is what redis.setresp chose.</summary>
    public static void Push(Lua l, Reply reply, int resp, int depth = 0)
    {
        l.CheckStack(4);
        switch (reply.Kind)
        {
            case ReplyKind.Integer:
                l.PushInteger(reply.Integer);
                break;
            case ReplyKind.Bulk:
                l.PushBuffer(reply.Bytes ?? []);
                break;
            case ReplyKind.SimpleString:
                l.CreateTable(0, 1);
                l.PushBuffer(reply.Bytes ?? []);
                l.SetField(-2, "ok");
                break;
            case ReplyKind.Error:
                PushErrorTable(l, ScriptErrors.ForScript(reply.Text ?? ""));
                break;
            case ReplyKind.Null:
            case ReplyKind.NullArray:
                if (resp == 3) l.PushNil();
                else l.PushBoolean(false);
                break;
            case ReplyKind.Boolean:
                if (resp == 3) l.PushBoolean(reply.Integer != 0);
                else l.PushInteger(reply.Integer != 0 ? 1 : 0);
                break;
            case ReplyKind.Double:
                if (resp == 3)
                {
                    l.CreateTable(0, 1);
                    l.PushNumber(reply.Double);
                    l.SetField(-2, "double");
                }
                else l.PushString(Args.FormatScore(reply.Double));
                break;
            case ReplyKind.Map when resp == 3:
            {
                var items = reply.Items ?? [];
                l.CreateTable(0, 1);
                l.CreateTable(0, items.Length / 2);
                for (int i = 0; i + 1 < items.Length; i += 2)
                {
                    Push(l, items[i], resp, depth + 1);
                    Push(l, items[i + 1], resp, depth + 1);
                    l.RawSet(-3);
                }
                l.SetField(-2, "map");
                break;
            }
            case ReplyKind.Set when resp == 3:
            {
                var items = reply.Items ?? [];
                l.CreateTable(0, 1);
                l.CreateTable(0, items.Length);
                foreach (var item in items)
                {
                    Push(l, item, resp, depth + 1);
                    l.PushBoolean(true);
                    l.RawSet(-3);
                }
                l.SetField(-2, "set");
                break;
            }
            case ReplyKind.Pairs when resp == 3:
            {
                // RESP3 shape of WITHSCORES: an array of [element, value] pairs.
                var items = reply.Items ?? [];
                l.CreateTable(items.Length / 2, 0);
                for (int i = 0; i + 1 < items.Length; i += 2)
                {
                    l.CreateTable(2, 0);
                    Push(l, items[i], resp, depth + 1);
                    l.RawSetInteger(-2, 1);
                    Push(l, items[i + 1], resp, depth + 1);
                    l.RawSetInteger(-2, 2);
                    l.RawSetInteger(-2, i / 2 + 1);
                }
                break;
            }
            default:
            {
                // Arrays, pushes, and in RESP2 maps, sets and pairs: flat arrays.
                var items = reply.Items ?? [];
                l.CreateTable(items.Length, 0);
                for (int i = 0; i < items.Length; i++)
                {
                    Push(l, items[i], resp, depth + 1);
                    l.RawSetInteger(-2, i + 1);
                }
                break;
            }
        }
    }

    /// <summary>The value at <paramref name="index"/> as the script's reply; <paramref name="resp"/> is what redis.setresp chose.</summary>
    public static Reply ToReply(Lua l, int index, int resp, int depth = 0)
    {
        index = l.AbsIndex(index);
        l.CheckStack(4);
        switch (l.Type(index))
        {
            case LuaType.String:
                return Reply.Bulk(l.ToBuffer(index, false) ?? []);
            case LuaType.Number:
                return Reply.Int(ToInteger(l, index));
            case LuaType.Boolean:
                bool b = l.ToBoolean(index);
                if (resp == 3) return b ? Reply.True : Reply.False;
                return b ? Reply.Int(1) : Reply.Nil;
            case LuaType.Table when depth < MaxDepth:
                return TableToReply(l, index, resp, depth);
            default:
                return Reply.Nil;
        }
    }

    private static Reply TableToReply(Lua l, int index, int resp, int depth)
    {
        // {err=...}, {ok=...}, then the RESP3 forms, then an array: Redis 7's order of checks.
        if (RawField(l, index, "err", LuaType.String))
        {
            string text = l.ToString(-1, false) ?? "";
            l.Pop(1);
            return Reply.Error(text);
        }
        if (RawField(l, index, "ok", LuaType.String))
        {
            var bytes = l.ToBuffer(-1, false) ?? [];
            l.Pop(1);
            return new Reply(ReplyKind.SimpleString, bytes: bytes);
        }
        if (RawField(l, index, "double", LuaType.Number))
        {
            double d = l.ToNumber(-1);
            l.Pop(1);
            return Reply.Dbl(d);
        }
        if (RawField(l, index, "big_number", LuaType.String))
        {
            // Core has no big-number reply kind: it goes out as the bulk string RESP2 would carry.
            var bytes = l.ToBuffer(-1, false) ?? [];
            l.Pop(1);
            return Reply.Bulk(bytes);
        }
        if (RawField(l, index, "verbatim_string", LuaType.Table))
        {
            int v = l.GetTop();
            l.PushString("string");
            l.RawGet(v);
            var bytes = l.Type(-1) == LuaType.String ? l.ToBuffer(-1, false) ?? [] : [];
            l.Pop(2);
            return Reply.Bulk(bytes);
        }
        if (RawField(l, index, "map", LuaType.Table))
        {
            int map = l.GetTop();
            var items = new List<Reply>();
            l.PushNil();
            while (l.Next(map))
            {
                items.Add(ToReply(l, -2, resp, depth + 1));
                items.Add(ToReply(l, -1, resp, depth + 1));
                l.Pop(1);
            }
            l.Pop(1);
            return Reply.Map([.. items]);
        }
        if (RawField(l, index, "set", LuaType.Table))
        {
            int set = l.GetTop();
            var items = new List<Reply>();
            l.PushNil();
            while (l.Next(set))
            {
                items.Add(ToReply(l, -2, resp, depth + 1));
                l.Pop(1);
            }
            l.Pop(1);
            return Reply.Set([.. items]);
        }
        // An array: elements 1, 2, … up to the first nil.
        var list = new List<Reply>();
        for (long i = 1; ; i++)
        {
            if (l.RawGetInteger(index, i) == LuaType.Nil)
            {
                l.Pop(1);
                break;
            }
            list.Add(ToReply(l, -1, resp, depth + 1));
            l.Pop(1);
        }
        return Reply.Array([.. list]);
    }

    private static bool RawField(Lua l, int index, string name, LuaType type)
    {
        l.PushString(name);
        if (l.RawGet(index) == type) return true;
        l.Pop(1);
        return false;
    }
}
