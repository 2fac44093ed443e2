using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

public class ListTests
{
    private readonly TypesDb _db = new();

    [Fact]
    public void Lpush_and_rpush_add_at_the_ends_and_return_the_length()
    {
        Assert.Equal("2", _db.Do("RPUSH", "l", "b", "c"));
        Assert.Equal("4", _db.Do("LPUSH", "l", "a", "z"));
        Assert.Equal("[z,a,b,c]", _db.Do("LRANGE", "l", "0", "-1"));
        Assert.Equal("list", _db.Do("TYPE", "l"));
        Assert.Equal("0", _db.Do("LPUSHX", "nokey", "a"));
        Assert.Equal("0", _db.Do("EXISTS", "nokey"));
        Assert.Equal("5", _db.Do("RPUSHX", "l", "d"));
    }

    [Fact]
    public void Pops_with_and_without_count_and_the_last_pop_deletes_the_key()
    {
        _db.Do("RPUSH", "l", "a", "b", "c", "d");
        Assert.Equal("a", _db.Do("LPOP", "l"));
        Assert.Equal("[d,c]", _db.Do("RPOP", "l", "2"));
        Assert.Equal("[]", _db.Do("LPOP", "l", "0"));
        Assert.Equal("[b]", _db.Do("LPOP", "l", "10"));
        Assert.Equal("0", _db.Do("EXISTS", "l"));
        Assert.Equal(ReplyKind.Null, _db.Run("LPOP", "l").Kind);
        Assert.Equal(ReplyKind.NullArray, _db.Run("LPOP", "l", "1").Kind);
        Assert.Equal("ERR value is out of range, must be positive", _db.Do("LPOP", "l", "-1"));
        Assert.Equal("ERR value is out of range, must be positive", _db.Do("RPOP", "l", "x"));
    }

    [Fact]
    public void Lrange_lindex_and_lset_use_negative_indexes_from_the_end()
    {
        _db.Do("RPUSH", "l", "a", "b", "c");
        Assert.Equal("[b,c]", _db.Do("LRANGE", "l", "-2", "100"));
        Assert.Equal("[]", _db.Do("LRANGE", "l", "5", "10"));
        Assert.Equal("c", _db.Do("LINDEX", "l", "-1"));
        Assert.Equal("nil", _db.Do("LINDEX", "l", "3"));
        Assert.Equal("OK", _db.Do("LSET", "l", "-1", "C"));
        Assert.Equal("ERR index out of range", _db.Do("LSET", "l", "3", "x"));
        Assert.Equal("ERR no such key", _db.Do("LSET", "nokey", "0", "x"));
        Assert.Equal("[a,b,C]", _db.Do("LRANGE", "l", "0", "-1"));
    }

    [Fact]
    public void Linsert_finds_the_pivot()
    {
        _db.Do("RPUSH", "l", "a", "c");
        Assert.Equal("3", _db.Do("LINSERT", "l", "BEFORE", "c", "b"));
        Assert.Equal("4", _db.Do("LINSERT", "l", "after", "c", "d"));
        Assert.Equal("-1", _db.Do("LINSERT", "l", "AFTER", "zz", "x"));
        Assert.Equal("0", _db.Do("LINSERT", "nokey", "AFTER", "a", "x"));
        Assert.Equal("ERR syntax error", _db.Do("LINSERT", "l", "MIDDLE", "a", "x"));
        Assert.Equal("[a,b,c,d]", _db.Do("LRANGE", "l", "0", "-1"));
    }

    [Fact]
    public void Lrem_removes_from_head_tail_or_everywhere()
    {
        _db.Do("RPUSH", "l", "x", "a", "x", "b", "x");
        Assert.Equal("1", _db.Do("LREM", "l", "1", "x"));
        Assert.Equal("[a,x,b,x]", _db.Do("LRANGE", "l", "0", "-1"));
        Assert.Equal("1", _db.Do("LREM", "l", "-1", "x"));
        Assert.Equal("[a,x,b]", _db.Do("LRANGE", "l", "0", "-1"));
        _db.Do("RPUSH", "l", "x");
        Assert.Equal("2", _db.Do("LREM", "l", "0", "x"));
        Assert.Equal("[a,b]", _db.Do("LRANGE", "l", "0", "-1"));
    }

    [Fact]
    public void Ltrim_keeps_the_range_and_an_empty_range_deletes_the_key()
    {
        _db.Do("RPUSH", "l", "a", "b", "c", "d");
        Assert.Equal("OK", _db.Do("LTRIM", "l", "1", "-2"));
        Assert.Equal("[b,c]", _db.Do("LRANGE", "l", "0", "-1"));
        Assert.Equal("OK", _db.Do("LTRIM", "l", "5", "10"));
        Assert.Equal("0", _db.Do("EXISTS", "l"));
    }

    [Fact]
    public void Lpos_with_rank_count_and_maxlen()
    {
        _db.Do("RPUSH", "l", "a", "b", "c", "a", "b", "a");
        Assert.Equal("0", _db.Do("LPOS", "l", "a"));
        Assert.Equal("3", _db.Do("LPOS", "l", "a", "RANK", "2"));
        Assert.Equal("5", _db.Do("LPOS", "l", "a", "RANK", "-1"));
        Assert.Equal("[0,3,5]", _db.Do("LPOS", "l", "a", "COUNT", "0"));
        Assert.Equal("[5,3]", _db.Do("LPOS", "l", "a", "RANK", "-1", "COUNT", "2"));
        Assert.Equal("[0]", _db.Do("LPOS", "l", "a", "COUNT", "0", "MAXLEN", "3"));
        Assert.Equal("nil", _db.Do("LPOS", "l", "zz"));
        Assert.Equal("[]", _db.Do("LPOS", "nokey", "a", "COUNT", "1"));
        Assert.StartsWith("ERR RANK can't be zero", _db.Do("LPOS", "l", "a", "RANK", "0"));
        Assert.Equal("ERR COUNT can't be negative", _db.Do("LPOS", "l", "a", "COUNT", "-1"));
        Assert.Equal("ERR MAXLEN can't be negative", _db.Do("LPOS", "l", "a", "MAXLEN", "-1"));
        Assert.Equal("ERR syntax error", _db.Do("LPOS", "l", "a", "FOO"));
    }

    [Fact]
    public void Lmove_and_rpoplpush_move_between_ends_and_rotate_one_list()
    {
        _db.Do("RPUSH", "{l}a", "1", "2", "3");
        Assert.Equal("3", _db.Do("RPOPLPUSH", "{l}a", "{l}b"));
        Assert.Equal("1", _db.Do("LMOVE", "{l}a", "{l}b", "LEFT", "RIGHT"));
        Assert.Equal("[3,1]", _db.Do("LRANGE", "{l}b", "0", "-1"));
        Assert.Equal("3", _db.Do("LMOVE", "{l}b", "{l}b", "LEFT", "RIGHT"));
        Assert.Equal("[1,3]", _db.Do("LRANGE", "{l}b", "0", "-1"));
        Assert.Equal("nil", _db.Do("LMOVE", "{l}none", "{l}b", "LEFT", "RIGHT"));
        Assert.Equal("ERR syntax error", _db.Do("LMOVE", "{l}a", "{l}b", "UP", "RIGHT"));
        _db.Do("SET", "{l}s", "v");
        Assert.Equal(TypesDb.WrongType, _db.Do("LMOVE", "{l}a", "{l}s", "LEFT", "RIGHT"));
        Assert.Equal("[2]", _db.Do("LRANGE", "{l}a", "0", "-1"));
        Assert.Equal("2", _db.Do("RPOPLPUSH", "{l}a", "{l}a"));
    }

    [Fact]
    public void Lmpop_pops_from_the_first_non_empty_list()
    {
        _db.Do("RPUSH", "{l}b", "1", "2", "3");
        Assert.Equal("[{l}b,[3,2]]", _db.Do("LMPOP", "2", "{l}a", "{l}b", "RIGHT", "COUNT", "2"));
        Assert.Equal("nil", _db.Do("LMPOP", "1", "{l}a", "LEFT"));
        Assert.Equal("ERR numkeys should be greater than 0", _db.Do("LMPOP", "0", "{l}a", "LEFT"));
        Assert.Equal("ERR count should be greater than 0", _db.Do("LMPOP", "1", "{l}a", "LEFT", "COUNT", "0"));
    }

    [Fact]
    public void Blocking_pops_answer_at_once_when_data_is_there_and_nil_when_they_would_wait()
    {
        _db.Do("RPUSH", "{l}b", "1", "2", "3", "4");
        Assert.Equal("[{l}b,1]", _db.Do("BLPOP", "{l}a", "{l}b", "0"));
        Assert.Equal("[{l}b,4]", _db.Do("BRPOP", "{l}b", "0.5"));
        Assert.Equal("3", _db.Do("BRPOPLPUSH", "{l}b", "{l}c", "0"));
        Assert.Equal("2", _db.Do("BLMOVE", "{l}b", "{l}c", "RIGHT", "LEFT", "0"));
        Assert.Equal(ReplyKind.NullArray, _db.Run("BLPOP", "{l}b", "0").Kind);
        // BLMOVE's non-blocking answer is LMOVE's nil bulk, as redis-server answers it inside MULTI; a real timeout answers a nil array.
        Assert.Equal(ReplyKind.Null, _db.Run("BLMOVE", "{l}b", "{l}c", "LEFT", "LEFT", "0").Kind);
        Assert.Equal("[{l}c,[2]]", _db.Do("BLMPOP", "0", "1", "{l}c", "LEFT"));
        Assert.Equal("ERR timeout is negative", _db.Do("BLPOP", "{l}b", "-1"));
        Assert.Equal("ERR timeout is not a float or out of range", _db.Do("BRPOP", "{l}b", "x"));
        foreach (var name in new[] { "BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP" })
            Assert.True(CommandTable.Find(name)!.Flags.HasFlag(CommandFlags.Blocking), name);
    }

    [Fact]
    public void List_commands_on_a_hash_are_wrongtype()
    {
        _db.Do("HSET", "h", "a", "1");
        foreach (var cmd in new[] { new[] { "LPUSH", "h", "a" }, ["RPOP", "h"], ["LRANGE", "h", "0", "1"], ["LLEN", "h"],
                     ["LINDEX", "h", "0"], ["LSET", "h", "0", "a"], ["LPOS", "h", "a"], ["BLPOP", "h", "0"] })
            Assert.Equal(TypesDb.WrongType, _db.Do(cmd));
    }

    [Fact]
    public void Keys_after_a_key_count_route_by_their_own_slots()
    {
        var zunion = CommandTable.Find("ZUNIONSTORE")!;
        Assert.Equal([1, 3, 4], zunion.KeyIndexes(Bytes("ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2")).ToArray());
        var lmpop = CommandTable.Find("BLMPOP")!;
        Assert.Equal([3], lmpop.KeyIndexes(Bytes("BLMPOP", "0", "1", "k", "LEFT", "COUNT", "2")).ToArray());
        var router = new CommandRouter(new PartitionMap(4));
        router.PartitionOf(zunion, Bytes("ZUNIONSTORE", "{t}d", "2", "{t}a", "{t}b", "WEIGHTS", "1", "2"), out var error);
        Assert.Null(error);
        router.PartitionOf(zunion, Bytes("ZUNIONSTORE", "{t}d", "2", "{t}a", "other"), out error);
        Assert.Equal(Errors.CrossSlot, error);
    }

    private static byte[][] Bytes(params string[] args) => args.Select(Args.Bytes).ToArray();
}
