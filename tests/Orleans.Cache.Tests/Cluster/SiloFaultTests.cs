using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Core;
using Orleans.Cache.Execution;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>
/// What a client sees when a grain call fails because a silo stops or dies: a call that did not run is sent again (back-off
/// on a fake clock) until the partition answers; one whose fate is unknown is repeated only if it writes nothing; else
/// -TRYAGAIN, never Orleans's own text.
/// </summary>
public sealed class SiloFaultTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_call_a_stopping_silo_refused_is_sent_again_until_the_partition_answers()
    {
        int calls = 0;
        var result = SiloFaults.RetryAsync<string>(() => ++calls < 3 ? throw Rejection("Silo stopping") : ValueTask.FromResult("served"),
            harmless: false, _time).AsTask();
        Assert.Equal(1, calls);
        _time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(1, calls); // not before its back-off
        await AdvanceUntil(() => calls == 2, TimeSpan.FromMilliseconds(1));
        await AdvanceUntil(() => result.IsCompleted, TimeSpan.FromMilliseconds(100));
        Assert.Equal("served", await result);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_connection_that_never_opened_is_retried_and_after_the_budget_the_client_hears_tryagain_not_applied()
    {
        int calls = 0;
        var result = SiloFaults.RetryAsync<string>(() => { calls++; throw new ConnectionFailedException("Unable to connect to endpoint S127.0.0.1:11111:0"); },
            harmless: false, _time).AsTask();
        await AdvanceUntil(() => result.IsCompleted, TimeSpan.FromMilliseconds(250));
        var error = await Assert.ThrowsAsync<ConnectionFailedException>(() => result);
        Assert.True(calls > 5, $"only {calls} calls");
        var reply = SiloFaults.ErrorReply(error);
        Assert.StartsWith("TRYAGAIN ", reply.Text);
        Assert.Contains("was not applied", reply.Text);
        Assert.DoesNotContain("S127.0.0.1", reply.Text);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(20)]
    public async Task Calls_are_retried_for_the_configured_failover_wait_and_not_longer(int seconds)
    {
        int calls = 0;
        var start = _time.GetUtcNow();
        var result = SiloFaults.RetryAsync<string>(() => { calls++; throw new ConnectionFailedException("Unable to connect"); },
            harmless: false, _time, TimeSpan.FromSeconds(seconds)).AsTask();
        await AdvanceUntil(() => result.IsCompleted, TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAsync<ConnectionFailedException>(() => result);
        Assert.InRange((_time.GetUtcNow() - start).TotalSeconds, seconds, seconds + 1.2); // the last back-off is at most 1 s
    }

    [Fact]
    public async Task A_write_whose_silo_died_while_it_ran_is_not_repeated_and_answers_tryagain_fate_unknown()
    {
        int calls = 0;
        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => SiloFaults.RetryAsync<string>(
            () => { calls++; throw new SiloUnavailableException("The target silo became unavailable for message: Request [S127.0.0.1:11111:1]"); },
            harmless: false, _time).AsTask());
        Assert.Equal(1, calls);
        Assert.Equal(SiloFaults.FateUnknown, SiloFaults.ErrorReply(error));
        Assert.DoesNotContain("S127.0.0.1", SiloFaults.ErrorReply(error).Text);
    }

    [Fact]
    public async Task A_read_whose_silo_died_is_simply_asked_again()
    {
        int calls = 0;
        var result = SiloFaults.RetryAsync<int>(() => ++calls == 1 ? throw new SiloUnavailableException("gone") : ValueTask.FromResult(7), harmless: true, _time).AsTask();
        Assert.False(result.IsCompleted);
        await AdvanceUntil(() => result.IsCompleted, TimeSpan.FromMilliseconds(50));
        Assert.Equal(7, await result);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Only_commands_that_write_nothing_count_as_harmless_to_repeat()
    {
        Assert.True(SiloFaults.Harmless([Resolve("GET", "k"), Resolve("MGET", "a", "b"), Resolve("TTL", "k")]));
        Assert.False(SiloFaults.Harmless([Resolve("GET", "k"), Resolve("INCR", "k")]));
        Assert.False(SiloFaults.Harmless([Resolve("EVAL", "return 1", "0")]));
    }

    [Fact]
    public void Any_other_failure_is_an_err_reply_with_its_message()
    {
        Assert.Equal("ERR boom", SiloFaults.ErrorReply(new InvalidOperationException("boom")).Text);
    }

    /// <summary>
    /// Moves the fake clock by <paramref name="step"/> until <paramref name="done"/>: a retry's continuation runs on the
    /// thread pool, so its next back-off may start after a given advance; the next one then fires it.
    /// </summary>
    private async Task AdvanceUntil(Func<bool> done, TimeSpan step)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the retry never ran");
            _time.Advance(step);
            await Task.Delay(1);
        }
    }

    /// <summary>Orleans's rejection of a request (its constructor is internal: Orleans alone raises it).</summary>
    private static Exception Rejection(string message) =>
        (Exception)Activator.CreateInstance(typeof(OrleansMessageRejectionException), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance,
            null, [message], null)!;

    private static Command Resolve(params string[] argv) =>
        CommandRouter.Resolve([.. argv.Select(System.Text.Encoding.UTF8.GetBytes)], out _) ?? throw new InvalidOperationException(argv[0]);
}
