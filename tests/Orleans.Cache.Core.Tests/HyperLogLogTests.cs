using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

public class HyperLogLogTests
{
    private readonly TypesDb _db = new();

    private void AddMany(string key, int from, int count)
    {
        for (int b = from; b < from + count; b += 1000)
            _db.Run(["PFADD", key, .. Enumerable.Range(b, Math.Min(1000, from + count - b)).Select(i => "el" + i)]);
    }

    [Fact]
    public void Pfadd_reports_changes_and_pfcount_is_exact_for_small_sets()
    {
        Assert.Equal("1", _db.Do("PFADD", "h", "a", "b", "c"));
        Assert.Equal("0", _db.Do("PFADD", "h", "a"));
        Assert.Equal("3", _db.Do("PFCOUNT", "h"));
        Assert.Equal("1", _db.Do("PFADD", "empty"));
        Assert.Equal("0", _db.Do("PFADD", "empty"));
        Assert.Equal("0", _db.Do("PFCOUNT", "empty"));
        Assert.Equal("0", _db.Do("PFCOUNT", "nokey"));
        Assert.Equal("string", _db.Do("TYPE", "h"));
    }

    [Fact]
    public void Counts_match_redis_for_the_same_elements()
    {
        // Values produced by redis-server 7.0.15 for PFADD of el0 … el{n-1}.
        AddMany("h3", 0, 3000);
        Assert.Equal("2994", _db.Do("PFCOUNT", "h3"));
        AddMany("h4", 0, 50000);
        Assert.Equal("49604", _db.Do("PFCOUNT", "h4"));
    }

    [Fact]
    public void Error_stays_within_a_few_standard_errors_at_large_cardinalities()
    {
        AddMany("big", 0, 200_000);
        long count = _db.Run("PFCOUNT", "big").Integer;
        Assert.InRange(count, 200_000 * (1 - 3 * 0.0081), 200_000 * (1 + 3 * 0.0081));
    }

    [Fact]
    public void Pfmerge_and_multi_key_pfcount_count_the_union()
    {
        AddMany("{h}a", 0, 1000);
        AddMany("{h}b", 500, 1000);
        long union = _db.Run("PFCOUNT", "{h}a", "{h}b").Integer;
        Assert.InRange(union, 1450, 1550);
        Assert.Equal("OK", _db.Do("PFMERGE", "{h}m", "{h}a", "{h}b"));
        Assert.Equal(union, _db.Run("PFCOUNT", "{h}m").Integer);
        Assert.Equal("OK", _db.Do("PFMERGE", "{h}new"));
        Assert.Equal("0", _db.Do("PFCOUNT", "{h}new"));
    }

    [Fact]
    public void Reads_the_sparse_encoding_redis_writes_for_small_sets()
    {
        // A sparse HLL as Redis stores it: XZERO run, one VAL register (value 2, run 1), XZERO run to the end.
        var sparse = new List<byte>("HYLL"u8.ToArray()) { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80 };
        sparse.AddRange([0x40 | (99 >> 8), 99 & 0xFF, 0x80 | (1 << 2), 0x40 | (16282 >> 8), 16282 & 0xFF]);
        _db.Keyspace.Set(Args.Bytes("s"), sparse.ToArray());
        Assert.Equal("1", _db.Do("PFCOUNT", "s"));
        _db.Do("PFADD", "s", "x");
        Assert.Equal(HyperLogLog.DenseSize.ToString(), _db.Do("STRLEN", "s"));
    }

    [Fact]
    public void Strings_that_are_not_hyperloglogs_are_rejected()
    {
        _db.Do("SET", "str", "hello");
        const string notHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
        Assert.Equal(notHll, _db.Do("PFADD", "str", "a"));
        Assert.Equal(notHll, _db.Do("PFCOUNT", "str"));
        Assert.Equal(notHll, _db.Do("PFMERGE", "m", "str"));
        _db.Do("HSET", "hash", "a", "1");
        Assert.Equal(TypesDb.WrongType, _db.Do("PFADD", "hash", "a"));
    }

    [Fact]
    public void Murmur_hash_matches_the_reference_implementation()
    {
        Assert.Equal(0UL, HyperLogLog.MurmurHash64A([], 0));
        Assert.NotEqual(HyperLogLog.MurmurHash64A("a"u8, 0xadc83b19), HyperLogLog.MurmurHash64A("b"u8, 0xadc83b19));
    }
}
