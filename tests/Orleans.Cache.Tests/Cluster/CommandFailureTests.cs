using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Core;
using Orleans.Cache.Execution;
using Orleans.Cache.Resp;
using Orleans.Cache.Tests.Resp;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>A command whose handler throws answers an error, and only it: the other commands of its pipeline and batch stand.</summary>
public sealed class CommandFailureTests
{
    private static readonly CommandInfo ThrowRow = CommandTable.Subcommand("DEBUG|THROW");
    private static Command C(params string[] argv) => new(argv[0] == "DEBUG" ? ThrowRow : CommandTable.Find(argv[0])!, [.. argv.Select(Encoding.UTF8.GetBytes)]);

    [Fact]
    public async Task A_throwing_handler_in_a_batch_fails_that_command_only_on_local_and_remote_partitions()
    {
        await using var cache = await CacheCluster.StartAsync(2, snapshots: o => o.Storage = "None");
        var executor = cache.Cluster.Silos[0].ServiceProvider.GetRequiredService<ICommandExecutor>();

        // One batch over every partition (some on this silo, run directly; some on the other, one grain call each).
        var batch = new List<Command>();
        for (int i = 0; i < 24; i++)
        {
            batch.Add(C("SET", $"k{i}", "1"));
            batch.Add(C("DEBUG", "THROW", $"k{i}"));
            batch.Add(C("INCR", $"k{i}"));
        }
        var replies = await executor.ExecuteAsync(batch);
        for (int i = 0; i < 24; i++)
        {
            Assert.Equal("OK", replies[3 * i].Text);
            Assert.True(replies[3 * i + 1].IsError);
            Assert.StartsWith($"ERR internal error: DEBUG THROW failed on purpose in the partition of 'k{i}'", replies[3 * i + 1].Text);
            Assert.Equal(2, replies[3 * i + 2].Integer);
        }
        for (int i = 0; i < 24; i++) Assert.Equal("2", await cache.CacheOnSilo(1).GetStringAsync($"k{i}"));
    }

    [Fact]
    public async Task Over_RESP_a_pipeline_with_a_failing_command_gets_every_other_reply_and_effect()
    {
        await using var cache = await CacheCluster.StartAsync(2, builder => builder.ConfigureSilo((_, silo) =>
            silo.Services.AddRespEndpoint(o => { o.Port = 0; o.EnableDebugCommand = "yes"; })), snapshots: o => o.Storage = "None");
        using var resp = await RawClient.ConnectAsync(cache.Cluster.Silos[0].ServiceProvider.GetRequiredService<RespServer>().EndPoints[0]);

        var pipeline = new StringBuilder();
        for (int i = 0; i < 12; i++)
        {
            pipeline.Append(RawClient.Encode("SET", $"p{i}", "a"));
            pipeline.Append(RawClient.Encode("DEBUG", "THROW", $"p{i}"));
            pipeline.Append(RawClient.Encode("APPEND", $"p{i}", "b"));
        }
        pipeline.Append(RawClient.Encode("MGET", "p0", "p5", "p11"));
        await resp.SendAsync(pipeline.ToString());
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal("+OK\r\n", await resp.ReadValueAsync());
            Assert.StartsWith($"-ERR internal error: DEBUG THROW failed on purpose in the partition of 'p{i}'", await resp.ReadValueAsync());
            Assert.Equal(":2\r\n", await resp.ReadValueAsync());
        }
        Assert.Equal("*3\r\n$2\r\nab\r\n$2\r\nab\r\n$2\r\nab\r\n", await resp.ReadValueAsync());
    }
}
