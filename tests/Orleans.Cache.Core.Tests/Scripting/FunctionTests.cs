using System.Text;

namespace Orleans.Cache.Core.Tests.Scripting;

/// <summary>Redis 7 functions: FUNCTION LOAD / LIST / DELETE / FLUSH / DUMP / RESTORE and FCALL(_RO); texts as redis-server 7.0.15 answers.</summary>
public class FunctionTests : IDisposable
{
    private readonly ScriptSession s = new();

    public void Dispose() => s.Dispose();

    private const string Lib1 = "#!lua name=lib1\n" +
        "redis.register_function('f1', function(keys, args) return {keys[1], args[1]} end)\n" +
        "redis.register_function{function_name='f2', callback=function(keys, args) return redis.call('set', keys[1], 'v') end, flags={'no-writes'}, description='desc2'}";

    [Fact]
    public void Load_answers_the_library_name_and_fcall_passes_keys_and_args()
    {
        Assert.Equal("\"lib1\"", s.Load(Lib1));
        Assert.Equal("[\"k\", \"a\"]", s.Fcall("f1", ["k"], ["a"]));
    }

    [Fact]
    public void Loading_a_library_twice_needs_replace()
    {
        s.Load(Lib1);
        Assert.Equal("(error) ERR Library 'lib1' already exists", s.Load(Lib1));
        Assert.Equal("\"lib1\"", s.Load("#!lua name=lib1\nredis.register_function('f1', function() return 'new' end)", replace: true));
        Assert.Equal("\"new\"", s.Fcall("f1"));
        Assert.Equal("(error) ERR Function not found", s.Fcall("f2"));
    }

    [Fact]
    public void A_function_name_belongs_to_one_library()
    {
        s.Load(Lib1);
        Assert.Equal("(error) ERR Function f1 already exists", s.Load("#!lua name=lib2\nredis.register_function('f1', function() return 1 end)"));
        Assert.Equal("(error) ERR Function f1 already exists", s.Load("#!lua name=lib2\nredis.register_function('f1', function() return 1 end)", replace: true));
    }

    [Theory]
    [InlineData("redis.register_function('f1', function() return 1 end)", "ERR Missing library metadata")]
    [InlineData("#!lua", "ERR Invalid library metadata")]
    [InlineData("#!js name=lib3\n", "ERR Engine 'js' not found")]
    [InlineData("#!lua name=lib3\n", "ERR No functions registered")]
    [InlineData("#!lua name=lib-3!\n", "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")]
    [InlineData("#!lua name=lib3 name=lib4\n", "ERR Invalid metadata value, name argument was given multiple times")]
    [InlineData("#!lua name=lib3\nreturn 1 +", "ERR Error compiling function: user_function:2: unexpected symbol near '<eof>'")]
    [InlineData("#!lua name=lib3\nredis.call('ping')", "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'")]
    [InlineData("#!lua name=lib3\nredis.register_function('f3', 1)", "ERR Error registering functions: ERR second argument to redis.register_function must be a function")]
    [InlineData("#!lua name=lib3\nredis.register_function('f 3', function() end)", "ERR Error registering functions: ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")]
    [InlineData("#!lua name=lib3\nredis.register_function{function_name='f3', callback=function() end, flags={'bogus'}}", "ERR Error registering functions: ERR unknown flag given")]
    [InlineData("#!lua name=lib3\nredis.register_function{function_name='f3', callback=function() end, foo=1}", "ERR Error registering functions: ERR unknown argument given to redis.register_function")]
    [InlineData("#!lua name=lib3\nredis.register_function{callback=function() return 1 end}", "ERR Error registering functions: ERR redis.register_function must get a function name argument")]
    [InlineData("#!lua name=lib3\nredis.register_function{function_name='f5'}", "ERR Error registering functions: ERR redis.register_function must get a callback argument")]
    [InlineData("#!lua name=lib3\nredis.register_function('f5')", "ERR Error registering functions: ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")]
    [InlineData("#!lua name=lib3\nredis.register_function('f3', function() return 1 end)\nredis.register_function('f3', function() return 1 end)", "ERR Error registering functions: ERR Function already exists in the library")]
    [InlineData("#!lua name=lib3\nlocal x = KEYS", "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'KEYS'")]
    [InlineData("#!lua name=lib3\nx = 1", "ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table")]
    [InlineData("#!lua name=lib3\nlocal t = pairs", "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'pairs'")]
    public void Load_errors_match_redis(string code, string error)
    {
        Assert.Equal("(error) " + error, s.Load(code));
        Assert.Empty(s.Engine.Libraries);
    }

    [Fact]
    public void Functions_see_the_full_library_set_when_they_run()
    {
        s.Load("#!lua name=lib\nredis.register_function('f', function(keys, args) return cjson.encode({n = #keys, t = type(pairs)}) end)");
        var reply = s.FcallRaw("f", ["k"]);
        Assert.Contains("\"n\":1", reply.Text);
        Assert.Contains("\"t\":\"function\"", reply.Text);
    }

    [Fact]
    public void Fcall_errors_name_the_function_and_its_line()
    {
        s.Load("#!lua name=lib4\n" +
               "redis.register_function('f4', function() error('x') end)\n" +
               "redis.register_function('f5', function() local a = nil; return a.b end)\n" +
               "redis.register_function('f6', function() return redis.call('nosuch') end)");
        Assert.Equal("(error) ERR user_function:2: x script: f4, on @user_function:2.", s.Fcall("f4"));
        Assert.StartsWith("(error) ERR user_function:3: attempt to index a nil value (local 'a') script: f5, on @user_function:3.", s.Fcall("f5"));
        Assert.Equal("(error) ERR Unknown Redis command called from script script: f6, on @user_function:4.", s.Fcall("f6"));
        Assert.Equal("(error) ERR Function not found", s.Fcall("nosuch"));
    }

    [Fact]
    public void A_no_writes_function_runs_read_only()
    {
        s.Load(Lib1);
        Assert.Equal("(error) ERR Write commands are not allowed from read-only scripts. script: f2, on @user_function:3.", s.Fcall("f2", ["k"]));
        Assert.Equal("(nil)", s.Db.Run("GET", "k"));
    }

    [Fact]
    public void Fcall_ro_refuses_a_function_without_no_writes()
    {
        s.Load(Lib1);
        Assert.Equal("(error) ERR Can not execute a script with write flag using *_ro command.", s.Fcall("f1", ["k"], readOnly: true));
        Assert.Equal("(error) ERR Write commands are not allowed from read-only scripts. script: f2, on @user_function:3.", s.Fcall("f2", ["k"], readOnly: true));
    }

    [Fact]
    public void A_function_can_write()
    {
        s.Load("#!lua name=w\nredis.register_function('setter', function(keys, args) return redis.call('set', keys[1], args[1]) end)");
        Assert.Equal("OK", s.Fcall("setter", ["k"], ["v"]));
        Assert.Equal("\"v\"", s.Db.Run("GET", "k"));
    }

    [Fact]
    public void List_shows_libraries_in_redis_shape()
    {
        s.Load(Lib1);
        Assert.Equal("[{\"library_name\": \"lib1\", \"engine\": \"LUA\", \"functions\": [" +
                     "{\"name\": \"f1\", \"description\": (nil), \"flags\": ~[]}, " +
                     "{\"name\": \"f2\", \"description\": \"desc2\", \"flags\": ~[no-writes]}]}]",
            ScriptSession.Show(s.Engine.FunctionList(null, withCode: false)));
        var withCode = s.Engine.FunctionList("lib*", withCode: true);
        Assert.Equal(Lib1, withCode.Items![0].Items![7].Text);
        Assert.Equal("[]", ScriptSession.Show(s.Engine.FunctionList("other*", withCode: false)));
    }

    [Fact]
    public void Delete_and_flush_remove_libraries()
    {
        s.Load(Lib1);
        Assert.Equal("(error) ERR Library not found", ScriptSession.Show(s.Engine.FunctionDelete("nosuch")));
        Assert.Equal("OK", ScriptSession.Show(s.Engine.FunctionDelete("lib1")));
        Assert.Equal("(error) ERR Function not found", s.Fcall("f1"));
        s.Load(Lib1);
        s.Engine.FunctionFlush();
        Assert.Empty(s.Engine.Libraries);
        Assert.Equal("\"lib1\"", s.Load(Lib1));
    }

    [Fact]
    public void Dump_and_restore_round_trip()
    {
        s.Load(Lib1);
        s.Load("#!lua name=lib2\nredis.register_function('g', function() return 'g' end)");
        var dump = s.Engine.FunctionDump();

        using var other = new ScriptSession();
        Assert.Equal("OK", ScriptSession.Show(other.Engine.FunctionRestore(dump, "APPEND")));
        Assert.Equal(["lib1", "lib2"], other.Engine.Libraries.Select(l => l.Library).Order());
        Assert.Equal("\"g\"", other.Fcall("g"));
        Assert.Equal(Lib1, Encoding.UTF8.GetString(other.Engine.Libraries.First(l => l.Library == "lib1").Code));
    }

    [Fact]
    public void Restore_policies_append_replace_and_flush()
    {
        s.Load(Lib1);
        var dump = s.Engine.FunctionDump();
        Assert.Equal("(error) ERR Library 'lib1' already exists", ScriptSession.Show(s.Engine.FunctionRestore(dump, "APPEND")));
        Assert.Equal("OK", ScriptSession.Show(s.Engine.FunctionRestore(dump, "REPLACE")));
        s.Load("#!lua name=extra\nredis.register_function('e', function() return 1 end)");
        Assert.Equal("OK", ScriptSession.Show(s.Engine.FunctionRestore(dump, "flush")));
        Assert.Equal(["lib1"], s.Engine.Libraries.Select(l => l.Library));
        Assert.Equal("(error) ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            ScriptSession.Show(s.Engine.FunctionRestore(dump, "MERGE")));
    }

    [Fact]
    public void Restore_of_a_corrupt_payload_is_refused()
    {
        s.Load(Lib1);
        var dump = s.Engine.FunctionDump();
        dump[10] ^= 0xff;
        Assert.Equal("(error) ERR DUMP payload version or checksum are wrong", ScriptSession.Show(s.Engine.FunctionRestore(dump, "APPEND")));
        Assert.Equal("(error) ERR DUMP payload version or checksum are wrong", ScriptSession.Show(s.Engine.FunctionRestore("garbage"u8.ToArray(), "APPEND")));
    }

    [Fact]
    public void Functions_do_not_see_eval_keys()
    {
        s.Eval("return 1", ["a"]);
        s.Load("#!lua name=k\nredis.register_function('k', function() return KEYS end)");
        Assert.StartsWith("(error) ERR user_function:2: Script attempted to access nonexistent global variable 'KEYS'", s.Fcall("k"));
    }
}
