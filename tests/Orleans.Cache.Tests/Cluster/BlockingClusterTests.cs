using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Core;
using Orleans.Cache.Execution;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>Blocking pops across silos: waiters are woken by writes from any silo, in arrival order, without blocking the partition.</summary>
public sealed class BlockingClusterTests(ThreeSiloFixture fixture) : IClassFixture<ThreeSiloFixture>
{
    private CacheCluster C => fixture.Cache;
    private ICommandExecutor On(int silo) => C.Cluster.Silos[silo].ServiceProvider.GetRequiredService<ICommandExecutor>();
    private static byte[][] Cmd(params string[] args) => args.Select(Encoding.UTF8.GetBytes).ToArray();
    private static string Key([System.Runtime.CompilerServices.CallerMemberName] string name = "") => "{" + name + Guid.NewGuid().ToString("N")[..6] + "}";
    private static string[] Texts(Reply r) => r.Items!.Select(i => i.Text!).ToArray();

    /// <summary>A command on the same partition after the blocking call has registered its waiter.</summary>
    private static Task Fence(ICommandExecutor on, string key) => on.ExecuteAsync(Cmd("EXISTS", key)).AsTask();

    [Fact]
    public async Task A_push_from_another_silo_wakes_a_blocked_pop_and_the_partition_keeps_serving_meanwhile()
    {
        var key = Key();
        var pop = On(0).ExecuteAsync(Cmd("BLPOP", key, "0")).AsTask();
        await Fence(On(0), key);
        Assert.False(pop.IsCompleted);
        // The partition is not blocked: other commands on it are answered while the pop waits.
        Assert.Equal("OK", (await On(1).ExecuteAsync(Cmd("SET", key + "other", "x"))).Text);
        await On(2).ExecuteAsync(Cmd("RPUSH", key, "job-1"));
        Assert.Equal([key, "job-1"], Texts(await pop.WaitAsync(TimeSpan.FromSeconds(10))));
        Assert.Equal(0, (await On(1).ExecuteAsync(Cmd("EXISTS", key))).Integer);
    }

    [Fact]
    public async Task Waiters_are_served_in_arrival_order()
    {
        var key = Key();
        var pops = new List<Task<Reply>>();
        for (int i = 0; i < 3; i++)
        {
            pops.Add(On(i).ExecuteAsync(Cmd("BRPOP", key, "0")).AsTask());
            await Fence(On(i), key);
        }
        await On(1).ExecuteAsync(Cmd("LPUSH", key, "a", "b", "c"));
        var got = await Task.WhenAll(pops).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["a", "b", "c"], got.Select(r => r.Items![1].Text));
    }

    [Fact]
    public async Task A_blocked_pop_times_out_with_a_null_reply_when_the_clock_passes_its_timeout()
    {
        var key = Key();
        var pop = On(1).ExecuteAsync(Cmd("BLPOP", key, "5")).AsTask();
        await Fence(On(1), key);
        C.Time.Advance(TimeSpan.FromSeconds(4));
        await Fence(On(1), key);
        Assert.False(pop.IsCompleted);
        C.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(ReplyKind.NullArray, (await pop.WaitAsync(TimeSpan.FromSeconds(10))).Kind);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_loses_nothing()
    {
        var key = Key();
        using var gone = new CancellationTokenSource();
        var abandoned = On(0).ExecuteAsync(Cmd("BLPOP", key, "0"), gone.Token).AsTask();
        await Fence(On(0), key);
        var next = On(1).ExecuteAsync(Cmd("BLPOP", key, "0")).AsTask();
        await Fence(On(1), key);
        gone.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(TimeSpan.FromSeconds(10)));
        // The cancellation travels to the partition like a message from the cancelling silo: fence behind it.
        await Fence(On(0), key);
        await On(2).ExecuteAsync(Cmd("RPUSH", key, "v1", "v2"));
        Assert.Equal([key, "v1"], Texts(await next.WaitAsync(TimeSpan.FromSeconds(10))));
        Assert.Equal(["v2"], Texts(await On(2).ExecuteAsync(Cmd("LRANGE", key, "0", "-1"))));
    }

    [Fact]
    public async Task Blmove_hands_the_element_to_the_destination_and_a_waiter_there()
    {
        var key = Key();
        string src = key + "src", dst = key + "dst";
        var move = On(0).ExecuteAsync(Cmd("BLMOVE", src, dst, "LEFT", "RIGHT", "0")).AsTask();
        await Fence(On(0), src);
        var popDst = On(1).ExecuteAsync(Cmd("BLPOP", dst, "0")).AsTask();
        await Fence(On(1), dst);
        await On(2).ExecuteAsync(Cmd("RPUSH", src, "item"));
        Assert.Equal("item", (await move.WaitAsync(TimeSpan.FromSeconds(10))).Text);
        Assert.Equal([dst, "item"], Texts(await popDst.WaitAsync(TimeSpan.FromSeconds(10))));
    }

    [Fact]
    public async Task Blocking_pops_on_keys_in_different_slots_answer_CROSSSLOT()
    {
        var reply = await On(0).ExecuteAsync(Cmd("BLPOP", "a-list", "another-list", "0"));
        Assert.StartsWith("CROSSSLOT", reply.Text);
    }
}
