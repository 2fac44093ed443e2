using System.Text;
using BenchmarkDotNet.Attributes;
using Orleans.Cache.Core;

namespace Orleans.Cache.Benchmarks;

/// <summary>
/// Leaderboard operations on one sorted set of 1,000 and 1,000,000 members (issue: the cost per operation at 1M
/// must stay within 3× of the cost at 1k). Random members each call, so the 1M case pays its cache misses.
/// `-- core --filter *SortedSet*`.
/// </summary>
[MemoryDiagnoser]
public class SortedSetBenchmarks
{
    [Params(1_000, 1_000_000)]
    public int Members;

    private readonly Keyspace _db = new();
    private readonly byte[] _key = "board"u8.ToArray();
    private byte[][] _names = [];
    private readonly Random _random = new(7);

    [GlobalSetup]
    public void Setup()
    {
        _names = Enumerable.Range(0, Members).Select(i => Encoding.ASCII.GetBytes($"player:{i}")).ToArray();
        for (int start = 0; start < Members; start += 1000)
        {
            var argv = new List<byte[]> { "ZADD"u8.ToArray(), _key };
            for (int i = start; i < Math.Min(start + 1000, Members); i++) { argv.Add(Args.Bytes(_random.Next(1_000_000).ToString())); argv.Add(_names[i]); }
            _db.Execute([.. argv]);
        }
    }

    private byte[] AnyMember() => _names[_random.Next(_names.Length)];
    private byte[] AnyScore() => Args.Bytes(_random.Next(1_000_000).ToString());

    [Benchmark] public Reply ZAdd() => _db.Execute(["ZADD"u8.ToArray(), _key, AnyScore(), AnyMember()]);
    [Benchmark] public Reply ZRank() => _db.Execute(["ZRANK"u8.ToArray(), _key, AnyMember()]);
    [Benchmark] public Reply ZRangeByRank10()
    {
        int start = _random.Next(Members - 10);
        return _db.Execute(["ZRANGE"u8.ToArray(), _key, Args.Bytes(start.ToString()), Args.Bytes((start + 9).ToString())]);
    }
    [Benchmark] public Reply ZIncrBy() => _db.Execute(["ZINCRBY"u8.ToArray(), _key, "1"u8.ToArray(), AnyMember()]);
}
