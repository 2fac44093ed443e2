using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

public class SetTests
{
    private readonly TypesDb _db = new();

    private static string Sorted(string rendered) =>
        "[" + string.Join(",", rendered.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)) + "]";

    [Fact]
    public void Sadd_and_srem_count_real_changes_and_an_empty_set_is_deleted()
    {
        Assert.Equal("3", _db.Do("SADD", "s", "a", "b", "c", "a"));
        Assert.Equal("0", _db.Do("SADD", "s", "a"));
        Assert.Equal("set", _db.Do("TYPE", "s"));
        Assert.Equal("2", _db.Do("SREM", "s", "a", "b", "zz"));
        Assert.Equal("1", _db.Do("SCARD", "s"));
        Assert.Equal("1", _db.Do("SREM", "s", "c"));
        Assert.Equal("0", _db.Do("EXISTS", "s"));
    }

    [Fact]
    public void Smembers_is_a_set_reply_and_membership_checks_answer_integers()
    {
        _db.Do("SADD", "s", "a", "b");
        var members = _db.Run("SMEMBERS", "s");
        Assert.Equal(ReplyKind.Set, members.Kind);
        Assert.Equal("[a,b]", Sorted(TypesDb.Render(members)));
        Assert.Equal("1", _db.Do("SISMEMBER", "s", "a"));
        Assert.Equal("0", _db.Do("SISMEMBER", "s", "x"));
        Assert.Equal("[1,0]", _db.Do("SMISMEMBER", "s", "a", "x"));
        Assert.Equal("[0]", _db.Do("SMISMEMBER", "nokey", "a"));
        Assert.Equal("[]", _db.Do("SMEMBERS", "nokey"));
    }

    [Fact]
    public void Small_integer_sets_list_in_ascending_order_like_redis_intsets()
    {
        _db.Do("SADD", "{i}x", "30", "1", "-2", "5");
        _db.Do("SADD", "{i}y", "5", "7", "100");
        Assert.Equal("[-2,1,5,30]", _db.Do("SMEMBERS", "{i}x"));
        Assert.Equal("[-2,1,5,7,30,100]", _db.Do("SUNION", "{i}x", "{i}y"));
        Assert.Equal("[-2,1,30]", _db.Do("SDIFF", "{i}x", "{i}y"));
        Assert.Equal("[0,[-2,1,5,30]]", _db.Do("SSCAN", "{i}x", "0"));
        Assert.Equal("[-2,1,5,30]", _db.Do("SRANDMEMBER", "{i}x", "10"));
    }

    [Fact]
    public void Spop_removes_what_it_returns()
    {
        _db.Do("SADD", "s", "a", "b", "c", "d");
        var one = _db.Do("SPOP", "s");
        Assert.Equal("0", _db.Do("SISMEMBER", "s", one));
        var two = _db.Run("SPOP", "s", "2");
        Assert.Equal(ReplyKind.Set, two.Kind);
        Assert.Equal(2, two.Items!.Length);
        Assert.Equal("1", _db.Do("SCARD", "s"));
        Assert.Equal("1", _db.Run("SPOP", "s", "5").Items!.Length.ToString());
        Assert.Equal("0", _db.Do("EXISTS", "s"));
        Assert.Equal("nil", _db.Do("SPOP", "s"));
        Assert.Equal("[]", _db.Do("SPOP", "s", "2"));
        Assert.Equal("ERR value is out of range, must be positive", _db.Do("SPOP", "s", "-1"));
    }

    [Fact]
    public void Srandmember_positive_count_is_distinct_negative_may_repeat()
    {
        _db.Do("SADD", "s", "a", "b", "c");
        Assert.Equal("[a,b,c]", Sorted(_db.Do("SRANDMEMBER", "s", "10")));
        Assert.Equal(2, _db.Run("SRANDMEMBER", "s", "2").Items!.Select(TypesDb.Render).Distinct().Count());
        Assert.Equal(10, _db.Run("SRANDMEMBER", "s", "-10").Items!.Length);
        Assert.Equal("3", _db.Do("SCARD", "s"));
        Assert.Equal("nil", _db.Do("SRANDMEMBER", "nokey"));
        Assert.Equal("[]", _db.Do("SRANDMEMBER", "nokey", "3"));
    }

    [Fact]
    public void Smove_moves_one_member_and_checks_the_destination_type()
    {
        _db.Do("SADD", "{s}a", "x", "y");
        Assert.Equal("1", _db.Do("SMOVE", "{s}a", "{s}b", "x"));
        Assert.Equal("0", _db.Do("SMOVE", "{s}a", "{s}b", "nope"));
        Assert.Equal("0", _db.Do("SMOVE", "{s}none", "{s}b", "x"));
        Assert.Equal("1", _db.Do("SMOVE", "{s}a", "{s}a", "y"));
        _db.Do("SET", "{s}str", "v");
        Assert.Equal(TypesDb.WrongType, _db.Do("SMOVE", "{s}a", "{s}str", "y"));
        Assert.Equal("1", _db.Do("SMOVE", "{s}a", "{s}b", "y"));
        Assert.Equal("0", _db.Do("EXISTS", "{s}a"));
        Assert.Equal("[x,y]", Sorted(_db.Do("SMEMBERS", "{s}b")));
    }

    [Fact]
    public void Sinter_sunion_sdiff_and_their_store_forms()
    {
        _db.Do("SADD", "{s}a", "1", "2", "3");
        _db.Do("SADD", "{s}b", "2", "3", "4");
        Assert.Equal("[2,3]", Sorted(_db.Do("SINTER", "{s}a", "{s}b")));
        Assert.Equal("[1,2,3,4]", Sorted(_db.Do("SUNION", "{s}a", "{s}b", "{s}none")));
        Assert.Equal("[1]", _db.Do("SDIFF", "{s}a", "{s}b"));
        Assert.Equal("[]", _db.Do("SINTER", "{s}a", "{s}none"));
        Assert.Equal(ReplyKind.Set, _db.Run("SUNION", "{s}a").Kind);
        Assert.Equal("2", _db.Do("SINTERSTORE", "{s}d", "{s}a", "{s}b"));
        Assert.Equal("4", _db.Do("SUNIONSTORE", "{s}d", "{s}a", "{s}b"));
        Assert.Equal("1", _db.Do("SDIFFSTORE", "{s}d", "{s}a", "{s}b"));
        Assert.Equal("[1]", _db.Do("SMEMBERS", "{s}d"));
        Assert.Equal("0", _db.Do("SINTERSTORE", "{s}d", "{s}a", "{s}none"));
        Assert.Equal("0", _db.Do("EXISTS", "{s}d"));
        _db.Do("SET", "{s}str", "v");
        Assert.Equal(TypesDb.WrongType, _db.Do("SUNION", "{s}a", "{s}str"));
        Assert.Equal(TypesDb.WrongType, _db.Do("SINTERSTORE", "{s}d", "{s}none", "{s}str"));
    }

    [Fact]
    public void Sintercard_counts_up_to_the_limit()
    {
        _db.Do("SADD", "{s}a", "1", "2", "3");
        _db.Do("SADD", "{s}b", "1", "2", "3", "4");
        Assert.Equal("3", _db.Do("SINTERCARD", "2", "{s}a", "{s}b"));
        Assert.Equal("2", _db.Do("SINTERCARD", "2", "{s}a", "{s}b", "LIMIT", "2"));
        Assert.Equal("0", _db.Do("SINTERCARD", "2", "{s}a", "{s}none"));
        Assert.Equal("ERR numkeys should be greater than 0", _db.Do("SINTERCARD", "0", "{s}a"));
        Assert.Equal("ERR LIMIT can't be negative", _db.Do("SINTERCARD", "1", "{s}a", "LIMIT", "x"));
        Assert.Equal("ERR Number of keys can't be greater than number of args", _db.Do("SINTERCARD", "3", "{s}a"));
    }

    [Fact]
    public void Sscan_walks_a_large_set_completely()
    {
        for (int i = 0; i < 500; i++) _db.Do("SADD", "s", "m" + i);
        var seen = new HashSet<string>();
        string cursor = "0";
        do
        {
            var reply = _db.Run("SSCAN", "s", cursor, "MATCH", "m1*");
            cursor = TypesDb.Render(reply.Items![0]);
            foreach (var m in reply.Items[1].Items!) seen.Add(TypesDb.Render(m));
        } while (cursor != "0");
        Assert.Equal(111, seen.Count);
        Assert.Equal("ERR syntax error", _db.Do("SSCAN", "s", "0", "TYPE", "set"));
    }

    [Fact]
    public void Set_commands_on_a_list_are_wrongtype()
    {
        _db.Do("RPUSH", "l", "a");
        foreach (var cmd in new[] { new[] { "SADD", "l", "a" }, ["SREM", "l", "a"], ["SMEMBERS", "l"], ["SISMEMBER", "l", "a"],
                     ["SCARD", "l"], ["SPOP", "l"], ["SRANDMEMBER", "l"], ["SINTER", "l"], ["SSCAN", "l", "0"] })
            Assert.Equal(TypesDb.WrongType, _db.Do(cmd));
    }

    [Fact]
    public void Copy_of_every_aggregate_type_is_deep()
    {
        _db.Do("SADD", "{c}s", "a");
        _db.Do("RPUSH", "{c}l", "a");
        _db.Do("ZADD", "{c}z", "1", "a");
        foreach (var key in new[] { "{c}s", "{c}l", "{c}z" }) Assert.Equal("1", _db.Do("COPY", key, key + "2"));
        _db.Do("SADD", "{c}s2", "b");
        _db.Do("RPUSH", "{c}l2", "b");
        _db.Do("ZADD", "{c}z2", "2", "a");
        Assert.Equal("1", _db.Do("SCARD", "{c}s"));
        Assert.Equal("1", _db.Do("LLEN", "{c}l"));
        Assert.Equal("1", _db.Do("ZSCORE", "{c}z", "a"));
        Assert.Equal("[a]", _db.Do("LRANGE", "{c}l2", "0", "0"));
        Assert.Equal("[a,2]", _db.Do("ZRANGE", "{c}z2", "0", "-1", "WITHSCORES"));
    }
}
