using System.Text;
using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Core.Scripting;

namespace Orleans.Cache.Core.Tests.Scripting;

/// <summary>
/// Partitions that borrow the silo's Lua VMs for their scripts (<see cref="ScriptVmPool"/>): a VM carries nothing of one
/// partition into the next one's run, and a kill or a BUSY of one partition never touches another's script.
/// </summary>
public sealed class ScriptVmPoolTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptVmPool _pool;
    private readonly PartitionEngine _a, _b;

    public ScriptVmPoolTests()
    {
        _pool = new ScriptVmPool(_time);
        _a = new PartitionEngine(_time) { BusyThreshold = TimeSpan.FromSeconds(5) };
        _b = new PartitionEngine(_time) { BusyThreshold = TimeSpan.FromSeconds(5) };
        _a.Keyspace.ScriptVms = _b.Keyspace.ScriptVms = _pool;
    }

    public void Dispose() => _pool.Dispose();

    private static Command C(params string[] argv) => new(CommandTable.Find(argv[0])!, [.. argv.Select(Encoding.UTF8.GetBytes)]);

    private static Reply Run(PartitionEngine engine, params string[] argv) => engine.TryExecute(C(argv))!;

    private static string Show(Reply reply) => string.Join(" ", reply.Items!.Select(r => r.Text ?? r.Integer.ToString()));

    [Fact]
    public void One_VM_serves_partitions_in_turn_and_each_script_sees_only_its_own_keys_and_keyspace()
    {
        // Answers #KEYS, #ARGV and the key's value before the script set it ('none' when it had none).
        const string script = "local old = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1]) return {#KEYS, #ARGV, old or 'none'}";
        Assert.Equal("2 3 none", Show(Run(_a, "EVAL", script, "2", "k1", "k2", "x", "y", "z")));
        Assert.Equal("1 1 none", Show(Run(_b, "EVAL", script, "1", "k1", "v")));
        Assert.Equal("1 1 x", Show(Run(_a, "EVAL", script, "1", "k1", "w")));
        Assert.Equal("w", Run(_a, "GET", "k1").Text);
        Assert.Equal("v", Run(_b, "GET", "k1").Text);
        Assert.Equal(1, _pool.Created);
        // Neither partition made a VM of its own for EVAL.
        Assert.Null(_a.Keyspace.ScriptsIfStarted);
        Assert.Null(_b.Keyspace.ScriptsIfStarted);
    }

    [Fact]
    public void Evalsha_reaches_a_script_that_another_partition_ran()
    {
        const string script = "return 'hello ' .. KEYS[1]";
        Assert.Equal("hello a", Run(_a, "EVAL", script, "1", "a").Text);
        Assert.Equal("hello b", Run(_b, "EVALSHA", ScriptEngine.Sha1Hex(Encoding.UTF8.GetBytes(script)), "1", "b").Text);
        Assert.StartsWith("NOSCRIPT", Run(_b, "EVALSHA", new string('0', 40), "0").Text);
    }

    [Fact]
    public async Task Kill_and_busy_of_one_partition_leave_the_other_partitions_script_alone()
    {
        var spin = Task.Factory.StartNew(() => Run(_a, "EVAL", "while true do end", "0"), TaskCreationOptions.LongRunning);
        Assert.True(SpinWait.SpinUntil(() => _a.ScriptRunning, Deadline));
        _time.Advance(TimeSpan.FromSeconds(6));

        Assert.False(_b.ScriptRunning);
        Assert.Null(_b.Busy);
        Assert.Equal(1, Run(_b, "INCR", "n").Integer);
        Assert.Equal(2, Run(_b, "EVAL", "return 2", "0").Integer); // a second VM: the first is busy in _a
        Assert.Equal("NOTBUSY No scripts in execution right now.", _b.KillScript(function: false).Text);
        _b.AbortScript();
        Assert.StartsWith("BUSY", _a.Busy!.Text);
        Assert.True(_a.ScriptRunning);

        Assert.Equal("OK", _a.KillScript(function: false).Text);
        Assert.StartsWith("ERR Script killed by user with SCRIPT KILL...", (await spin.WaitAsync(Deadline)).Text);
        Assert.False(_a.ScriptRunning);
        Assert.Equal(2, _pool.Created);
    }
}
