using System.Globalization;
using System.Text;
using KeraLua;

namespace Orleans.Cache.Core.Scripting;

/// <summary>
/// The C# half of Redis's <c>cjson</c> table, written for this project after lua-cjson's documented behaviour:
/// empty tables encode as <c>{}</c>, '/' is escaped, numbers use 14 significant digits, sparse arrays are refused,
/// and decode errors name the token and 1-based character as cjson does.
/// </summary>
internal static class LuaJson
{
    private const int MaxDepth = 1000;

    /// <summary>cjson.encode(value): the JSON text, or (nil, error) for the prelude to raise.</summary>
    public static int Encode(IntPtr state)
    {
        var l = Lua.FromIntPtr(state);
        var output = new StringBuilder();
        string? error = EncodeValue(l, 1, output, 0);
        if (error is not null)
        {
            l.PushNil();
            l.PushString(error);
            return 2;
        }
        // Latin-1 maps chars 0-255 to bytes 1:1, so string bytes pass through untouched (cjson does not check UTF-8).
        l.PushBuffer(Encoding.Latin1.GetBytes(output.ToString()));
        return 1;
    }

    private static string? EncodeValue(Lua l, int index, StringBuilder output, int depth)
    {
        index = l.AbsIndex(index);
        switch (l.Type(index))
        {
            case LuaType.Nil:
                output.Append("null");
                return null;
            case LuaType.Boolean:
                output.Append(l.ToBoolean(index) ? "true" : "false");
                return null;
            case LuaType.Number:
                if (l.IsInteger(index))
                {
                    long v = l.ToInteger(index);
                    output.Append(Math.Abs((double)v) < 1e14 ? v.ToString(CultureInfo.InvariantCulture) : FormatG14(v));
                    return null;
                }
                double d = l.ToNumber(index);
                if (double.IsNaN(d) || double.IsInfinity(d)) return "Cannot serialise number: must not be NaN or Inf";
                output.Append(FormatG14(d));
                return null;
            case LuaType.String:
                AppendString(output, l.ToBuffer(index, false) ?? []);
                return null;
            case LuaType.LightUserData when l.ToUserData(index) == IntPtr.Zero:
                output.Append("null");
                return null;
            case LuaType.Table:
                if (depth + 1 > MaxDepth) return $"Cannot serialise, excessive nesting ({depth + 1})";
                return EncodeTable(l, index, output, depth + 1);
            default:
                return $"Cannot serialise {l.TypeName(l.Type(index))}: type not supported";
        }
    }

    private static string? EncodeTable(Lua l, int index, StringBuilder output, int depth)
    {
        l.CheckStack(4);
        // An array when every key is a positive integer, unless it is too sparse (cjson's ratio 2, safe 10).
        long max = 0, items = 0;
        bool array = true;
        l.PushNil();
        while (l.Next(index))
        {
            l.Pop(1);
            if (l.Type(-1) == LuaType.Number && KeyAsIndex(l, -1) is long k and >= 1)
            {
                max = Math.Max(max, k);
                items++;
            }
            else array = false;
        }
        if (array && max > 0)
        {
            if (max > items * 2 && max > 10) return "Cannot serialise table: excessively sparse array";
            output.Append('[');
            for (long i = 1; i <= max; i++)
            {
                if (i > 1) output.Append(',');
                l.RawGetInteger(index, i);
                string? error = EncodeValue(l, -1, output, depth);
                l.Pop(1);
                if (error is not null) return error;
            }
            output.Append(']');
            return null;
        }
        output.Append('{');
        bool first = true;
        l.PushNil();
        while (l.Next(index))
        {
            if (!first) output.Append(',');
            first = false;
            switch (l.Type(-2))
            {
                case LuaType.String:
                    AppendString(output, l.ToBuffer(-2, false) ?? []);
                    break;
                case LuaType.Number:
                    output.Append('"').Append(l.IsInteger(-2)
                        ? l.ToInteger(-2).ToString(CultureInfo.InvariantCulture)
                        : FormatG14(l.ToNumber(-2))).Append('"');
                    break;
                default:
                    l.Pop(2);
                    return "Cannot serialise table: table key must be a number or string";
            }
            output.Append(':');
            string? error = EncodeValue(l, -1, output, depth);
            l.Pop(1);
            if (error is not null)
            {
                l.Pop(1);
                return error;
            }
        }
        output.Append('}');
        return null;
    }

    private static long? KeyAsIndex(Lua l, int index)
    {
        if (l.IsInteger(index)) return l.ToInteger(index);
        double d = l.ToNumber(index);
        return d == Math.Floor(d) && d is >= 1 and < 9e15 ? (long)d : null;
    }

    private static void AppendString(StringBuilder output, byte[] bytes)
    {
        output.Append('"');
        foreach (char c in Encoding.Latin1.GetString(bytes))
        {
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '/': output.Append("\\/"); break;
                case '\b': output.Append("\\b"); break;
                case '\f': output.Append("\\f"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f) output.Append("\\u").Append(((int)c).ToString("x4"));
                    else output.Append(c);
                    break;
            }
        }
        output.Append('"');
    }

    /// <summary>printf's "%.14g", as cjson (and Lua 5.1's tostring) print numbers.</summary>
    public static string FormatG14(double d) => FormatG(d, 14);

    /// <summary>printf's "%.{precision}g" for finite numbers.</summary>
    public static string FormatG(double d, int precision)
    {
        if (double.IsNaN(d)) return double.IsNegative(d) ? "-nan" : "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0" : "0";
        string e = Math.Abs(d).ToString("E" + (precision - 1), CultureInfo.InvariantCulture);
        int ePos = e.IndexOf('E');
        string digits = e[..ePos].Replace(".", "");
        int exponent = int.Parse(e.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= precision)
        {
            string mantissa = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
            if (mantissa.Contains('.')) mantissa = mantissa.TrimEnd('0').TrimEnd('.');
            return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }
        string text = exponent >= 0
            ? digits[..(exponent + 1)] + "." + digits[(exponent + 1)..]
            : "0." + new string('0', -exponent - 1) + digits;
        if (text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        return sign + text;
    }

    /// <summary>cjson.decode(text): (true, value) or (false, error) for the prelude to raise.</summary>
    public static int Decode(IntPtr state)
    {
        var l = Lua.FromIntPtr(state);
        var text = l.Type(1) == LuaType.String ? l.ToBuffer(1, false) ?? [] : Encoding.ASCII.GetBytes(LuaReplies.NumberText(l, 1));
        int top = l.GetTop();
        var parser = new Parser(l, text);
        string? error = parser.ParseDocument();
        if (error is not null)
        {
            l.SetTop(top);
            l.PushBoolean(false);
            l.PushString(error);
            return 2;
        }
        l.PushBoolean(true);
        l.Insert(-2);
        return 2;
    }

    private enum Token { ObjBegin, ObjEnd, ArrBegin, ArrEnd, String, Number, Boolean, Null, Colon, Comma, End, Error }

    private sealed class Parser(Lua l, byte[] text)
    {
        private int _pos;
        private int _tokenStart;
        private string _tokenError = "";

        private static string Name(Token t) => t switch
        {
            Token.ObjBegin => "T_OBJ_BEGIN",
            Token.ObjEnd => "T_OBJ_END",
            Token.ArrBegin => "T_ARR_BEGIN",
            Token.ArrEnd => "T_ARR_END",
            Token.String => "T_STRING",
            Token.Number => "T_NUMBER",
            Token.Boolean => "T_BOOLEAN",
            Token.Null => "T_NULL",
            Token.Colon => "T_COLON",
            Token.Comma => "T_COMMA",
            Token.End => "T_END",
            _ => "",
        };

        private string Expected(string what, Token found) =>
            $"Expected {what} but found {(found == Token.Error ? _tokenError : Name(found))} at character {_tokenStart + 1}";

        public string? ParseDocument()
        {
            var t = Next();
            string? error = ParseValue(t, 0);
            if (error is not null) return error;
            t = Next();
            return t == Token.End ? null : Expected("the end", t);
        }

        // Each successful parse pushes exactly one Lua value.
        private string? ParseValue(Token t, int depth)
        {
            switch (t)
            {
                case Token.ObjBegin: return ParseObject(depth + 1);
                case Token.ArrBegin: return ParseArray(depth + 1);
                case Token.String: case Token.Number: case Token.Boolean: case Token.Null: return null;
                default: return Expected("value", t);
            }
        }

        private string? ParseObject(int depth)
        {
            if (depth > MaxDepth) return $"Found too many nested data structures ({depth}) at character {_tokenStart + 1}";
            l.CheckStack(4);
            l.NewTable();
            var t = Next();
            if (t == Token.ObjEnd) return null;
            while (true)
            {
                if (t != Token.String) return Expected("object key string", t);
                t = Next();
                if (t != Token.Colon) return Expected("colon", t);
                string? error = ParseValue(Next(), depth);
                if (error is not null) return error;
                l.RawSet(-3);
                t = Next();
                if (t == Token.ObjEnd) return null;
                if (t != Token.Comma) return Expected("comma or object end", t);
                t = Next();
            }
        }

        private string? ParseArray(int depth)
        {
            if (depth > MaxDepth) return $"Found too many nested data structures ({depth}) at character {_tokenStart + 1}";
            l.CheckStack(4);
            l.NewTable();
            var t = Next();
            if (t == Token.ArrEnd) return null;
            for (long i = 1; ; i++)
            {
                string? error = ParseValue(t, depth);
                if (error is not null) return error;
                l.RawSetInteger(-2, i);
                t = Next();
                if (t == Token.ArrEnd) return null;
                if (t != Token.Comma) return Expected("comma or array end", t);
                t = Next();
            }
        }

        /// <summary>Reads the next token; strings, numbers, booleans and null are pushed as Lua values.</summary>
        private Token Next()
        {
            while (_pos < text.Length && text[_pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') _pos++;
            _tokenStart = _pos;
            if (_pos >= text.Length) return Token.End;
            byte c = text[_pos];
            switch (c)
            {
                case (byte)'{': _pos++; return Token.ObjBegin;
                case (byte)'}': _pos++; return Token.ObjEnd;
                case (byte)'[': _pos++; return Token.ArrBegin;
                case (byte)']': _pos++; return Token.ArrEnd;
                case (byte)':': _pos++; return Token.Colon;
                case (byte)',': _pos++; return Token.Comma;
                case (byte)'"': return ReadString();
            }
            if (Match("true")) { l.PushBoolean(true); return Token.Boolean; }
            if (Match("false")) { l.PushBoolean(false); return Token.Boolean; }
            if (Match("null")) { l.PushLightUserData(IntPtr.Zero); return Token.Null; }
            if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
            _tokenError = "invalid token";
            return Token.Error;
        }

        private bool Match(string word)
        {
            if (_pos + word.Length > text.Length) return false;
            for (int i = 0; i < word.Length; i++)
                if (text[_pos + i] != word[i]) return false;
            _pos += word.Length;
            return true;
        }

        private Token ReadNumber()
        {
            int start = _pos;
            if (text[_pos] == '-') _pos++;
            bool integral = true;
            while (_pos < text.Length && (char.IsAsciiDigit((char)text[_pos]) || text[_pos] is (byte)'.' or (byte)'e' or (byte)'E'
                       || (text[_pos] is (byte)'+' or (byte)'-' && text[_pos - 1] is (byte)'e' or (byte)'E')))
            {
                if (text[_pos] is (byte)'.' or (byte)'e' or (byte)'E') integral = false;
                _pos++;
            }
            var s = Encoding.ASCII.GetString(text, start, _pos - start);
            if (integral && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
            {
                l.PushInteger(v);
                return Token.Number;
            }
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            {
                l.PushNumber(d);
                return Token.Number;
            }
            _tokenError = "invalid number";
            return Token.Error;
        }

        private Token ReadString()
        {
            _pos++;
            var bytes = new List<byte>();
            while (true)
            {
                if (_pos >= text.Length)
                {
                    _tokenError = "unexpected end of string";
                    _tokenStart = _pos;
                    return Token.Error;
                }
                byte c = text[_pos++];
                if (c == '"') break;
                if (c != '\\')
                {
                    bytes.Add(c);
                    continue;
                }
                if (_pos >= text.Length) continue;
                byte e = text[_pos++];
                switch (e)
                {
                    case (byte)'"': case (byte)'\\': case (byte)'/': bytes.Add(e); break;
                    case (byte)'b': bytes.Add(8); break;
                    case (byte)'f': bytes.Add(12); break;
                    case (byte)'n': bytes.Add(10); break;
                    case (byte)'r': bytes.Add(13); break;
                    case (byte)'t': bytes.Add(9); break;
                    case (byte)'u':
                        if (!ReadHex(out int code))
                        {
                            _tokenError = "invalid unicode escape code";
                            return Token.Error;
                        }
                        if (code is >= 0xD800 and < 0xDC00 && _pos + 1 < text.Length && text[_pos] == '\\' && text[_pos + 1] == 'u')
                        {
                            _pos += 2;
                            if (!ReadHex(out int low))
                            {
                                _tokenError = "invalid unicode escape code";
                                return Token.Error;
                            }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                        }
                        bytes.AddRange(Encoding.UTF8.GetBytes(char.ConvertFromUtf32(code is >= 0xD800 and <= 0xDFFF ? 0xFFFD : code)));
                        break;
                    default:
                        _tokenError = "invalid escape code";
                        return Token.Error;
                }
            }
            l.PushBuffer([.. bytes]);
            return Token.String;
        }

        private bool ReadHex(out int code)
        {
            code = 0;
            if (_pos + 4 > text.Length) return false;
            if (!int.TryParse(Encoding.ASCII.GetString(text, _pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out code))
                return false;
            _pos += 4;
            return true;
        }
    }
}
