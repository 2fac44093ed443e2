using System.Text;
using Orleans.Cache.Core.Scripting;

namespace Orleans.Cache.Core.Tests.Scripting;

/// <summary>SCRIPT KILL from another thread; the error text is redis-server 7.0.15's.</summary>
public class KillTests : IDisposable
{
    private readonly ScriptSession s = new();

    /// <summary>How long a test waits for the script's thread to reach a state (polled, no sleep).</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public void Dispose() => s.Dispose();

    /// <summary>Runs a script on its own thread, as a partition would while SCRIPT KILL arrives on another.</summary>
    private (Thread Thread, Func<Reply?> Result) Start(string body)
    {
        Reply? reply = null;
        var thread = new Thread(() => reply = s.EvalRaw(body)) { IsBackground = true };
        thread.Start();
        return (thread, () => reply);
    }

    private Reply RunAndKill(string body)
    {
        var run = Start(body);
        Assert.True(SpinWait.SpinUntil(() => s.Engine.IsRunning, Deadline));
        s.Time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(TimeSpan.FromMilliseconds(50), s.Engine.RunningFor);
        s.Engine.Kill();
        Assert.True(run.Thread.Join(TimeSpan.FromSeconds(10)), "the script did not stop");
        Assert.False(s.Engine.IsRunning);
        return run.Result()!;
    }

    [Fact]
    public void Kill_stops_an_endless_loop_with_redis_error()
    {
        const string body = "while true do end";
        var sha = ScriptEngine.Sha1Hex(Encoding.UTF8.GetBytes(body));
        Assert.Equal($"(error) ERR Script killed by user with SCRIPT KILL... script: {sha}, on @user_script:1.", ScriptSession.Show(RunAndKill(body)));
        Assert.Equal("(integer) 1", s.Eval("return 1"));
    }

    [Fact]
    public void Kill_cannot_be_caught_by_pcall()
    {
        var reply = RunAndKill("while true do pcall(function() while true do end end) end");
        Assert.StartsWith("ERR Script killed by user with SCRIPT KILL...", reply.Text);
    }

    [Fact]
    public void Kill_stops_a_loop_inside_the_scripts_own_coroutine()
    {
        var reply = RunAndKill("local co = coroutine.wrap(function() while true do end end)\nwhile true do co() end");
        Assert.StartsWith("ERR Script killed by user with SCRIPT KILL...", reply.Text);
    }

    [Fact]
    public void A_script_that_wrote_says_so_while_it_runs()
    {
        Assert.False(s.Engine.RunningScriptWrote);
        var run = Start("redis.call('set', 'k', 'v') while true do end");
        Assert.True(SpinWait.SpinUntil(() => s.Engine.RunningScriptWrote, Deadline));
        s.Engine.Kill();
        Assert.True(run.Thread.Join(TimeSpan.FromSeconds(10)));
        Assert.False(s.Engine.RunningScriptWrote);
    }

    [Fact]
    public void A_script_that_only_read_did_not_write()
    {
        var run = Start("redis.call('get', 'k') while true do end");
        // Once its GET has run, the script only loops: it has read and not written.
        Assert.True(SpinWait.SpinUntil(() => s.Host.CallCount > 0, Deadline));
        Assert.True(s.Engine.IsRunning);
        Assert.False(s.Engine.RunningScriptWrote);
        s.Engine.Kill();
        Assert.True(run.Thread.Join(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Kill_stops_a_function_with_its_name_and_line()
    {
        // redis-server 7.0.15 (FUNCTION KILL): "ERR Script killed by user with SCRIPT KILL... script: loop, on @user_function:2."
        s.Load("#!lua name=libk\nredis.register_function('loop', function() while true do end end)");
        Reply? reply = null;
        var thread = new Thread(() => reply = s.FcallRaw("loop")) { IsBackground = true };
        thread.Start();
        Assert.True(SpinWait.SpinUntil(() => s.Engine.IsRunning, Deadline));
        s.Engine.Kill();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal("ERR Script killed by user with SCRIPT KILL... script: loop, on @user_function:2.", reply!.Text);
    }
}
