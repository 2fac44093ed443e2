using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Resp;

namespace Orleans.Cache.Tests.Resp;

/// <summary>CLIENT PAUSE's clock: ALL holds everything, WRITE only writes, the later end and the stricter mode win, UNPAUSE ends it.</summary>
public sealed class ClientPauseTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task All_holds_every_request_until_the_timeout_passes()
    {
        var pause = new ClientPause(_time);
        pause.Pause(TimeSpan.FromSeconds(5), all: true);
        Assert.True(pause.All);
        var read = pause.WaitAsync(writes: false, default).AsTask();
        Assert.False(read.IsCompleted); // nothing but the fake clock or UNPAUSE can end it
        _time.Advance(TimeSpan.FromSeconds(5));
        await read.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(pause.Active);
    }

    [Fact]
    public async Task Write_mode_lets_reads_through_and_a_later_all_pause_makes_it_stricter_and_longer()
    {
        var pause = new ClientPause(_time);
        pause.Pause(TimeSpan.FromSeconds(5), all: false);
        Assert.True(pause.WaitAsync(writes: false, default).IsCompleted);
        var write = pause.WaitAsync(writes: true, default).AsTask();
        pause.Pause(TimeSpan.FromSeconds(10), all: true);
        var read = pause.WaitAsync(writes: false, default).AsTask();
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(pause.All); // the later, stricter pause is still on at 6 s
        Assert.False(write.IsCompleted);
        Assert.False(read.IsCompleted);
        pause.Unpause();
        await Task.WhenAll(write, read).WaitAsync(TimeSpan.FromSeconds(5));
    }
}
