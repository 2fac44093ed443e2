using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

public class SortedSetTests
{
    private readonly TypesDb _db = new();

    private void Seed() => _db.Do("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");

    [Fact]
    public void Zadd_counts_new_members_and_ch_counts_changed_ones_too()
    {
        Assert.Equal("2", _db.Do("ZADD", "z", "1", "a", "2", "b"));
        Assert.Equal("1", _db.Do("ZADD", "z", "5", "a", "2", "b", "4", "d"));
        Assert.Equal("1", _db.Do("ZADD", "z", "CH", "6", "a", "2", "b"));
        Assert.Equal("zset", _db.Do("TYPE", "z"));
        Assert.Equal("[b,d,a]", _db.Do("ZRANGE", "z", "0", "-1"));
    }

    [Fact]
    public void Zadd_option_conflicts_and_bad_scores_are_rejected_before_any_change()
    {
        Assert.Equal("ERR XX and NX options at the same time are not compatible", _db.Do("ZADD", "z", "NX", "XX", "1", "a"));
        Assert.Equal("ERR GT, LT, and/or NX options at the same time are not compatible", _db.Do("ZADD", "z", "NX", "GT", "1", "a"));
        Assert.Equal("ERR INCR option supports a single increment-element pair", _db.Do("ZADD", "z", "INCR", "1", "a", "2", "b"));
        Assert.Equal("ERR syntax error", _db.Do("ZADD", "z", "1", "a", "2"));
        Assert.Equal("ERR value is not a valid float", _db.Do("ZADD", "z", "1", "a", "x", "b"));
        Assert.Equal("ERR value is not a valid float", _db.Do("ZADD", "z", "nan", "a"));
        Assert.Equal("0", _db.Do("EXISTS", "z"));
    }

    [Fact]
    public void Zadd_nx_xx_gt_lt_and_incr_follow_redis()
    {
        Seed();
        Assert.Equal("0", _db.Do("ZADD", "z", "XX", "9", "new"));
        Assert.Equal("0", _db.Do("ZADD", "z", "NX", "9", "a"));
        Assert.Equal("1", _db.Do("ZSCORE", "z", "a"));
        Assert.Equal("0", _db.Do("ZADD", "z", "GT", "CH", "0", "a"));
        Assert.Equal("1", _db.Do("ZADD", "z", "GT", "CH", "7", "a"));
        Assert.Equal("1", _db.Do("ZADD", "z", "LT", "CH", "1", "a"));
        Assert.Equal("1", _db.Do("ZADD", "z", "GT", "8", "gtnew"));
        var incr = _db.Run("ZADD", "z", "INCR", "2.5", "a");
        Assert.Equal(ReplyKind.Double, incr.Kind);
        Assert.Equal(3.5, incr.Double);
        Assert.Equal("nil", _db.Do("ZADD", "z", "INCR", "NX", "1", "a"));
        Assert.Equal("nil", _db.Do("ZADD", "nokey", "XX", "INCR", "1", "a"));
        Assert.Equal("0", _db.Do("EXISTS", "nokey"));
    }

    [Fact]
    public void Zincrby_adds_and_refuses_nan()
    {
        Assert.Equal("2", _db.Do("ZINCRBY", "z", "2", "a"));
        Assert.Equal("inf", _db.Do("ZINCRBY", "z", "inf", "a"));
        Assert.Equal("ERR resulting score is not a number (NaN)", _db.Do("ZINCRBY", "z", "-inf", "a"));
        Assert.Equal("ERR value is not a valid float", _db.Do("ZINCRBY", "z", "x", "a"));
    }

    [Fact]
    public void Zrem_of_all_members_deletes_the_key()
    {
        Seed();
        Assert.Equal("2", _db.Do("ZREM", "z", "a", "b", "zz"));
        Assert.Equal("3", _db.Do("ZCARD", "z"));
        Assert.Equal("3", _db.Do("ZREM", "z", "c", "d", "e"));
        Assert.Equal("0", _db.Do("EXISTS", "z"));
    }

    [Fact]
    public void Zscore_and_zmscore_are_doubles_or_nil()
    {
        Seed();
        Assert.Equal(ReplyKind.Double, _db.Run("ZSCORE", "z", "a").Kind);
        Assert.Equal("nil", _db.Do("ZSCORE", "z", "x"));
        Assert.Equal("[1,nil,5]", _db.Do("ZMSCORE", "z", "a", "x", "e"));
        Assert.Equal("[nil]", _db.Do("ZMSCORE", "nokey", "a"));
    }

    [Fact]
    public void Zrank_and_zrevrank_with_and_without_score()
    {
        Seed();
        Assert.Equal("0", _db.Do("ZRANK", "z", "a"));
        Assert.Equal("4", _db.Do("ZREVRANK", "z", "a"));
        Assert.Equal("[2,3]", _db.Do("ZRANK", "z", "c", "WITHSCORE"));
        Assert.Equal("nil", _db.Do("ZRANK", "z", "x"));
        Assert.Equal(ReplyKind.NullArray, _db.Run("ZRANK", "z", "x", "WITHSCORE").Kind);
        Assert.Equal("ERR syntax error", _db.Do("ZRANK", "z", "a", "WITHSCORES"));
    }

    [Fact]
    public void Zcount_and_zlexcount_understand_exclusive_and_infinite_bounds()
    {
        Seed();
        Assert.Equal("5", _db.Do("ZCOUNT", "z", "-inf", "+inf"));
        Assert.Equal("2", _db.Do("ZCOUNT", "z", "(1", "3"));
        Assert.Equal("0", _db.Do("ZCOUNT", "z", "3", "(3"));
        Assert.Equal("ERR min or max is not a float", _db.Do("ZCOUNT", "z", "x", "1"));
        _db.Do("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d");
        Assert.Equal("4", _db.Do("ZLEXCOUNT", "l", "-", "+"));
        Assert.Equal("2", _db.Do("ZLEXCOUNT", "l", "(a", "[c"));
        Assert.Equal("0", _db.Do("ZLEXCOUNT", "l", "+", "-"));
        Assert.Equal("ERR min or max not valid string range item", _db.Do("ZLEXCOUNT", "l", "a", "+"));
    }

    [Fact]
    public void Zrange_by_rank_score_and_lex_with_rev_limit_and_withscores()
    {
        Seed();
        Assert.Equal("[b,c,d]", _db.Do("ZRANGE", "z", "1", "-2"));
        Assert.Equal("[e,d]", _db.Do("ZRANGE", "z", "0", "1", "REV"));
        Assert.Equal("[e,d]", _db.Do("ZREVRANGE", "z", "0", "1"));
        var withScores = _db.Run("ZRANGE", "z", "0", "1", "WITHSCORES");
        Assert.Equal(ReplyKind.Pairs, withScores.Kind);
        Assert.Equal("[a,1,b,2]", TypesDb.Render(withScores));
        Assert.Equal("[c,d]", _db.Do("ZRANGE", "z", "(1", "5", "BYSCORE", "LIMIT", "1", "2"));
        Assert.Equal("[d,c]", _db.Do("ZRANGE", "z", "5", "(1", "BYSCORE", "REV", "LIMIT", "1", "2"));
        Assert.Equal("[]", _db.Do("ZRANGE", "z", "(1", "5", "BYSCORE", "REV"));
        Assert.Equal("[b,2,c,3]", _db.Do("ZRANGEBYSCORE", "z", "2", "3", "WITHSCORES"));
        Assert.Equal("[c,b]", _db.Do("ZREVRANGEBYSCORE", "z", "3", "2"));
        Assert.Equal("[]", _db.Do("ZRANGE", "z", "3", "1"));
        Assert.Equal("[]", _db.Do("ZRANGE", "nokey", "0", "-1"));
        _db.Do("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d");
        Assert.Equal("[b,c,d]", _db.Do("ZRANGEBYLEX", "l", "(a", "+"));
        Assert.Equal("[d,c]", _db.Do("ZREVRANGEBYLEX", "l", "+", "(a", "LIMIT", "0", "2"));
        Assert.Equal("[d,c]", _db.Do("ZRANGE", "l", "+", "(a", "BYLEX", "REV", "LIMIT", "0", "2"));
    }

    [Fact]
    public void Zrange_option_errors_match_redis()
    {
        Seed();
        Assert.Equal("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
            _db.Do("ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"));
        Assert.Equal("ERR syntax error, WITHSCORES not supported in combination with BYLEX",
            _db.Do("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"));
        Assert.Equal("ERR syntax error", _db.Do("ZRANGE", "z", "0", "-1", "REV", "REV"));
        Assert.Equal("ERR syntax error", _db.Do("ZRANGE", "z", "0", "-1", "BYSCORE", "BYLEX"));
        Assert.Equal("ERR syntax error", _db.Do("ZRANGEBYSCORE", "z", "0", "1", "REV"));
        Assert.Equal("ERR syntax error", _db.Do("ZRANGEBYLEX", "z", "-", "+", "LIMIT", "1"));
        Assert.Equal("ERR value is not an integer or out of range", _db.Do("ZRANGE", "z", "x", "1"));
        Assert.Equal("ERR syntax error", _db.Do("ZRANGESTORE", "d", "z", "0", "-1", "WITHSCORES"));
    }

    [Fact]
    public void Zrangestore_stores_the_range_and_an_empty_one_deletes_the_destination()
    {
        Seed();
        Assert.Equal("2", _db.Do("ZRANGESTORE", "dst", "z", "2", "+inf", "BYSCORE", "LIMIT", "0", "2"));
        Assert.Equal("[b,2,c,3]", _db.Do("ZRANGE", "dst", "0", "-1", "WITHSCORES"));
        Assert.Equal("0", _db.Do("ZRANGESTORE", "dst", "z", "10", "20"));
        Assert.Equal("0", _db.Do("EXISTS", "dst"));
    }

    [Fact]
    public void Zremrangeby_rank_score_and_lex()
    {
        Seed();
        Assert.Equal("2", _db.Do("ZREMRANGEBYRANK", "z", "0", "1"));
        Assert.Equal("1", _db.Do("ZREMRANGEBYSCORE", "z", "(3", "4"));
        Assert.Equal("[c,e]", _db.Do("ZRANGE", "z", "0", "-1"));
        _db.Do("ZADD", "l", "0", "a", "0", "b", "0", "c");
        Assert.Equal("3", _db.Do("ZREMRANGEBYLEX", "l", "-", "+"));
        Assert.Equal("0", _db.Do("EXISTS", "l"));
    }

    [Fact]
    public void Zpopmin_and_zpopmax_reply_flat_without_count_and_pairs_with_one()
    {
        Seed();
        var one = _db.Run("ZPOPMIN", "z");
        Assert.Equal(ReplyKind.Array, one.Kind);
        Assert.Equal("[a,1]", TypesDb.Render(one));
        var two = _db.Run("ZPOPMAX", "z", "2");
        Assert.Equal(ReplyKind.Pairs, two.Kind);
        Assert.Equal("[e,5,d,4]", TypesDb.Render(two));
        Assert.Equal("ERR value is out of range, must be positive", _db.Do("ZPOPMIN", "z", "-1"));
        Assert.Equal("[]", _db.Do("ZPOPMIN", "nokey"));
        Assert.Equal("[b,2,c,3]", _db.Do("ZPOPMIN", "z", "10"));
        Assert.Equal("0", _db.Do("EXISTS", "z"));
    }

    [Fact]
    public void Zmpop_pops_from_the_first_non_empty_key()
    {
        Seed();
        Assert.Equal("[z,[[e,5],[d,4]]]", _db.Do("ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "2"));
        Assert.Equal("nil", _db.Do("ZMPOP", "1", "nokey", "MIN"));
        Assert.Equal("ERR numkeys should be greater than 0", _db.Do("ZMPOP", "0", "z", "MIN"));
        Assert.Equal("ERR syntax error", _db.Do("ZMPOP", "2", "z", "MIN"));
        Assert.Equal("ERR count should be greater than 0", _db.Do("ZMPOP", "1", "z", "MIN", "COUNT", "0"));
        Assert.Equal("ERR syntax error", _db.Do("ZMPOP", "1", "z", "FOO"));
    }

    [Fact]
    public void Blocking_pops_answer_at_once_when_data_is_there_and_nil_when_they_would_wait()
    {
        Seed();
        Assert.Equal("[z,a,1]", _db.Do("BZPOPMIN", "nokey", "z", "0"));
        Assert.Equal("[z,e,5]", _db.Do("BZPOPMAX", "z", "1.5"));
        Assert.Equal("[z,[[b,2]]]", _db.Do("BZMPOP", "0", "1", "z", "MIN"));
        Assert.Equal("nil", _db.Do("BZPOPMIN", "nokey", "0"));
        Assert.Equal("ERR timeout is negative", _db.Do("BZPOPMIN", "z", "-1"));
        Assert.Equal("ERR timeout is not a float or out of range", _db.Do("BZPOPMIN", "z", "x"));
        Assert.True(CommandTable.Find("BZPOPMIN")!.Flags.HasFlag(CommandFlags.Blocking));
    }

    [Fact]
    public void Zrandmember_distinct_repeating_and_withscores()
    {
        Seed();
        Assert.Equal(5, _db.Run("ZRANDMEMBER", "z", "9").Items!.Length);
        Assert.Equal(9, _db.Run("ZRANDMEMBER", "z", "-9").Items!.Length);
        var pairs = _db.Run("ZRANDMEMBER", "z", "2", "WITHSCORES");
        Assert.Equal(ReplyKind.Pairs, pairs.Kind);
        Assert.Equal(ReplyKind.Double, pairs.Items![1].Kind);
        Assert.Equal("nil", _db.Do("ZRANDMEMBER", "nokey"));
        Assert.Equal("ERR value is out of range", _db.Do("ZRANDMEMBER", "z", "-5000000000000000000", "WITHSCORES"));
    }

    [Fact]
    public void Zunion_zinter_zdiff_with_weights_and_aggregate()
    {
        _db.Do("ZADD", "{t}a", "1", "x", "2", "y");
        _db.Do("ZADD", "{t}b", "10", "y", "20", "z");
        _db.Do("SADD", "{t}s", "x");
        Assert.Equal("[x,1,y,12,z,20]", _db.Do("ZUNION", "2", "{t}a", "{t}b", "WEIGHTS", "1", "1", "WITHSCORES"));
        Assert.Equal("[y,12]", _db.Do("ZINTER", "2", "{t}a", "{t}b", "WITHSCORES"));
        Assert.Equal("[y,10]", _db.Do("ZINTER", "2", "{t}a", "{t}b", "AGGREGATE", "MAX", "WITHSCORES"));
        Assert.Equal("[y,14]", _db.Do("ZINTER", "2", "{t}a", "{t}b", "WEIGHTS", "2", "1", "AGGREGATE", "SUM", "WITHSCORES"));
        Assert.Equal("[x]", _db.Do("ZDIFF", "2", "{t}a", "{t}b"));
        Assert.Equal("[x,2]", _db.Do("ZINTER", "2", "{t}a", "{t}s", "WITHSCORES"));
        Assert.Equal("3", _db.Do("ZUNIONSTORE", "{t}d", "2", "{t}a", "{t}b"));
        Assert.Equal("0", _db.Do("ZINTERSTORE", "{t}d", "2", "{t}a", "{t}nokey"));
        Assert.Equal("0", _db.Do("EXISTS", "{t}d"));
        Assert.Equal("1", _db.Do("ZINTERCARD", "2", "{t}a", "{t}b"));
        Assert.Equal("ERR at least 1 input key is needed for 'zunion' command", _db.Do("ZUNION", "0", "{t}a"));
        Assert.Equal("ERR weight value is not a float", _db.Do("ZUNION", "1", "{t}a", "WEIGHTS", "x"));
        Assert.Equal("ERR syntax error", _db.Do("ZUNION", "2", "{t}a"));
        Assert.Equal("ERR syntax error", _db.Do("ZDIFF", "1", "{t}a", "WEIGHTS", "1"));
        Assert.Equal("ERR LIMIT can't be negative", _db.Do("ZINTERCARD", "1", "{t}a", "LIMIT", "-1"));
        _db.Do("SET", "{t}str", "v");
        Assert.Equal(TypesDb.WrongType, _db.Do("ZUNION", "2", "{t}a", "{t}str"));
    }

    [Theory]
    [InlineData(1e20, "1e+20")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(0.1, "0.1")]
    [InlineData(-1.5, "-1.5")]
    [InlineData(123456789.12345679, "123456789.12345679")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(1e17, "1e+17")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(-0.0, "0")]
    [InlineData(double.PositiveInfinity, "inf")]
    public void Scores_format_like_redis(double score, string expected) => Assert.Equal(expected, Args.FormatScore(score));

    [Fact]
    public void An_exclusive_bound_with_no_number_reads_as_zero_like_redis()
    {
        _db.Do("ZADD", "z", "-1", "neg", "0", "zero", "1", "one");
        Assert.Equal("[one]", _db.Do("ZRANGEBYSCORE", "z", "(", "+inf"));
    }

    [Fact]
    public void Zscan_returns_scores_as_strings()
    {
        _db.Do("ZADD", "z", "1.5", "a", "2", "b");
        var reply = _db.Run("ZSCAN", "z", "0");
        Assert.Equal("[0,[a,1.5,b,2]]", TypesDb.Render(reply));
        Assert.Equal(ReplyKind.Bulk, reply.Items![1].Items![1].Kind);
    }

    [Fact]
    public void Sorted_set_commands_on_a_string_are_wrongtype()
    {
        _db.Do("SET", "s", "v");
        foreach (var cmd in new[] { new[] { "ZADD", "s", "1", "a" }, ["ZSCORE", "s", "a"], ["ZRANGE", "s", "0", "1"], ["ZCARD", "s"],
                     ["ZPOPMIN", "s"], ["ZRANK", "s", "a"], ["ZINCRBY", "s", "1", "a"], ["ZCOUNT", "s", "0", "1"] })
            Assert.Equal(TypesDb.WrongType, _db.Do(cmd));
    }

    [Fact]
    public void Rank_and_range_stay_logarithmic_on_a_large_set()
    {
        var zset = new RedisSortedSet();
        for (int i = 0; i < 200_000; i++) zset.Add(Args.Bytes("m" + i), i % 1000);
        zset.Tree.Validate();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 20_000; i++) Assert.NotNull(zset.Rank(Args.Bytes("m" + i * 7), false));
        Assert.True(sw.ElapsedMilliseconds < 2000, $"20k ranks took {sw.ElapsedMilliseconds} ms");
        Assert.Equal(100_000, zset.RankRange(100_000, 100_000, false).Single().Score == 500 ? 100_000 : -1);
    }
}
