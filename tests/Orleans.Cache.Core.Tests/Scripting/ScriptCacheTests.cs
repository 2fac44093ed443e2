using System.Text;
using Orleans.Cache.Core.Scripting;

namespace Orleans.Cache.Core.Tests.Scripting;

/// <summary>SCRIPT LOAD / EXISTS / FLUSH, EVALSHA and the script cache; shebang flags of EVAL scripts (redis-server 7.0.15 texts).</summary>
public class ScriptCacheTests : IDisposable
{
    private readonly ScriptSession s = new();

    public void Dispose() => s.Dispose();

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Load_answers_the_lower_case_sha1_of_the_body()
    {
        // redis-server: SCRIPT LOAD "return 1" → e0e1f9fabfc9d4800c877a703b823ac0578ff8db
        Assert.Equal("\"e0e1f9fabfc9d4800c877a703b823ac0578ff8db\"", ScriptSession.Show(s.Engine.Load(B("return 1"))));
        Assert.True(s.Engine.Exists("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"));
        Assert.True(s.Engine.Exists("E0E1F9FABFC9D4800C877A703B823AC0578FF8DB"));
        Assert.False(s.Engine.Exists("ffffffffffffffffffffffffffffffffffffffff"));
    }

    [Fact]
    public void Evalsha_runs_a_loaded_script_with_its_keys_and_args()
    {
        s.Engine.Load(B("return {KEYS[1], ARGV[1]}"));
        var reply = s.Engine.EvalSha(B(ScriptEngine.Sha1Hex(B("return {KEYS[1], ARGV[1]}"))), ScriptSession.Bytes("k"), ScriptSession.Bytes("a"), s.Host, new ScriptOptions());
        Assert.Equal("[\"k\", \"a\"]", ScriptSession.Show(reply));
    }

    [Fact]
    public void Evalsha_of_an_unknown_sha_is_noscript()
    {
        var reply = s.Engine.EvalSha("ffffffffffffffffffffffffffffffffffffffff"u8, [], [], s.Host, new ScriptOptions());
        Assert.Equal("(error) NOSCRIPT No matching script. Please use EVAL.", ScriptSession.Show(reply));
    }

    [Fact]
    public void Eval_caches_the_script_so_evalsha_finds_it()
    {
        s.Eval("return 'cached'");
        var reply = s.Engine.EvalSha(B(ScriptEngine.Sha1Hex(B("return 'cached'"))), [], [], s.Host, new ScriptOptions());
        Assert.Equal("\"cached\"", ScriptSession.Show(reply));
        // The sha in any case, as Redis takes it; a sha of the wrong length is no script.
        reply = s.Engine.EvalSha(B(ScriptEngine.Sha1Hex(B("return 'cached'")).ToUpperInvariant()), [], [], s.Host, new ScriptOptions());
        Assert.Equal("\"cached\"", ScriptSession.Show(reply));
        reply = s.Engine.EvalSha(B(ScriptEngine.Sha1Hex(B("return 'cached'"))[..39]), [], [], s.Host, new ScriptOptions());
        Assert.Equal("(error) NOSCRIPT No matching script. Please use EVAL.", ScriptSession.Show(reply));
    }

    [Fact]
    public void Eval_of_the_same_body_twice_compiles_once()
    {
        s.Eval("return 1");
        s.Eval("return 1");
        s.Engine.Load(B("return 1"));
        Assert.Equal(1, s.Engine.Compilations);
    }

    [Fact]
    public void Flush_drops_scripts_but_not_functions()
    {
        s.Eval("return 1");
        s.Load("#!lua name=lib\nredis.register_function('f', function() return 1 end)");
        s.Engine.Flush();
        Assert.False(s.Engine.Exists(ScriptEngine.Sha1Hex(B("return 1"))));
        Assert.Equal("(integer) 1", s.Fcall("f"));
    }

    [Fact]
    public void Scripts_do_not_see_the_keys_of_an_earlier_run()
    {
        s.Eval("return 1", ["a", "b"], ["x"]);
        Assert.Equal("[(integer) 0, (integer) 0]", s.Eval("return {#KEYS, #ARGV}"));
    }

    [Fact]
    public void Shebang_no_writes_makes_the_script_read_only()
    {
        Assert.Equal("(error) ERR Write commands are not allowed from read-only scripts. script: 6acb400a50fe96e33eca4e0af6e9dcfb21193726, on @user_script:2.",
            s.Eval("#!lua flags=no-writes\nreturn redis.call('set','a','b')"));
        Assert.Equal("(integer) 1", s.Eval("#!lua flags=no-writes\nreturn 1", readOnly: true));
    }

    [Theory]
    [InlineData("#!lua flags=bogus\nreturn 1", "ERR Unexpected flag in script shebang: bogus")]
    [InlineData("#!js\nreturn 1", "ERR Unexpected engine in script shebang: #!js")]
    [InlineData("#!lua foo=bar\nreturn 1", "ERR Unknown lua shebang option: foo=bar")]
    [InlineData("#!lua", "ERR Invalid script shebang")]
    public void Shebang_errors_match_redis(string body, string error)
    {
        Assert.Equal("(error) " + error, s.Eval(body));
    }

    [Fact]
    public void Eval_ro_of_a_shebang_script_without_no_writes_is_refused()
    {
        Assert.Equal("(error) ERR Can not execute a script with write flag using *_ro command.", s.Eval("#!lua\nreturn 1", readOnly: true));
    }

    [Fact]
    public void Shebang_keeps_line_numbers()
    {
        Assert.StartsWith("(error) ERR user_script:2: Script attempted to access nonexistent global variable 'x' script: ", s.Eval("#!lua\nreturn x"));
    }

    [Fact]
    public void Host_sees_the_command_with_numbers_converted()
    {
        s.Eval("redis.call('set', 'k', 42)");
        Assert.Equal(["set k 42"], s.Host.Calls);
    }
}
