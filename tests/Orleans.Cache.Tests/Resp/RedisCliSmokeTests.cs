using System.Diagnostics;
using Orleans.Cache.Tests.Postgres;
using Xunit.Abstractions;

namespace Orleans.Cache.Tests.Resp;

/// <summary>The real silo process as a newcomer starts it, driven by Debian's redis-cli (tests/bench/redis-cli-smoke.sh).</summary>
public sealed class RedisCliSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Redis_cli_gets_the_exact_replies_from_a_silo_process()
    {
        Assert.True(File.Exists("/usr/bin/redis-cli"), "redis-cli is missing: apt-get install -y redis-tools (bash .ci/run does it)");
        int port = PostgresSilo.FreePort();
        using var silo = SiloProcess.Start(["--port", $"{port}", "--silo-port", $"{PostgresSilo.FreePort()}",
            "--gateway-port", $"{PostgresSilo.FreePort()}", "--Snapshots:Storage", "None"]);
        try
        {
            var script = Path.Combine(RepositoryRoot(), "tests", "bench", "redis-cli-smoke.sh");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await Run("redis-cli", ["-p", $"{port}", "PING"]) is not (0, "PONG"))
            {
                Assert.False(silo.HasExited, $"the silo exited:\n{silo.Output}");
                Assert.True(DateTime.UtcNow < deadline, $"the silo never answered PING:\n{silo.Output}");
                await Task.Delay(250);
            }
            var (code, text) = await Run("bash", [script, $"{port}"]);
            output.WriteLine(text);
            Assert.True(code == 0, text);
        }
        finally
        {
            await silo.StopAsync(TimeSpan.FromSeconds(20));
        }
    }

    private static async Task<(int Code, string Output)> Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, ((await stdout) + (await stderr)).Trim());
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orleans.Cache.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
