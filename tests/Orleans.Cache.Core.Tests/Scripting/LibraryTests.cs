namespace Orleans.Cache.Core.Tests.Scripting;

/// <summary>cjson, cmsgpack, bit and struct; expected texts and bytes checked on redis-server 7.0.15.</summary>
public class LibraryTests : IDisposable
{
    private readonly ScriptSession s = new();

    public void Dispose() => s.Dispose();

    [Theory]
    [InlineData("{1,2,nil,4}", "[1,2,null,4]")]
    [InlineData("{a=1}", "{\"a\":1}")]
    [InlineData("{}", "{}")]
    [InlineData("{true,false}", "[true,false]")]
    [InlineData("cjson.null", "null")]
    [InlineData("{1.5, 3, 1e20, 0.1, 12345678901234567}", "[1.5,3,1e+20,0.1,1.2345678901235e+16]")]
    [InlineData("{[1.5]=1}", "{\"1.5\":1}")]
    [InlineData("'a/b\"\\\\\\n\\1'", "\"a\\/b\\\"\\\\\\n\\u0001\"")]
    public void Cjson_encode_matches_redis(string lua, string json)
    {
        Assert.Equal(json, s.EvalRaw($"return cjson.encode({lua})").Text);
    }

    [Theory]
    [InlineData("{[1]=1,[20]=2}", "ERR user_script:1: Cannot serialise table: excessively sparse array")]
    [InlineData("{1/0}", "ERR user_script:1: Cannot serialise number: must not be NaN or Inf")]
    [InlineData("{f=function() end}", "ERR user_script:1: Cannot serialise function: type not supported")]
    public void Cjson_encode_errors_match_redis(string lua, string error)
    {
        Assert.StartsWith($"(error) {error} script: ", s.Eval($"return cjson.encode({lua})"));
    }

    [Theory]
    [InlineData("''", "Expected value but found T_END at character 1")]
    [InlineData("'{'", "Expected object key string but found T_END at character 2")]
    [InlineData("'[1,'", "Expected value but found T_END at character 4")]
    [InlineData("'x'", "Expected value but found invalid token at character 1")]
    [InlineData("'[1] x'", "Expected the end but found invalid token at character 5")]
    [InlineData("'{1:2}'", "Expected object key string but found T_NUMBER at character 2")]
    [InlineData("'{\"a\" 1}'", "Expected colon but found T_NUMBER at character 6")]
    [InlineData("'[1 2]'", "Expected comma or array end but found T_NUMBER at character 4")]
    [InlineData("'\"abc'", "Expected value but found unexpected end of string at character 5")]
    public void Cjson_decode_errors_match_redis(string lua, string error)
    {
        Assert.StartsWith($"(error) ERR user_script:1: {error} script: ", s.Eval($"return cjson.decode({lua})"));
    }

    [Fact]
    public void Cjson_round_trips_nested_values_and_null()
    {
        Assert.Equal("\"{\"a\":[1,2,{\"b\":\"c\"}]}\"", s.Eval("return cjson.encode(cjson.decode('{\"a\":[1,2,{\"b\":\"c\"}]}'))"));
        Assert.Equal("(integer) 1", s.Eval("return cjson.decode('[null]')[1] == cjson.null and 1 or 0"));
        Assert.Equal("\"\u00e9\u20ac\"", s.Eval("return cjson.decode('\"\\\\u00e9\\\\u20ac\"')"));
        Assert.Equal("(integer) 1500", s.Eval("return cjson.decode('[1.5e3]')[1]"));
    }

    [Fact]
    public void Cjson_passes_string_bytes_through()
    {
        var reply = s.Engine.Eval("return cjson.encode(ARGV[1])"u8.ToArray(), [], [[0xc3, 0xa9, 0xff]], s.Host, new());
        Assert.Equal(new byte[] { (byte)'"', 0xc3, 0xa9, 0xff, (byte)'"' }, reply.Bytes);
    }

    [Fact]
    public void Cmsgpack_packs_as_lua_cmsgpack_does()
    {
        // redis-server 7.0.15: 90cb3fb999999999999aca3fc00000cd012cd0dfcf0000010000000000a361626381a16101920102
        Assert.Equal("\"90cb3fb999999999999aca3fc00000cd012cd0dfcf0000010000000000a361626381a16101920102\"",
            s.Eval("local p = cmsgpack.pack({}, 0.1, 1.5, 300, -33, 2^40, 'abc', {a=1}, {1,2}) local t = {} for i = 1, #p do t[#t + 1] = string.format('%02x', p:byte(i)) end return table.concat(t)"));
    }

    [Fact]
    public void Cmsgpack_round_trips_several_values()
    {
        Assert.Equal("[(integer) 1, \"a\", [(integer) 1, (integer) 2], [], (integer) 1, (integer) -1, (integer) 1]",
            s.Eval("return {cmsgpack.unpack(cmsgpack.pack(1, 'a', {1,2}, {a=1}, 1.5, -1, true))}"));
        Assert.Equal("[\"1\", \"x\", \"1.5\"]", s.Eval("local t = cmsgpack.unpack(cmsgpack.pack({a=1, b={'x'}, c=1.5})) return {tostring(t.a), t.b[1], tostring(t.c)}"));
    }

    [Fact]
    public void Cmsgpack_errors_match_redis()
    {
        Assert.StartsWith("(error) ERR user_script:1: Bad data format in input. script: ", s.Eval("return cmsgpack.unpack('\\193')"));
        Assert.StartsWith("(error) ERR user_script:1: Missing bytes in input. script: ", s.Eval("return cmsgpack.unpack('\\205')"));
        Assert.StartsWith("(error) ERR user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.) script: ", s.Eval("return cmsgpack.pack()"));
        Assert.Equal("(nil)", s.Eval("return cmsgpack.unpack('')"));
    }

    [Fact]
    public void Bit_operations_are_32_bit_signed()
    {
        Assert.Equal("[(integer) 15, (integer) 255, (integer) 240, (integer) -1, (integer) 256, (integer) 2147483647, (integer) -1, (integer) -1]",
            s.Eval("return {bit.band(0xff, 0x0f), bit.bor(0xf0, 0x0f), bit.bxor(0xff, 0x0f), bit.bnot(0), bit.lshift(1, 8), bit.rshift(-1, 1), bit.arshift(-1, 1), bit.tobit(0xffffffff)}"));
        Assert.Equal("[\"ffffffff\", \"000000ff\", \"FF\", \"0f\"]", s.Eval("return {bit.tohex(-1), bit.tohex(255), bit.tohex(255, -2), bit.tohex(15, 2)}"));
        Assert.Equal("[(integer) -2147483648, (integer) 1]", s.Eval("return {bit.lshift(1, 31), bit.tobit(2^32 + 1)}"));
    }

    [Fact]
    public void Struct_packs_and_unpacks_the_common_formats()
    {
        // The last value is the position after the data: 4 + 2 + 1 + 3 ("ab" and its zero) + 1.
        Assert.Equal("[(integer) 1, (integer) 65534, (integer) 3, \"ab\", (integer) 11]",
            s.Eval("return {struct.unpack('>iHbs', struct.pack('>iHbs', 1, 65534, 3, 'ab'))}"));
        Assert.Equal("(integer) 15", s.Eval("return struct.size('>iHdx')"));
        Assert.Equal("(integer) 4", s.Eval("return #struct.pack('>i', 3.7)"));
        Assert.Equal("(integer) 3", s.Eval("return struct.unpack('<i', struct.pack('<i', 3.7))"));
    }
}
