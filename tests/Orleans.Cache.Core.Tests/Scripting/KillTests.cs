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
        Assert.Equal("OK", ScriptSession.Show(s.Engine.Kill(function: false)));
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
    public void A_script_that_wrote_cannot_be_killed()
    {
        Assert.False(s.Engine.RunningScriptWrote);
        var run = Start("redis.call('set', 'k', 'v') while true do end");
        Assert.True(SpinWait.SpinUntil(() => s.Engine.RunningScriptWrote, Deadline));
        Assert.Equal("(error) UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the " +
            "script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.", ScriptSession.Show(s.Engine.Kill(function: false)));
        Assert.True(s.Engine.IsRunning);
        s.Engine.Abort(); // what SHUTDOWN NOSAVE does
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
        Assert.Equal("OK", ScriptSession.Show(s.Engine.Kill(function: false)));
        Assert.True(run.Thread.Join(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Kill_answers_notbusy_when_no_script_runs()
    {
        Assert.Equal("(error) NOTBUSY No scripts in execution right now.", ScriptSession.Show(s.Engine.Kill(function: false)));
        Assert.Equal("(error) NOTBUSY No scripts in execution right now.", ScriptSession.Show(s.Engine.Kill(function: true)));
    }

    [Fact]
    public void Function_kill_does_not_stop_an_eval_nor_script_kill_a_function()
    {
        // redis-server 7.0.15: FUNCTION KILL during an EVAL answers the EVAL's BUSY text, and the other way round.
        var run = Start("while true do end");
        Assert.True(SpinWait.SpinUntil(() => s.Engine.IsRunning, Deadline));
        Assert.Equal("(error) BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
            ScriptSession.Show(s.Engine.Kill(function: true)));
        Assert.Equal("OK", ScriptSession.Show(s.Engine.Kill(function: false)));
        Assert.True(run.Thread.Join(TimeSpan.FromSeconds(10)));

        s.Load("#!lua name=libf\nredis.register_function('spin', function() while true do end end)");
        Reply? reply = null;
        var thread = new Thread(() => reply = s.FcallRaw("spin")) { IsBackground = true };
        thread.Start();
        Assert.True(SpinWait.SpinUntil(() => s.Engine.IsRunning, Deadline));
        Assert.Equal("(error) BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
            ScriptSession.Show(s.Engine.Kill(function: false)));
        Assert.Equal("OK", ScriptSession.Show(s.Engine.Kill(function: true)));
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.StartsWith("ERR Script killed by user", reply!.Text);
    }

    [Fact]
    public void A_kill_that_answered_OK_wins_over_the_scripts_next_write()
    {
        // SCRIPT KILL arrives (here: while the script's GET runs) before the script's first write: OK, and the write never happens.
        Reply? kill = null;
        s.Host.BeforeCall = call => { if (call == "get k") kill = s.Engine.Kill(function: false); };
        var reply = s.EvalRaw("redis.call('get', 'k') redis.call('set', 'late', 'v') return 1");
        Assert.Equal("OK", ScriptSession.Show(kill!));
        Assert.StartsWith("ERR Script killed by user with SCRIPT KILL...", reply.Text);
        Assert.Equal(["get k"], s.Host.Calls);
        Assert.Equal("(nil)", ScriptSession.Show(s.Db.Db.Execute(CommandTable.Find("GET")!, ScriptSession.Bytes("GET", "late"))));
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
        Assert.Equal("OK", ScriptSession.Show(s.Engine.Kill(function: true)));
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal("ERR Script killed by user with SCRIPT KILL... script: loop, on @user_function:2.", reply!.Text);
    }
}
