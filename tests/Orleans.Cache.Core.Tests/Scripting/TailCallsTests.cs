using System.Text;
using Orleans.Cache.Core.Scripting;

namespace Orleans.Cache.Core.Tests.Scripting;

/// <summary>Which scripts run with the plain redis table, and the one change made to them (see <see cref="TailCalls"/>).</summary>
public class TailCallsTests : IDisposable
{
    private readonly ScriptSession s = new();

    public void Dispose() => s.Dispose();

    [Theory]
    [InlineData("return redis.call('GET', KEYS[1])", "return (redis.call('GET', KEYS[1]))")]
    [InlineData("return redis.call('A', redis.call('B'))", "return (redis.call('A', redis.call('B')))")]
    [InlineData("if x then return redis.call('a') else return redis.pcall('b') end", "if x then return (redis.call('a')) else return (redis.pcall('b')) end")]
    [InlineData("while true do return redis.call('a'); end", "while true do return (redis.call('a')); end")]
    [InlineData("repeat return redis.call(\"a\") until true", "repeat return (redis.call(\"a\")) until true")]
    [InlineData("local x = redis.call('a')\nreturn x", "local x = redis.call('a')\nreturn x")]
    [InlineData("return redis.call('a') .. 'b'", "return redis.call('a') .. 'b'")]
    [InlineData("return redis.call('a')[1]", "return redis.call('a')[1]")]
    [InlineData("return (redis.call('a'))", "return (redis.call('a'))")]
    [InlineData("-- return redis.call(\nreturn 'redis.call(' .. [==[ redis ]==]", "-- return redis.call(\nreturn 'redis.call(' .. [==[ redis ]==]")]
    [InlineData("--[[ redis ]] local s = 'it''s' return x.redis.y()", "--[[ redis ]] local s = 'it''s' return x.redis.y()")]
    [InlineData("return 1e+5, 0x1p-3, redis.sha1hex('x')", "return 1e+5, 0x1p-3, redis.sha1hex('x')")]
    public void Scripts_that_only_call_redis_functions_directly_run_with_the_plain_table(string code, string compiled)
    {
        Assert.True(TailCalls.TryRewrite(Encoding.UTF8.GetBytes(code), out var rewritten));
        Assert.Equal(compiled, Encoding.UTF8.GetString(rewritten));
    }

    [Theory]
    [InlineData("local call = redis.call return call('x')")]
    [InlineData("local redis = { call = function() return 1, 2 end } return redis.call()")]
    [InlineData("return redis:call('x')")]
    [InlineData("return redis.call 'x'")]
    [InlineData("local t = { redis = 1 } return redis.call('x')")]
    [InlineData("return redis.call('x'")]
    [InlineData("return 'unterminated")]
    public void Other_scripts_keep_the_tracked_table(string code)
    {
        Assert.False(TailCalls.TryRewrite(Encoding.UTF8.GetBytes(code), out _));
    }

    [Fact]
    public void Errors_name_the_line_either_way_and_a_rewritten_script_sees_the_same_redis_and_G()
    {
        s.Db.Run("SET", "x", "1");
        Assert.EndsWith("on @user_script:2.", s.Eval("local a = 1\nreturn redis.call('lpush','x','1')"));
        Assert.EndsWith("on @user_script:3.", s.Eval("local t = {}\nt.n = 1\nreturn redis.pcall('lpush','x','1') and redis.call('lpush','x','1')"));
        Assert.EndsWith("on @user_script:2.", s.Eval("local call = redis.call\nlocal r = redis.call('lpush','x','1')\nreturn r"));
        // redis-server 7.0.15 answers the same for each of these.
        Assert.Equal("[\"true\", \"true\"]", s.Eval("return {tostring(_G.redis == redis), tostring(_G == _G._G)}"));
        Assert.Equal("\"1\"", s.Eval("return redis.call('GET', 'x')"));
    }
}
