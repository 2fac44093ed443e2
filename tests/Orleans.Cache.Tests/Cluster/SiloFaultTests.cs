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
        await Task.Delay(50);
        Assert.Equal(1, calls); // not before its back-off
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Until(() => calls == 2);
        Assert.False(result.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal("served", await result);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_connection_that_never_opened_is_retried_and_after_the_budget_the_client_hears_tryagain_not_applied()
    {
        int calls = 0;
        var result = SiloFaults.RetryAsync<string>(() => { calls++; throw new ConnectionFailedException("Unable to connect to endpoint S127.0.0.1:11111:0"); },
            harmless: false, _time).AsTask();
        for (int i = 0; i < 40 && !result.IsCompleted; i++)
        {
            int before = calls;
            _time.Advance(TimeSpan.FromSeconds(1));
            await Until(() => calls > before || result.IsCompleted);
        }
        var error = await Assert.ThrowsAsync<ConnectionFailedException>(() => result);
        Assert.True(calls > 5, $"only {calls} calls");
        var reply = SiloFaults.ErrorReply(error);
        Assert.StartsWith("TRYAGAIN ", reply.Text);
        Assert.Contains("was not applied", reply.Text);
        Assert.DoesNotContain("S127.0.0.1", reply.Text);
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
        _time.Advance(TimeSpan.FromMilliseconds(50));
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

    /// <summary>Waits for the retry's continuation after the fake clock moved (it runs on the thread pool).</summary>
    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the retry never ran");
            await Task.Yield();
        }
    }

    /// <summary>Orleans's rejection of a request (its constructor is internal: Orleans alone raises it).</summary>
    private static Exception Rejection(string message) =>
        (Exception)Activator.CreateInstance(typeof(OrleansMessageRejectionException), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance,
            null, [message], null)!;

    private static Command Resolve(params string[] argv) =>
        CommandRouter.Resolve([.. argv.Select(System.Text.Encoding.UTF8.GetBytes)], out _) ?? throw new InvalidOperationException(argv[0]);
}
