using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Orleans.Cache.Core.Tests.Engine;

/// <summary>CLIENT NO-TOUCH reaches the partition with each command: its reads leave OBJECT IDLETIME alone, TOUCH still touches.</summary>
public sealed class NoTouchTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PartitionEngine _engine;

    public NoTouchTests() => _engine = new PartitionEngine(_time);

    private static Command C(bool noTouch, params string[] argv) =>
        new(CommandTable.Find(argv[0])!, [.. argv.Select(Encoding.UTF8.GetBytes)]) { NoTouch = noTouch };

    private long Idle(string key) => _engine.TryExecute(C(false, "OBJECT", "IDLETIME", key))!.Integer;

    [Fact]
    public void No_touch_reads_keep_the_idle_time_in_batches_and_alone()
    {
        _engine.TryExecute(C(false, "SET", "k", "v"));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("v", _engine.TryExecute(C(true, "GET", "k"))!.Text);
        _engine.TryExecute([C(true, "STRLEN", "k"), C(true, "GETRANGE", "k", "0", "0")]);
        Assert.Equal(30, Idle("k"));

        Assert.Equal(1, _engine.TryExecute(C(true, "TOUCH", "k"))!.Integer);
        Assert.Equal(0, Idle("k"));

        _time.Advance(TimeSpan.FromSeconds(30));
        _engine.TryExecute(C(false, "GET", "k"));
        Assert.Equal(0, Idle("k"));
        _time.Advance(TimeSpan.FromSeconds(3));
        _engine.TryExecute([C(true, "GET", "k"), C(false, "OBJECT", "IDLETIME", "k")]);
        Assert.Equal(3, Idle("k"));
    }
}
