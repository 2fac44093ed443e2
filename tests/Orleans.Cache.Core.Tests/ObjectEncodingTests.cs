using Orleans.Cache.Core.Config;

namespace Orleans.Cache.Core.Tests;

public class ObjectEncodingTests
{
    private readonly TypesDb _db = new();

    [Fact]
    public void Object_encoding_names_follow_redis_by_type_and_size()
    {
        _db.Do("SET", "int", "123");
        _db.Do("SET", "short", "abc");
        _db.Do("SET", "long", new string('x', 45));
        _db.Do("SADD", "intset", "1", "2");
        _db.Do("SADD", "strset", "1", "a");
        _db.Do("RPUSH", "list", "a");
        _db.Do("HSET", "hash", "a", "1");
        _db.Do("HSET", "bighash", "a", new string('x', 65));
        _db.Do("ZADD", "zset", "1", "a");
        for (int i = 0; i < 129; i++) _db.Do("ZADD", "bigzset", i.ToString(), "m" + i);
        var expected = new Dictionary<string, string>
        {
            ["int"] = "int", ["short"] = "embstr", ["long"] = "raw", ["intset"] = "intset", ["strset"] = "listpack",
            ["list"] = "listpack", ["hash"] = "listpack", ["bighash"] = "hashtable", ["zset"] = "listpack", ["bigzset"] = "skiplist",
        };
        foreach (var (key, encoding) in expected) Assert.Equal(encoding, _db.Do("OBJECT", "ENCODING", key));
    }

    [Fact]
    public void Object_encoding_follows_the_thresholds_config_set_pushes()
    {
        _db.Do("HSET", "h", "a", "1", "b", "2", "c", "3");
        _db.Do("ZADD", "z", "1", "a", "2", "b");
        _db.Do("SADD", "ints", "1", "2", "3");
        _db.Do("SADD", "words", "a", "b", "c");
        _db.Do("RPUSH", "l", "a", "b", "c");
        string Encodings() => string.Join(" ", new[] { "h", "z", "ints", "words", "l" }.Select(k => _db.Do("OBJECT", "ENCODING", k)));
        Assert.Equal("listpack listpack intset listpack listpack", Encodings());

        _db.Keyspace.Encodings = new EncodingThresholds(HashMaxListpackEntries: 2, ZsetMaxListpackEntries: 1, SetMaxIntsetEntries: 2,
            SetMaxListpackEntries: 2, ListMaxListpackSize: 2);
        // A hash is stored in its encoding: a lowered threshold converts it at its next write, as in Redis.
        Assert.Equal("listpack skiplist hashtable hashtable quicklist", Encodings());
        _db.Do("HSET", "h", "a", "1");
        Assert.Equal("hashtable skiplist hashtable hashtable quicklist", Encodings());

        _db.Keyspace.Encodings = new EncodingThresholds(HashMaxListpackValue: 0, ZsetMaxListpackValue: 0, SetMaxIntsetEntries: 2, SetMaxListpackValue: 0);
        Assert.Equal("hashtable skiplist hashtable hashtable listpack", Encodings());

        // A list's size class (-1 = 4 KB) counts bytes, not elements.
        _db.Keyspace.Encodings = new EncodingThresholds(ListMaxListpackSize: -1);
        _db.Do("RPUSH", "l", new string('x', 5000));
        Assert.Equal("quicklist", _db.Do("OBJECT", "ENCODING", "l"));
        _db.Keyspace.Encodings = EncodingThresholds.Default;
        Assert.Equal("listpack", _db.Do("OBJECT", "ENCODING", "l"));
    }

    [Fact]
    public void Object_subcommands_and_errors()
    {
        _db.Do("SET", "k", "v");
        Assert.Equal("nil", _db.Do("OBJECT", "ENCODING", "nokey"));
        Assert.Equal("1", _db.Do("OBJECT", "REFCOUNT", "k"));
        Assert.Equal("0", _db.Do("OBJECT", "IDLETIME", "k"));
        Assert.StartsWith("ERR An LFU maxmemory policy is not selected", _db.Do("OBJECT", "FREQ", "k"));
        Assert.Equal("ERR unknown subcommand 'foo'. Try OBJECT HELP.", _db.Do("OBJECT", "foo", "k"));
        Assert.Equal("ERR wrong number of arguments for 'object|encoding' command", _db.Do("OBJECT", "ENCODING"));
        Assert.StartsWith("[OBJECT <subcommand>", _db.Do("OBJECT", "HELP"));
    }

    [Fact]
    public void Type_and_scan_type_cover_every_value_type()
    {
        _db.Do("SET", "s", "v");
        _db.Do("HSET", "h", "a", "1");
        _db.Do("RPUSH", "l", "a");
        _db.Do("SADD", "st", "a");
        _db.Do("ZADD", "z", "1", "a");
        _db.Do("PFADD", "hll", "a");
        _db.Do("GEOADD", "geo", "1", "1", "a");
        Assert.Equal("[string,hash,list,set,zset,string,zset]",
            "[" + string.Join(",", new[] { "s", "h", "l", "st", "z", "hll", "geo" }.Select(k => _db.Do("TYPE", k))) + "]");
        foreach (var type in new[] { "hash", "list", "set" })
        {
            var keys = _db.Run("SCAN", "0", "COUNT", "100", "TYPE", type).Items![1].Items!;
            Assert.Single(keys);
        }
        Assert.Equal(2, _db.Run("SCAN", "0", "COUNT", "100", "TYPE", "zset").Items![1].Items!.Length);
    }

    [Fact]
    public void Rename_moves_aggregates_and_random_counts_are_bounded()
    {
        _db.Do("ZADD", "{r}z", "1", "a");
        Assert.Equal("OK", _db.Do("RENAME", "{r}z", "{r}z2"));
        Assert.Equal("1", _db.Do("ZSCORE", "{r}z2", "a"));
        _db.Do("SADD", "s", "a");
        Assert.Equal("ERR value is out of range", _db.Do("SRANDMEMBER", "s", "-100000000000"));
    }
}
