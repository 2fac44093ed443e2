namespace Orleans.Cache.Core.Tests;

public class HashTests
{
    private readonly TypesDb _db = new();

    [Fact]
    public void Hset_counts_only_new_fields_and_hget_reads_them()
    {
        Assert.Equal("2", _db.Do("HSET", "h", "a", "1", "b", "2"));
        Assert.Equal("1", _db.Do("HSET", "h", "a", "10", "c", "3"));
        Assert.Equal("10", _db.Do("HGET", "h", "a"));
        Assert.Equal("nil", _db.Do("HGET", "h", "zz"));
        Assert.Equal("nil", _db.Do("HGET", "nokey", "a"));
        Assert.Equal("hash", _db.Do("TYPE", "h"));
    }

    [Fact]
    public void Hset_with_odd_field_value_count_is_an_arity_error()
    {
        Assert.Equal("ERR wrong number of arguments for 'hset' command", _db.Do("HSET", "h", "a", "1", "b"));
        Assert.Equal("ERR wrong number of arguments for 'hmset' command", _db.Do("HMSET", "h", "a", "1", "b"));
        Assert.Equal("0", _db.Do("EXISTS", "h"));
    }

    [Fact]
    public void Hgetall_is_a_map_in_insertion_order()
    {
        _db.Do("HSET", "h", "x", "1", "y", "2", "z", "3");
        var reply = _db.Run("HGETALL", "h");
        Assert.Equal(ReplyKind.Map, reply.Kind);
        Assert.Equal("[x,1,y,2,z,3]", TypesDb.Render(reply));
        Assert.Equal("[x,y,z]", _db.Do("HKEYS", "h"));
        Assert.Equal("[1,2,3]", _db.Do("HVALS", "h"));
        Assert.Equal("[]", _db.Do("HGETALL", "nokey"));
    }

    [Fact]
    public void Hmget_gives_nil_for_missing_fields_and_keys()
    {
        _db.Do("HMSET", "h", "a", "1");
        Assert.Equal("[1,nil]", _db.Do("HMGET", "h", "a", "b"));
        Assert.Equal("[nil,nil]", _db.Do("HMGET", "nokey", "a", "b"));
    }

    [Fact]
    public void Hsetnx_sets_only_absent_fields()
    {
        Assert.Equal("1", _db.Do("HSETNX", "h", "a", "1"));
        Assert.Equal("0", _db.Do("HSETNX", "h", "a", "2"));
        Assert.Equal("1", _db.Do("HGET", "h", "a"));
    }

    [Fact]
    public void Hdel_of_the_last_field_deletes_the_key()
    {
        _db.Do("HSET", "h", "a", "1", "b", "2");
        Assert.Equal("1", _db.Do("HDEL", "h", "a", "nope"));
        Assert.Equal("1", _db.Do("HLEN", "h"));
        Assert.Equal("1", _db.Do("HDEL", "h", "b"));
        Assert.Equal("0", _db.Do("EXISTS", "h"));
        Assert.Equal("0", _db.Do("HDEL", "h", "b"));
    }

    [Fact]
    public void Hexists_hlen_and_hstrlen_answer_zero_for_missing_things()
    {
        _db.Do("HSET", "h", "a", "hello");
        Assert.Equal("1", _db.Do("HEXISTS", "h", "a"));
        Assert.Equal("0", _db.Do("HEXISTS", "h", "b"));
        Assert.Equal("5", _db.Do("HSTRLEN", "h", "a"));
        Assert.Equal("0", _db.Do("HSTRLEN", "h", "b"));
        Assert.Equal("0", _db.Do("HLEN", "nokey"));
    }

    [Fact]
    public void Hincrby_creates_adds_and_refuses_non_integers_and_overflow()
    {
        Assert.Equal("5", _db.Do("HINCRBY", "h", "n", "5"));
        Assert.Equal("2", _db.Do("HINCRBY", "h", "n", "-3"));
        _db.Do("HSET", "h", "s", "abc");
        Assert.Equal("ERR hash value is not an integer", _db.Do("HINCRBY", "h", "s", "1"));
        Assert.Equal("ERR value is not an integer or out of range", _db.Do("HINCRBY", "h", "n", "x"));
        Assert.Equal("ERR increment or decrement would overflow", _db.Do("HINCRBY", "h", "n", "9223372036854775807"));
        Assert.Equal("0", _db.Do("EXISTS", "other"));
        Assert.Equal("ERR value is not an integer or out of range", _db.Do("HINCRBY", "other", "n", "x"));
        Assert.Equal("0", _db.Do("EXISTS", "other"));
    }

    [Fact]
    public void Hincrbyfloat_computes_in_long_double_like_redis_and_refuses_bad_input()
    {
        Assert.Equal("1.1", _db.Do("HINCRBYFLOAT", "h", "f", "1.1"));
        Assert.Equal("2.2", _db.Do("HINCRBYFLOAT", "h", "f", "1.1"));
        Assert.Equal("0.1", _db.Do("HINCRBYFLOAT", "h", "g", "0.1"));
        Assert.Equal("0.3", _db.Do("HINCRBYFLOAT", "h", "g", "0.2")); // long double in Redis: not 0.30000000000000004
        Assert.Equal("5001", _db.Do("HINCRBYFLOAT", "h", "g", "5000.7"));
        _db.Do("HSET", "h", "t", "0.3");
        Assert.Equal("10000000000.29999999981373549", _db.Do("HINCRBYFLOAT", "h", "t", "1e10")); // redis-server's own answer
        _db.Do("HSET", "h", "e", "1e2", "s", "abc");
        Assert.Equal("100", _db.Do("HINCRBYFLOAT", "h", "e", "0"));
        Assert.Equal("ERR hash value is not a float", _db.Do("HINCRBYFLOAT", "h", "s", "1"));
        Assert.Equal("ERR value is not a valid float", _db.Do("HINCRBYFLOAT", "h", "f", " 1"));
        Assert.Equal("ERR value is NaN or Infinity", _db.Do("HINCRBYFLOAT", "h", "f", "inf"));
    }

    [Fact]
    public void Hash_commands_on_a_string_are_wrongtype()
    {
        _db.Do("SET", "s", "v");
        foreach (var cmd in new[] { new[] { "HSET", "s", "a", "1" }, ["HGET", "s", "a"], ["HGETALL", "s"], ["HDEL", "s", "a"],
                     ["HLEN", "s"], ["HINCRBY", "s", "a", "1"], ["HRANDFIELD", "s"], ["HSCAN", "s", "0"], ["HMGET", "s", "a"] })
            Assert.Equal(TypesDb.WrongType, _db.Do(cmd));
        Assert.Equal(TypesDb.WrongType, _db.Do("HKEYS", "s"));
        Assert.Equal("v", _db.Do("GET", "s"));
    }

    [Fact]
    public void Hrandfield_positive_count_gives_distinct_fields_negative_may_repeat()
    {
        for (int i = 0; i < 10; i++) _db.Do("HSET", "h", "f" + i, "v" + i);
        var distinct = _db.Run("HRANDFIELD", "h", "5").Items!.Select(TypesDb.Render).ToList();
        Assert.Equal(5, distinct.Distinct().Count());
        Assert.Equal(10, _db.Run("HRANDFIELD", "h", "50").Items!.Length);
        Assert.Equal(50, _db.Run("HRANDFIELD", "h", "-50").Items!.Length);
        var withValues = _db.Run("HRANDFIELD", "h", "3", "WITHVALUES");
        Assert.Equal(ReplyKind.Pairs, withValues.Kind);
        for (int i = 0; i < 6; i += 2)
            Assert.Equal("v" + TypesDb.Render(withValues.Items![i])[1..], TypesDb.Render(withValues.Items[i + 1]));
        Assert.Equal("[]", _db.Do("HRANDFIELD", "h", "0"));
        Assert.Equal("[]", _db.Do("HRANDFIELD", "nokey", "3"));
        Assert.Equal("nil", _db.Do("HRANDFIELD", "nokey"));
        Assert.StartsWith("f", _db.Do("HRANDFIELD", "h"));
        Assert.Equal("ERR syntax error", _db.Do("HRANDFIELD", "h", "1", "WITHVALUE"));
        Assert.Equal("ERR value is out of range", _db.Do("HRANDFIELD", "h", "-5000000000000000000", "WITHVALUES"));
    }

    [Fact]
    public void Hscan_returns_small_hashes_whole_and_walks_big_ones_without_missing_fields()
    {
        _db.Do("HSET", "small", "a", "1", "b", "2", "ab", "3");
        Assert.Equal("[0,[a,1,ab,3]]", _db.Do("HSCAN", "small", "0", "MATCH", "a*"));
        Assert.Equal("[0,[a,ab]]", _db.Do("HSCAN", "small", "0", "MATCH", "a*", "NOVALUES"));
        for (int i = 0; i < 1000; i++) _db.Do("HSET", "big", "f" + i, "v");
        var seen = new HashSet<string>();
        string cursor = "0";
        int calls = 0;
        do
        {
            var reply = _db.Run("HSCAN", "big", cursor, "COUNT", "50");
            cursor = TypesDb.Render(reply.Items![0]);
            var items = reply.Items[1].Items!;
            for (int i = 0; i < items.Length; i += 2) seen.Add(TypesDb.Render(items[i]));
            _db.Do("HDEL", "big", "f" + (999 - calls)); // deletions meanwhile must not hide fields that stay
            calls++;
        } while (cursor != "0");
        Assert.True(calls > 10);
        for (int i = 0; i < 1000 - calls; i++) Assert.Contains("f" + i, seen);
        Assert.Equal("ERR invalid cursor", _db.Do("HSCAN", "big", "x"));
        Assert.Equal("ERR syntax error", _db.Do("HSCAN", "big", "0", "COUNT", "0"));
        Assert.Equal("[0,[]]", _db.Do("HSCAN", "nokey", "0"));
    }

    [Fact]
    public void Hscan_misses_no_field_even_when_mass_deletes_compact_the_table_mid_scan()
    {
        for (int i = 0; i < 1000; i++) _db.Do("HSET", "h", "f" + i, "v");
        var seen = new HashSet<string>();
        var reply = _db.Run("HSCAN", "h", "0", "COUNT", "100");
        foreach (var item in reply.Items![1].Items!) seen.Add(TypesDb.Render(item));
        for (int i = 0; i < 900; i++) _db.Do("HDEL", "h", "f" + i); // well over half: the table compacts
        string cursor = TypesDb.Render(reply.Items[0]);
        while (cursor != "0")
        {
            reply = _db.Run("HSCAN", "h", cursor, "COUNT", "100");
            cursor = TypesDb.Render(reply.Items![0]);
            foreach (var item in reply.Items[1].Items!) seen.Add(TypesDb.Render(item));
        }
        for (int i = 900; i < 1000; i++) Assert.Contains("f" + i, seen);
    }

    [Fact]
    public void Copy_of_a_hash_is_independent()
    {
        _db.Do("HSET", "h", "a", "1");
        Assert.Equal("1", _db.Do("COPY", "h", "h2"));
        _db.Do("HSET", "h2", "a", "2");
        Assert.Equal("1", _db.Do("HGET", "h", "a"));
        Assert.Equal("2", _db.Do("HGET", "h2", "a"));
    }
}
