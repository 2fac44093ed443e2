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
/// The typed client co-hosted with a single silo: awaited single-key GET/SET (one caller, and many concurrent
/// callers as a web app has) and batched GET/SET. Prints one markdown table row per shape.
/// </summary>
public static class CoHostedBenchmark
{
    public static async Task RunAsync(double seconds, string? only = null, int keyCount = 100_000)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(21111, 31000).AddOrleansCache(configureSnapshots: o => o.Storage = "None")
            .Services.AddOrleansCacheClient());
        using var host = builder.Build();
        await host.StartAsync();
        var cache = host.Services.GetRequiredService<ICache>();
        var executor = host.Services.GetRequiredService<ICommandExecutor>();

        var keys = Enumerable.Range(0, keyCount).Select(i => $"key:{i}").ToArray();
        var value = Encoding.UTF8.GetBytes(new string('x', 32));
        var time = TimeSpan.FromSeconds(seconds);
        var sets = keys.Select(k => new[] { Set, Encoding.UTF8.GetBytes(k), value }).ToArray();
        var gets = keys.Select(k => new[] { Get, Encoding.UTF8.GetBytes(k) }).ToArray();
        _only = only;

        Console.WriteLine($"| shape | ops/s | allocated B/op | ({Environment.ProcessorCount} cores, {keyCount:N0} random keys, {seconds}s each, after warm-up) |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var warm in new[] { true, false })
        {
            var t = warm ? TimeSpan.FromSeconds(1) : time;
            await Report(warm, "typed SET, 1 awaiting caller", () => Concurrent(1, t, async (i, r) => await cache.SetAsync(keys[r.Next(keys.Length)], value)));
            await Report(warm, "typed GET, 1 awaiting caller", () => Concurrent(1, t, async (i, r) => await cache.GetAsync(keys[r.Next(keys.Length)])));
            await Report(warm, "typed SET, 64 awaiting callers", () => Concurrent(64, t, async (i, r) => await cache.SetAsync(keys[r.Next(keys.Length)], value)));
            await Report(warm, "typed GET, 64 awaiting callers", () => Concurrent(64, t, async (i, r) => await cache.GetAsync(keys[r.Next(keys.Length)])));
            await Report(warm, "typed batch of 1000 SET+GET, 4 callers", () => Concurrent(4, t, async (i, r) =>
            {
                var batch = cache.CreateBatch();
                for (int k = 0; k < 500; k++)
                {
                    _ = batch.SetAsync(keys[r.Next(keys.Length)], value);
                    _ = batch.GetAsync(keys[r.Next(keys.Length)]);
                }
                await batch.ExecuteAsync();
            }, opsPerCall: 1000));
            await Report(warm, "raw pipeline of 1000 SET+GET, 4 callers", () => Concurrent(4, t, async (i, r) =>
            {
                // Requests as a RESP connection hands them over: argv arrays already built.
                var pipeline = new byte[1000][][];
                for (int k = 0; k < 1000; k += 2)
                {
                    pipeline[k] = sets[r.Next(sets.Length)];
                    pipeline[k + 1] = gets[r.Next(gets.Length)];
                }
                await executor.ExecuteAsync(pipeline);
            }, opsPerCall: 1000));
        }
        await host.StopAsync();
    }

    private static readonly byte[] Set = "SET"u8.ToArray(), Get = "GET"u8.ToArray();

    private static string? _only;

    private static async Task Report(bool warmUp, string shape, Func<Task<(double, long)>> start)
    {
        if (_only is not null && !shape.Contains(_only, StringComparison.OrdinalIgnoreCase)) return;
        // Bytes allocated per operation by the whole process (client, executor, partitions, benchmark loop): steady
        // from run to run, unlike ops/s on this shared VM, and what the GC's share of the time follows.
        long allocated = GC.GetTotalAllocatedBytes();
        var (opsPerSecond, ops) = await start();
        double bytesPerOp = (double)(GC.GetTotalAllocatedBytes() - allocated) / ops;
        if (!warmUp) Console.WriteLine($"| {shape} | {opsPerSecond:N0} | {bytesPerOp:N0} | |");
    }

    /// <summary>Runs <paramref name="callers"/> loops for <paramref name="duration"/>; returns operations per second and operations.</summary>
    private static async Task<(double, long)> Concurrent(int callers, TimeSpan duration, Func<int, Random, Task> op, int opsPerCall = 1)
    {
        long total = 0;
        var sw = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            var random = new Random(c);
            long n = 0;
            while (sw.Elapsed < duration)
            {
                for (int i = 0; i < 16; i++) await op(i, random);
                n += 16;
            }
            Interlocked.Add(ref total, n * opsPerCall);
        })).ToArray();
        await Task.WhenAll(loops);
        return (total / sw.Elapsed.TotalSeconds, total);
    }
}
