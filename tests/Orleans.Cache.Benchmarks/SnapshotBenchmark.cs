using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Cache.Client;
using Orleans.Cache.Execution;
using Orleans.Hosting;

namespace Orleans.Cache.Benchmarks;

/// <summary>
/// One partition holding N keys (default 1,000,000) on local-file snapshots: how long SAVE takes, how big the
/// snapshot is, and how long a new silo takes to load it. `-- snapshot [keys]`.
/// </summary>
public static class SnapshotBenchmark
{
    public static async Task RunAsync(int keys)
    {
        var dir = Directory.CreateTempSubdirectory("orleans-cache-snapshot-bench-").FullName;
        try
        {
            var saved = await WithSilo(dir, async (cache, executor) =>
            {
                var value = Encoding.UTF8.GetBytes(new string('v', 32));
                for (int start = 0; start < keys; start += 10_000)
                {
                    var pipeline = Enumerable.Range(start, Math.Min(10_000, keys - start))
                        .Select(i => new[] { "SET"u8.ToArray(), Encoding.UTF8.GetBytes($"key:{i:D8}"), value }).ToArray();
                    await executor.ExecuteAsync(pipeline);
                }
                var sw = Stopwatch.StartNew();
                var reply = await cache.ExecuteAsync("SAVE");
                return (reply.Text, sw.Elapsed);
            });
            long bytes = Directory.GetFiles(dir, "*.bin", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            int files = Directory.GetFiles(dir, "snapshot-*.bin", SearchOption.AllDirectories).Length;

            var loaded = await WithSilo(dir, async (cache, _) =>
            {
                var sw = Stopwatch.StartNew();
                long count = await cache.CountAsync(); // activates the partition, which loads its snapshot
                return (count.ToString(System.Globalization.CultureInfo.InvariantCulture), sw.Elapsed);
            });
            Console.WriteLine($"| keys in one partition | SAVE | snapshot size | chunks | load on activation |");
            Console.WriteLine($"|---|---|---|---|---|");
            Console.WriteLine($"| {keys:N0} (12-byte keys, 32-byte values) | {saved.Elapsed.TotalMilliseconds:N0} ms ({saved.Text}) | {bytes / 1e6:N1} MB | {files} | {loaded.Elapsed.TotalMilliseconds:N0} ms ({loaded.Text} keys) |");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(string? Text, TimeSpan Elapsed)> WithSilo(string dir, Func<ICache, ICommandExecutor, Task<(string? Text, TimeSpan Elapsed)>> run)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(21112, 31001)
            .AddOrleansCache(configure: o => o.Partitions = 1, configureSnapshots: o => { o.Dir = dir; o.Save = ""; })
            .Services.AddOrleansCacheClient());
        using var host = builder.Build();
        await host.StartAsync();
        var result = await run(host.Services.GetRequiredService<ICache>(), host.Services.GetRequiredService<ICommandExecutor>());
        await host.StopAsync();
        return result;
    }
}
