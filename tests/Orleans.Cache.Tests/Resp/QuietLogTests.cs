using Xunit.Abstractions;

namespace Orleans.Cache.Tests.Resp;

/// <summary>
/// A silo's log at its defaults is a few lines at start and stop: commands, pub/sub and a SIGTERM stop add no warning,
/// no retry line and no stack trace (the silo process as `dotnet Orleans.Cache.Silo.dll` runs it).
/// </summary>
public sealed class QuietLogTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Commands_pubsub_and_a_sigterm_stop_log_only_a_few_information_lines()
    {
        var snapshots = Directory.CreateTempSubdirectory("orleans-cache-quiet-").FullName;
        try
        {
            using var silo = await RunningSilo.StartAsync("--Snapshots:Dir", snapshots, "--Snapshots:Save", "");
            using (var client = await RawClient.ConnectAsync(silo.EndPoint))
            {
                for (int i = 0; i < 20; i++) Assert.Equal("+OK", await client.CommandAsync("SET", $"k{i}", "v"));
                Assert.Equal(":0", await client.CommandAsync("PUBLISH", "news", "hello"));
                using var subscriber = await RawClient.ConnectAsync(silo.EndPoint);
                Assert.StartsWith("*3", await subscriber.CommandAsync("SUBSCRIBE", "news"));
            }
            await silo.Process.StopAsync(TimeSpan.FromSeconds(60));
            var log = silo.Process.Output;
            output.WriteLine(log);
            var entries = log.Split('\n').Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0])).ToList();
            Assert.DoesNotContain(entries, e => e.StartsWith("warn:", StringComparison.Ordinal) || e.StartsWith("fail:", StringComparison.Ordinal) || e.Contains("Polly", StringComparison.Ordinal));
            Assert.InRange(entries.Count, 1, 8);
        }
        finally
        {
            Directory.Delete(snapshots, recursive: true);
        }
    }
}
