using Orleans.Cache.Resp;

namespace Orleans.Cache.Tests.Resp;

/// <summary>--maxmemory-percent (Resp:MaxMemoryPercent): maxmemory as a share of the memory the process may use.</summary>
public sealed class MaxMemoryPercentTests
{
    [Fact]
    public void The_share_is_of_the_available_memory_and_only_1_to_100_percent()
    {
        Assert.Equal(768L << 20, RespConfig.MaxMemoryOf(75, 1L << 30)); // a 1 GiB container limit
        Assert.Equal(1L << 30, RespConfig.MaxMemoryOf(100, 1L << 30));
        Assert.Throws<ArgumentOutOfRangeException>(() => RespConfig.MaxMemoryOf(0, 1L << 30));
        Assert.Throws<ArgumentOutOfRangeException>(() => RespConfig.MaxMemoryOf(101, 1L << 30));
    }

    [Fact]
    public async Task A_silo_started_with_it_answers_that_maxmemory()
    {
        var snapshots = Directory.CreateTempSubdirectory("orleans-cache-maxmemory-").FullName;
        try
        {
            using var silo = await RunningSilo.StartAsync("--Snapshots:Dir", snapshots, "--Snapshots:Save", "", "--maxmemory-percent", "50");
            using var client = await RawClient.ConnectAsync(silo.EndPoint);
            var reply = await client.CommandAsync("CONFIG", "GET", "maxmemory");
            long expected = RespConfig.MaxMemoryOf(50, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes); // same machine, no container here
            Assert.Equal($"*2\r\n$9\r\nmaxmemory\r\n${expected.ToString().Length}\r\n{expected}\r\n", reply);
            await silo.Process.StopAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Directory.Delete(snapshots, recursive: true);
        }
    }
}
