namespace Orleans.Cache.Core.Tests.Scripting;

/// <summary>Error replies of EVAL, word for word as redis-server 7.0.15 answered the same scripts.</summary>
public class ScriptErrorTests : IDisposable
{
    private readonly ScriptSession s = new();

    public void Dispose() => s.Dispose();

    private static string Sha(string body) => Orleans.Cache.Core.Scripting.ScriptEngine.Sha1Hex(System.Text.Encoding.UTF8.GetBytes(body));

    [Fact]
    public void A_failing_redis_call_ends_the_script_with_the_commands_error_and_where_it_happened()
    {
        s.Db.Run("SET", "x", "1");
        const string body = "return redis.call('lpush','x','1')";
        Assert.Equal("(error) WRONGTYPE Operation against a key holding the wrong kind of value script: 0e2ee5aa41de101fe9645b96d5f3244acd73f4a3, on @user_script:1.",
            s.Eval(body));
        Assert.Equal("0e2ee5aa41de101fe9645b96d5f3244acd73f4a3", Sha(body));
    }

    [Fact]
    public void The_error_names_the_line_of_the_failing_call_inside_a_function()
    {
        s.Db.Run("SET", "x", "1");
        Assert.EndsWith("on @user_script:1.", s.Eval("local function f() return redis.call('lpush','x','1') end\nlocal a = 1\nreturn f()"));
        Assert.EndsWith("on @user_script:3.", s.Eval("local a = 1\nlocal b = 2\nlocal c = redis.call('lpush','x','1')\nreturn c"));
    }

    [Theory]
    [InlineData("return redis.call()", "ERR Please specify at least one argument for this redis lib call")]
    [InlineData("return redis.call('nosuch')", "ERR Unknown Redis command called from script")]
    [InlineData("return redis.call('get')", "ERR Wrong number of args calling Redis command from script")]
    [InlineData("return redis.call('save')", "ERR This Redis command is not allowed from script")]
    [InlineData("return redis.call('get', {})", "ERR Lua redis lib command arguments must be strings or integers")]
    [InlineData("return redis.call('get', true)", "ERR Lua redis lib command arguments must be strings or integers")]
    public void Redis_call_is_checked_before_the_command_runs(string body, string error)
    {
        Assert.Equal($"(error) {error} script: {Sha(body)}, on @user_script:1.", s.Eval(body));
        Assert.Empty(s.Host.Calls);
    }

    [Theory]
    [InlineData("return redis.pcall()", "ERR Please specify at least one argument for this redis lib call")]
    [InlineData("return redis.pcall('nosuch')", "ERR Unknown Redis command called from script")]
    [InlineData("return redis.pcall('get')", "ERR Wrong number of args calling Redis command from script")]
    [InlineData("return redis.pcall('get', {})", "ERR Lua redis lib command arguments must be strings or integers")]
    public void Redis_pcall_returns_the_same_checks_as_error_replies(string body, string error)
    {
        Assert.Equal("(error) " + error, s.Eval(body));
    }

    [Fact]
    public void Lua_errors_get_err_and_the_position()
    {
        Assert.Equal($"(error) ERR user_script:1: boom script: {Sha("error('boom')")}, on @user_script:1.", s.Eval("error('boom')"));
        Assert.StartsWith("(error) ERR foo bar script: ", s.Eval("error('foo bar', 0)"));
        Assert.StartsWith("(error) ERR user_script:1: 12 script: ", s.Eval("error(12)"));
        Assert.StartsWith("(error) MY boom script: ", s.Eval("error({err='MY boom'})"));
        Assert.StartsWith("(error) MYERR x script: ", s.Eval("error(redis.error_reply('MYERR x'))"));
        Assert.StartsWith("(error) ERR user_script:2: Script attempted to access nonexistent global variable 'x' script: ", s.Eval("local a = 1\nreturn x"));
    }

    [Fact]
    public void Pcall_of_redis_call_gives_the_error_text_and_xpcall_the_table()
    {
        s.Db.Run("SET", "x", "1");
        Assert.Equal("[(integer) 0, \"string\", \"WRONGTYPE Operation against a key holding the wrong kind of value\"]",
            s.Eval("local ok, e = pcall(redis.call, 'lpush', 'x', '1'); return {ok and 1 or 0, type(e), e}"));
        Assert.Equal("\"ERR Unknown Redis command called from script\"", s.Eval("local ok, e = pcall(redis.call, 'nosuch'); return e"));
        Assert.Equal("\"table\"", s.Eval("local ok, e = xpcall(function() return redis.call('lpush', 'x', '1') end, function(m) return type(m) end); return e"));
        // A caught error raised again with error(e, 0) is a plain string error, so it gets "ERR " in front.
        Assert.StartsWith("(error) ERR WRONGTYPE Operation against a key holding the wrong kind of value script: ",
            s.Eval("local ok, e = pcall(redis.call, 'lpush', 'x', '1'); error(e, 0)"));
    }

    [Fact]
    public void Error_reply_and_status_reply_build_reply_tables()
    {
        Assert.Equal("(error) My bad", s.Eval("return redis.error_reply('My bad')"));
        Assert.Equal("(error) ERR xx", s.Eval("return redis.error_reply('xx')"));
        Assert.Equal("(error) ERR xx", s.Eval("return redis.error_reply('-xx')"));
        Assert.Equal("(error) ERR x", s.Eval("return redis.error_reply('ERR x')"));
        Assert.Equal("st", s.Eval("return redis.status_reply('st')"));
        Assert.Equal("(error) ERR wrong number or type of arguments", s.Eval("return redis.status_reply(1)"));
        Assert.Equal("(error) ERR wrong number or type of arguments", s.Eval("return redis.error_reply()"));
    }

    [Fact]
    public void Compile_errors_use_redis_words()
    {
        Assert.Equal("(error) ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'", s.Eval("return 1 +"));
        Assert.Equal("(error) ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'",
            ScriptSession.Show(s.Engine.Load("return 1 +"u8.ToArray())));
    }

    [Fact]
    public void Read_only_runs_refuse_write_commands()
    {
        const string body = "return redis.call('set','a','b')";
        Assert.Equal($"(error) ERR Write commands are not allowed from read-only scripts. script: {Sha(body)}, on @user_script:1.", s.Eval(body, readOnly: true));
        Assert.Equal("(nil)", s.Db.Run("GET", "a"));
        Assert.Equal("(nil)", s.Eval("return redis.call('get','a')", readOnly: true));
    }

    [Fact]
    public void Redis_lib_argument_errors_match_redis()
    {
        Assert.StartsWith("(error) ERR RESP version must be 2 or 3. script: ", s.Eval("redis.setresp(4)"));
        Assert.StartsWith("(error) ERR redis.setresp() requires one argument. script: ", s.Eval("redis.setresp()"));
        Assert.StartsWith("(error) ERR wrong number of arguments script: ", s.Eval("return redis.sha1hex()"));
        Assert.StartsWith("(error) ERR Invalid debug level. script: ", s.Eval("redis.log(99, 'x')"));
        Assert.StartsWith("(error) ERR redis.log() requires two arguments or more. script: ", s.Eval("redis.log(1)"));
        Assert.StartsWith("(error) ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. script: ", s.Eval("redis.set_repl(99)"));
    }
}
