using BenchmarkDotNet.Attributes;
using Orleans.Cache.Core;

namespace Orleans.Cache.Benchmarks;

/// <summary>
/// Leaderboard operations on one sorted set of 1,000 and 1,000,000 members (issue: the cost per operation at 1M
/// must stay within 3× of the cost at 1k). A random member each call, so the 1M case pays its cache misses.
/// Each call's arguments are fresh byte arrays, as the RESP parser hands them over: the set is searched by the
/// member's bytes, never by the array it holds. ZSCORE is the floor: the member lookup every other operation
/// starts with. `-- core --filter *SortedSet*`.
/// </summary>
[MemoryDiagnoser]
public class SortedSetBenchmarks
{
    [Params(1_000, 1_000_000)]
    public int Members;

    private readonly Keyspace _db = new();
    private readonly byte[] _key = "board"u8.ToArray();
    private readonly Random _random = new(7);

    [GlobalSetup]
    public void Setup()
    {
        for (int start = 0; start < Members; start += 1000)
        {
            var argv = new List<byte[]> { "ZADD"u8.ToArray(), _key };
            for (int i = start; i < Math.Min(start + 1000, Members); i++) { argv.Add(Args.Bytes(_random.Next(1_000_000).ToString())); argv.Add(Member(i)); }
            _db.Execute([.. argv]);
        }
    }

    private byte[] AnyMember() => Member(_random.Next(Members));

    /// <summary>"player:{i}" in a new array, like a request argument just read off a socket.</summary>
    private static byte[] Member(int i)
    {
        Span<byte> digits = stackalloc byte[11];
        System.Buffers.Text.Utf8Formatter.TryFormat(i, digits, out int n);
        var member = new byte[Prefix.Length + n];
        Prefix.CopyTo(member);
        digits[..n].CopyTo(member.AsSpan(Prefix.Length));
        return member;
    }

    private static ReadOnlySpan<byte> Prefix => "player:"u8;
    private byte[] AnyScore() => Args.Bytes(_random.Next(1_000_000).ToString());

    [Benchmark] public Reply ZScore() => _db.Execute(["ZSCORE"u8.ToArray(), _key, AnyMember()]);
    [Benchmark] public Reply ZAdd() => _db.Execute(["ZADD"u8.ToArray(), _key, AnyScore(), AnyMember()]);
    [Benchmark] public Reply ZRank() => _db.Execute(["ZRANK"u8.ToArray(), _key, AnyMember()]);
    [Benchmark]
    public Reply ZRangeByRank10()
    {
        int start = _random.Next(Members - 10);
        return _db.Execute(["ZRANGE"u8.ToArray(), _key, Args.Bytes(start.ToString()), Args.Bytes((start + 9).ToString())]);
    }
    [Benchmark] public Reply ZIncrBy() => _db.Execute(["ZINCRBY"u8.ToArray(), _key, "1"u8.ToArray(), AnyMember()]);
}
