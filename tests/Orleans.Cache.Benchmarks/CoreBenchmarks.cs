using System.Text;
using BenchmarkDotNet.Attributes;
using Orleans.Cache.Core;

namespace Orleans.Cache.Benchmarks;

/// <summary>Core hot paths without Orleans: one command on a keyspace, slot hashing, routing lookup.</summary>
[MemoryDiagnoser]
public class CoreBenchmarks
{
    private readonly Keyspace _keyspace = new();
    private byte[][][] _sets = [];
    private byte[][][] _gets = [];
    private byte[][][] _evals = [];
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        var value = new byte[32];
        _sets = Enumerable.Range(0, 100_000).Select(i => new[] { "SET"u8.ToArray(), Encoding.UTF8.GetBytes($"key:{i}"), value }).ToArray();
        _gets = Enumerable.Range(0, 100_000).Select(i => new[] { "GET"u8.ToArray(), Encoding.UTF8.GetBytes($"key:{i}") }).ToArray();
        foreach (var s in _sets) _keyspace.Execute(s);
        var body = "return redis.call('INCR', KEYS[1])"u8.ToArray();
        _evals = Enumerable.Range(0, 100_000).Select(i => new[] { "EVAL"u8.ToArray(), body, "1"u8.ToArray(), Encoding.UTF8.GetBytes($"n:{i}") }).ToArray();
    }

    [Benchmark] public Reply Set() => _keyspace.Execute(_sets[_i++ % _sets.Length]);
    [Benchmark] public Reply Get() => _keyspace.Execute(_gets[_i++ % _gets.Length]);
    /// <summary>A cached one-redis.call script (what EVALSHA runs once the front door found its body).</summary>
    [Benchmark] public Reply Eval() => _keyspace.Execute(_evals[_i++ % _evals.Length]);
    [Benchmark] public int KeySlot() => HashSlot.Of(_gets[_i++ % _gets.Length][1]);
    [Benchmark] public object? Lookup() => CommandTable.Find("get"u8); // object: CommandInfo is internal
}
