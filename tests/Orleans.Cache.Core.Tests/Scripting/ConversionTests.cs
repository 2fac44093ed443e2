namespace Orleans.Cache.Core.Tests.Scripting;

/// <summary>
/// Lua ↔ RESP conversion (redis.io lua-api "Data type conversion"); the expected replies were checked on
/// redis-server 7.0.15 with the same EVAL, in RESP2 and RESP3 (redis-cli -3 / a raw socket).
/// </summary>
public class ConversionTests : IDisposable
{
    private readonly ScriptSession s = new();

    public void Dispose() => s.Dispose();

    [Fact]
    public void Eval_truncates_lua_numbers_to_integers()
    {
        Assert.Equal("(integer) 3", s.Eval("return 3.99"));
        Assert.Equal("(integer) -3", s.Eval("return -3.99"));
        Assert.Equal("(integer) 5", s.Eval("return 10/2"));
        Assert.Equal("[(integer) 1, (integer) 2, (integer) 3]", s.Eval("return {1, 2, 3.99}"));
    }

    [Fact]
    public void Eval_turns_nan_infinity_and_huge_numbers_into_int64_min_like_redis()
    {
        // Redis's C cast of these doubles gives INT64_MIN on x86-64 (redis-server 7.0.15: -9223372036854775808).
        Assert.Equal("(integer) -9223372036854775808", s.Eval("return 1e30"));
        Assert.Equal("(integer) -9223372036854775808", s.Eval("return 0/0"));
        Assert.Equal("(integer) -9223372036854775808", s.Eval("return 1/0"));
    }

    [Fact]
    public void Eval_returns_strings_as_bulk_and_nil_and_false_as_null()
    {
        Assert.Equal("\"a\"", s.Eval("return 'a'"));
        Assert.Equal("(nil)", s.Eval("return nil"));
        Assert.Equal("(nil)", s.Eval("return false"));
        Assert.Equal("(nil)", s.Eval("return function() end"));
    }

    [Fact]
    public void Eval_returns_true_as_integer_one_in_resp2_mode()
    {
        Assert.Equal("(integer) 1", s.Eval("return true"));
        Assert.Equal("[(integer) 1, (nil), (integer) 1]", s.Eval("return {true, false, 1}"));
    }

    [Fact]
    public void Eval_returns_booleans_after_setresp_3()
    {
        // redis-server: '#t' / '#f' for a RESP3 client, ':1' / ':0' for a RESP2 one (the writer's Boolean encoding).
        Assert.Equal("(true)", s.Eval("redis.setresp(3); return true"));
        Assert.Equal("(false)", s.Eval("redis.setresp(3); return false"));
    }

    [Fact]
    public void Eval_stops_an_array_at_the_first_nil()
    {
        Assert.Equal("[(integer) 1, (integer) 2, \"a\"]", s.Eval("return {1, 2, 'a', nil, 'b'}"));
        Assert.Equal("[]", s.Eval("return {a = 1}"));
    }

    [Fact]
    public void Eval_returns_ok_and_err_tables_as_status_and_error()
    {
        Assert.Equal("fine", s.Eval("return {ok = 'fine'}"));
        Assert.Equal("(error) My bad", s.Eval("return {err = 'My bad'}"));
        Assert.Equal("(error) a", s.Eval("return {err = 'a', ok = 'b'}"));
        Assert.Equal("[]", s.Eval("return {err = 1}"));
    }

    [Fact]
    public void Eval_returns_resp3_types_from_their_tables()
    {
        Assert.Equal("(double) 3.5", s.Eval("return {double = 3.5}"));
        Assert.Equal("{\"a\": (integer) 1}", s.Eval("return {map = {a = 1}}"));
        Assert.Equal("~[\"a\"]", s.Eval("return {set = {a = true}}"));
        Assert.Equal("\"123\"", s.Eval("return {big_number = '123'}"));
        Assert.Equal("[]", s.Eval("return {double = 'x'}"));
        Assert.Equal("[(integer) 1, (double) 1, (integer) 1]", s.Eval("return {1, {double = 1}, true}"));
    }

    [Fact]
    public void Redis_call_gives_integers_strings_and_status_tables()
    {
        s.Db.Run("SET", "k", "v");
        Assert.Equal("\"number\"", s.Eval("return type(redis.call('exists', 'k'))"));
        Assert.Equal("\"v\"", s.Eval("return redis.call('get', 'k')"));
        Assert.Equal("\"OK\"", s.Eval("return redis.call('set', 'k', 'v').ok"));
    }

    [Fact]
    public void Redis_call_gives_false_for_nil_in_resp2_and_nil_after_setresp_3()
    {
        // redis-server 7.0.15: type(...) is 'boolean' without setresp, 'nil' with setresp(3).
        Assert.Equal("\"boolean\"", s.Eval("return type(redis.call('get', 'nokey'))"));
        Assert.Equal("\"nil\"", s.Eval("redis.setresp(3); return type(redis.call('get', 'nokey'))"));
    }

    [Fact]
    public void Redis_call_gives_arrays_as_tables()
    {
        s.Db.Run("RPUSH", "l", "a", "b");
        Assert.Equal("[\"a\", \"b\"]", s.Eval("return redis.call('lrange', 'l', 0, -1)"));
        Assert.Equal("(integer) 2", s.Eval("return #redis.call('lrange', 'l', 0, -1)"));
    }

    [Fact]
    public void Redis_call_gives_maps_sets_and_doubles_as_resp3_tables_after_setresp_3()
    {
        s.Db.Run("HSET", "h", "a", "1");
        s.Db.Run("SADD", "s", "a");
        s.Db.Run("ZADD", "z", "1.5", "a");
        // redis-server 7.0.15: {'table', '1'}, {'table', 'true'}, {'table', '1.5'}
        Assert.Equal("[\"table\", \"1\"]", s.Eval("redis.setresp(3); local r = redis.call('hgetall', 'h'); return {type(r.map), r.map.a}"));
        Assert.Equal("[\"table\", \"true\"]", s.Eval("redis.setresp(3); local r = redis.call('smembers', 's'); return {type(r.set), tostring(r.set.a)}"));
        Assert.Equal("[\"table\", \"1.5\"]", s.Eval("redis.setresp(3); local r = redis.call('zscore', 'z', 'a'); return {type(r), tostring(r.double)}"));
        // … and handing them back gives the RESP3 reply.
        Assert.Equal("{\"a\": \"1\"}", s.Eval("redis.setresp(3); return redis.call('hgetall', 'h')"));
        Assert.Equal("(double) 1.5", s.Eval("redis.setresp(3); return redis.call('zscore', 'z', 'a')"));
    }

    [Fact]
    public void Redis_call_gives_resp2_shapes_without_setresp()
    {
        s.Db.Run("HSET", "h", "a", "1");
        s.Db.Run("ZADD", "z", "1.5", "a");
        Assert.Equal("[\"a\", \"1\"]", s.Eval("return redis.call('hgetall', 'h')"));
        Assert.Equal("\"1.5\"", s.Eval("return redis.call('zscore', 'z', 'a')"));
    }

    [Fact]
    public void Redis_call_converts_number_arguments_as_redis_prints_them()
    {
        // Integers without ".0"; 1e20 as "1e+20" (redis-server 7.0.15 prints the same for these values).
        foreach (var (lua, stored) in new[] { ("3", "3"), ("1.5", "1.5"), ("10/2", "5"), ("1e20", "1e+20"), ("-7", "-7"), ("1e15", "1000000000000000") })
        {
            s.Eval($"redis.call('set', 'n', {lua})");
            Assert.Equal($"\"{stored}\"", s.Db.Run("GET", "n"));
        }
    }

    [Fact]
    public void Redis_pcall_returns_error_replies_as_err_tables()
    {
        s.Db.Run("SET", "x", "1");
        Assert.Equal("\"tableWRONGTYPE Operation against a key holding the wrong kind of value\"",
            s.Eval("local r = redis.pcall('lpush', 'x', '1'); return type(r) .. r.err"));
        Assert.Equal("(error) WRONGTYPE Operation against a key holding the wrong kind of value", s.Eval("return redis.pcall('lpush', 'x', '1')"));
    }

    [Fact]
    public void Keys_and_argv_are_the_scripts_globals()
    {
        Assert.Equal("[\"k1\", \"a1\", (integer) 1, (integer) 2]",
            s.Eval("return {KEYS[1], ARGV[1], #KEYS, #ARGV}", ["k1"], ["a1", "a2"]));
        Assert.Equal("(integer) 0", s.Eval("return #KEYS"));
    }
}
