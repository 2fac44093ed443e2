using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Orleans.Cache.Core.Tests.Engine;

/// <summary>
/// busy-reply-threshold on one partition: while a script holds the partition, other commands wait; once it has run past
/// the threshold (on the partition's clock, a fake one here) they answer Redis's BUSY until SCRIPT KILL or its end.
/// </summary>
public class BusyScriptTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private const string BusyEval = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

    private readonly FakeTimeProvider _time = new();
    private readonly PartitionEngine _engine;

    public BusyScriptTests() : this(lentVms: false) { }

    /// <param name="lentVms">EVAL runs on a VM lent by a silo-wide pool (as in a silo) rather than the partition's own.</param>
    protected BusyScriptTests(bool lentVms)
    {
        _engine = new PartitionEngine(_time) { BusyThreshold = TimeSpan.FromSeconds(5) };
        if (lentVms) _engine.Keyspace.ScriptVms = new Core.Scripting.ScriptVmPool(_time);
    }

    private static Command C(params string[] argv) => new(CommandTable.Find(argv[0])!, [.. argv.Select(Encoding.UTF8.GetBytes)]);

    /// <summary>Runs a command on its own thread, as another client's call would arrive.</summary>
    private Task<Reply> Send(params string[] argv) => Task.Factory.StartNew(() => _engine.TryExecute(C(argv))!, TaskCreationOptions.LongRunning);

    private bool ScriptRunning => _engine.ScriptRunning;

    [Fact]
    public async Task Commands_wait_for_a_script_then_answer_busy_past_the_threshold_until_script_kill()
    {
        var script = Send("EVAL", "while true do end", "0");
        Assert.True(SpinWait.SpinUntil(() => ScriptRunning, Deadline));

        var get = Send("GET", "k");
        await Task.WhenAny(get, Task.Delay(100)); // not a clock: only gives a wrongly unblocked command the time to show
        Assert.False(get.IsCompleted, "before the threshold a command waits for the script");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(BusyEval, (await get.WaitAsync(Deadline)).Text);
        Assert.Equal(BusyEval, (await Send("SET", "k", "v").WaitAsync(Deadline)).Text);
        Assert.Equal(BusyEval, _engine.TryExecuteTransaction([C("INCR", "n")], [])!.Text);
        Assert.True(_engine.TryBlock(C("BLPOP", "list", "0"), 0, 1000, Guid.NewGuid(), out var blocked));
        Assert.Equal(BusyEval, (await blocked).Reply!.Text);
        Assert.Equal(0, _engine.SweepExpired(100));

        Assert.Equal("OK", _engine.KillScript(function: false).Text);
        Assert.StartsWith("ERR Script killed by user with SCRIPT KILL...", (await script.WaitAsync(Deadline)).Text);
        Assert.Equal(ReplyKind.Null, _engine.TryExecute(C("GET", "k"))!.Kind);
        Assert.Equal(1, _engine.TryExecute(C("INCR", "n"))!.Integer);
    }

    [Fact]
    public async Task A_script_that_wrote_is_unkillable_and_keeps_its_writes()
    {
        var script = Send("EVAL", "redis.call('SET', KEYS[1], 'v') while true do end", "1", "k");
        Assert.True(SpinWait.SpinUntil(() => _engine.Keyspace.RunningScripts?.RunningScriptWrote == true, Deadline));
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(BusyEval, (await Send("GET", "k").WaitAsync(Deadline)).Text);
        Assert.StartsWith("UNKILLABLE Sorry the script already executed write commands", _engine.KillScript(function: false).Text);
        Assert.True(ScriptRunning);

        _engine.AbortScript(); // SHUTDOWN NOSAVE's way out
        await script.WaitAsync(Deadline);
        Assert.Equal("v", _engine.TryExecute(C("GET", "k"))!.Text);
    }

    [Fact]
    public async Task Function_kill_reaches_a_busy_function_and_script_kill_does_not()
    {
        Assert.Equal("spin", _engine.TryExecute(C("FUNCTION", "LOAD", "#!lua name=spin\nredis.register_function('spin', function() while true do end end)"))!.Text);
        var call = Send("FCALL", "spin", "0");
        Assert.True(SpinWait.SpinUntil(() => ScriptRunning, Deadline));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
            (await Send("GET", "k").WaitAsync(Deadline)).Text);
        Assert.Equal("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
            _engine.KillScript(function: false).Text);
        Assert.Equal("OK", _engine.KillScript(function: true).Text);
        Assert.StartsWith("ERR Script killed by user", (await call.WaitAsync(Deadline)).Text);
        Assert.Equal("NOTBUSY No scripts in execution right now.", _engine.KillScript(function: true).Text);
    }

    [Fact]
    public void Function_libraries_come_back_with_the_snapshot()
    {
        Assert.Equal("lib", _engine.TryExecute(C("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('hello', function() return 'hi' end)"))!.Text);
        var (data, _) = _engine.Fork();
        var restored = new PartitionEngine(_time);
        Snapshot.Load(data, restored.Keyspace);
        Assert.Equal("hi", restored.TryExecute(C("FCALL", "hello", "0"))!.Text);
        Assert.Equal(Snapshot.FormatVersion, Snapshot.ReadInfo(data).Version);
    }
}

/// <summary>The same, with EVAL on a VM the partition borrows from a silo-wide pool, as partitions in a silo do.</summary>
public sealed class BusyScriptOnLentVmTests() : BusyScriptTests(lentVms: true);
