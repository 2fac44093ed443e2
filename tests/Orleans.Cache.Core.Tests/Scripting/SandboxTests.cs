namespace Orleans.Cache.Core.Tests.Scripting;

/// <summary>What a script may reach: Redis's libraries only, and a read-only global table (redis-server 7.0.15 texts).</summary>
public class SandboxTests : IDisposable
{
    private readonly ScriptSession s = new();

    public void Dispose() => s.Dispose();

    [Fact]
    public void Creating_a_global_is_refused()
    {
        Assert.StartsWith("(error) ERR user_script:1: Attempt to modify a readonly table script: ", s.Eval("x = 1"));
        Assert.StartsWith("(error) ERR user_script:1: Attempt to modify a readonly table script: ", s.Eval("function f() end"));
        Assert.Equal("(integer) 1", s.Eval("local t = {}; t.x = 1; return t.x"));
    }

    [Fact]
    public void Reading_an_undeclared_global_is_an_error()
    {
        Assert.StartsWith("(error) ERR user_script:1: Script attempted to access nonexistent global variable 'y' script: ", s.Eval("return y"));
    }

    [Fact]
    public void Library_tables_are_read_only()
    {
        Assert.StartsWith("(error) ERR user_script:1: Attempt to modify a readonly table script: ", s.Eval("redis.x = 1"));
        Assert.StartsWith("(error) ERR user_script:1: Attempt to modify a readonly table script: ", s.Eval("string.foo = 1"));
        Assert.StartsWith("(error) ERR user_script:1: Attempt to modify a readonly table script: ", s.Eval("cjson.encode = nil"));
    }

    [Fact]
    public void Strings_metatable_is_read_only_and_still_finds_the_string_methods()
    {
        Assert.StartsWith("(error) ERR user_script:1: Attempt to modify a readonly table script: ", s.Eval("getmetatable('').__index.x = KEYS return 1"));
        Assert.StartsWith("(error) ERR user_script:1: Attempt to modify a readonly table script: ", s.Eval("getmetatable('').__index = nil return 1"));
        Assert.StartsWith("(error) ERR user_script:1: Attempt to modify a readonly table script: ", s.Eval("getmetatable('').y = 1 return 1"));
        Assert.Equal("[\"true\", \"ABC\", \"a\"]", s.Eval("return {tostring(getmetatable('').__index == string), ('abc'):upper(), ('a,b'):gfind('%a')()}"));
    }

    [Fact]
    public void A_script_that_changes_its_KEYS_and_ARGV_leaves_nothing_for_the_next_one()
    {
        // redis-server 7.0.15: the second script sees {1, 0, "nil", "nil", "nil"}.
        Assert.Equal("(integer) 1", s.Eval("KEYS[5] = 'x' table.insert(ARGV, 'y') setmetatable(KEYS, {}) return 1", ["a", "b", "c"]));
        Assert.Equal("[(integer) 1, (integer) 0, \"nil\", \"nil\", \"nil\"]",
            s.Eval("return {#KEYS, #ARGV, tostring(getmetatable(KEYS)), tostring(KEYS[5]), tostring(KEYS[2])}", ["b"]));
        // Fewer keys than the script before: the table the last one left is cleared past them.
        Assert.Equal("[\"a\", \"b\", \"c\", \"1\", \"2\"]", s.Eval("return {KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2]}", ["a", "b", "c"], ["1", "2"]));
        Assert.Equal("[(integer) 1, (integer) 1, \"z\", \"nil\", \"nil\"]",
            s.Eval("return {#KEYS, #ARGV, KEYS[1], tostring(KEYS[2]), tostring(ARGV[2])}", ["z"], ["9"]));
        // A string key, or a hole left by the script, is noticed too.
        Assert.Equal("(integer) 1", s.Eval("KEYS.name = 1 ARGV[1] = nil ARGV[3] = 'q' return 1", ["a"], ["1"]));
        Assert.Equal("[\"nil\", \"nil\", (integer) 1]", s.Eval("return {tostring(KEYS.name), tostring(ARGV[3]), #ARGV}", ["a"], ["1"]));
    }

    [Theory]
    [InlineData("io")]
    [InlineData("require")]
    [InlineData("package")]
    [InlineData("loadfile")]
    [InlineData("dofile")]
    [InlineData("debug")]
    [InlineData("utf8")]
    public void Libraries_redis_leaves_out_are_missing(string name)
    {
        Assert.StartsWith($"(error) ERR user_script:1: Script attempted to access nonexistent global variable '{name}' script: ", s.Eval($"return type({name})"));
    }

    [Fact]
    public void Os_has_only_clock()
    {
        Assert.Equal("[\"function\", \"nil\", \"nil\", \"nil\"]", s.Eval("return {type(os.clock), type(os.execute), type(os.exit), type(os.getenv)}"));
    }

    [Fact]
    public void Lua_51_names_that_scripts_rely_on_are_there()
    {
        Assert.Equal("[(integer) 1, (integer) 2]", s.Eval("return {unpack({1, 2})}"));
        Assert.Equal("(integer) 3", s.Eval("return table.getn({1, 2, 3})"));
        Assert.Equal("(integer) 7", s.Eval("return loadstring('return 7')()"));
        Assert.Equal("(integer) 8", s.Eval("return math.pow(2, 3)"));
        Assert.Equal("(integer) 1", s.Eval("return math.mod(7, 3)"));
        Assert.Equal("\"Lua 5.1\"", s.Eval("return _VERSION"));
    }

    [Fact]
    public void Tostring_prints_integral_numbers_without_a_fraction_like_lua_51()
    {
        // redis-server 7.0.15: "3", "3", "5", "3.5", "1e+15", "9.007199254741e+15".
        Assert.Equal("[\"3\", \"3\", \"5\", \"3.5\", \"1e+15\", \"9.007199254741e+15\"]",
            s.Eval("return {tostring(3), tostring(3.0), tostring(10/2), tostring(7/2), tostring(1e15), tostring(2^53)}"));
    }

    [Fact]
    public void Redis_constants_and_helpers_are_there()
    {
        Assert.Equal("[\"7.2.0\", (integer) 459264, (integer) 0, (integer) 1, (integer) 2, (integer) 3, (integer) 0, (integer) 1, (integer) 2, (integer) 2, (integer) 3]",
            s.Eval("return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM, redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING, redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}"));
        Assert.Equal("[\"true\", \"false\", \"nil\", \"nil\"]",
            s.Eval("return {tostring(redis.replicate_commands()), tostring(redis.breakpoint()), tostring(redis.debug('x')), tostring(redis.set_repl(redis.REPL_ALL))}"));
        // redis-server: redis.sha1hex('abc') = a9993e364706816aba3e25717850c26c9cd0d89d
        Assert.Equal("\"a9993e364706816aba3e25717850c26c9cd0d89d\"", s.Eval("return redis.sha1hex('abc')"));
    }

    [Fact]
    public void Redis_log_goes_to_the_log_callback()
    {
        var lines = new List<(int, string)>();
        s.Engine.Log = (level, text) => lines.Add((level, text));
        s.Eval("redis.log(redis.LOG_WARNING, 'hello', 'world', 3)");
        Assert.Equal([(3, "hello world 3")], lines);
    }

    [Fact]
    public void Global_state_does_not_leak_between_scripts_through_globals()
    {
        Assert.StartsWith("(error)", s.Eval("_G.x = 1"));
        Assert.StartsWith("(error) ERR user_script:1: Script attempted to access nonexistent global variable 'x'", s.Eval("return x"));
    }

    [Fact]
    public void A_script_cannot_yield_its_own_runner()
    {
        Assert.StartsWith("(error) ERR user_script:1: attempt to yield from outside a coroutine", s.Eval("coroutine.yield(1)"));
        Assert.Equal("[(integer) 1, (integer) 2]",
            s.Eval("local co = coroutine.wrap(function() coroutine.yield(1) return 2 end) return {co(), co()}"));
    }
}
