// Benchmarks. `dotnet run -c Release --project tests/Orleans.Cache.Benchmarks -- cohosted` measures the typed
// client co-hosted in a silo; `-- core` runs BenchmarkDotNet on the Core hot paths; `-- snapshot` times a
// 1,000,000-key partition snapshot; `-- complexity [maxN] [all]` times the many-element commands (LREM …) at N/4, N/2, N; `-- resp-tx --port P --clients 50 --seconds 10` loads a RESP server with MULTI/EXEC.
using BenchmarkDotNet.Running;
using Orleans.Cache.Benchmarks;

if (args.Length > 0 && args[0] == "snapshot")
{
    await SnapshotBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}
if (args.Length > 0 && args[0] == "complexity")
{
    ComplexityBenchmark.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000, args.Contains("all"));
    return;
}
if (args.Length > 0 && args[0] == "resp-tx")
{
    await RespTxBenchmark.RunAsync(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "core")
{
    BenchmarkSwitcher.FromAssembly(typeof(CoreBenchmarks).Assembly).Run(args[1..]);
    return;
}
await CoHostedBenchmark.RunAsync(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3.0,
    args.Length > 2 && args[2] != "all" ? args[2] : null, args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
