using System.Text;

namespace Orleans.Cache.Core.Tests;

/// <summary>The command table against what COMMAND INFO says on redis-server 7.0.15: arity, flags, key positions.</summary>
public class CommandTableTests
{
    [Theory]
    [InlineData("GET", 2, 1, 1, 1, "readonly fast")]
    [InlineData("SET", -3, 1, 1, 1, "write denyoom")]
    [InlineData("SETNX", 3, 1, 1, 1, "write denyoom fast")]
    [InlineData("SETEX", 4, 1, 1, 1, "write denyoom")]
    [InlineData("PSETEX", 4, 1, 1, 1, "write denyoom")]
    [InlineData("GETSET", 3, 1, 1, 1, "write denyoom fast")]
    [InlineData("GETDEL", 2, 1, 1, 1, "write fast")]
    [InlineData("GETEX", -2, 1, 1, 1, "write fast")]
    [InlineData("MGET", -2, 1, -1, 1, "readonly fast")]
    [InlineData("MSET", -3, 1, -1, 2, "write denyoom")]
    [InlineData("MSETNX", -3, 1, -1, 2, "write denyoom")]
    [InlineData("INCR", 2, 1, 1, 1, "write denyoom fast")]
    [InlineData("DECR", 2, 1, 1, 1, "write denyoom fast")]
    [InlineData("INCRBY", 3, 1, 1, 1, "write denyoom fast")]
    [InlineData("DECRBY", 3, 1, 1, 1, "write denyoom fast")]
    [InlineData("INCRBYFLOAT", 3, 1, 1, 1, "write denyoom fast")]
    [InlineData("APPEND", 3, 1, 1, 1, "write denyoom fast")]
    [InlineData("STRLEN", 2, 1, 1, 1, "readonly fast")]
    [InlineData("GETRANGE", 4, 1, 1, 1, "readonly")]
    [InlineData("SUBSTR", 4, 1, 1, 1, "readonly")]
    [InlineData("SETRANGE", 4, 1, 1, 1, "write denyoom")]
    [InlineData("DEL", -2, 1, -1, 1, "write")]
    [InlineData("UNLINK", -2, 1, -1, 1, "write fast")]
    [InlineData("EXISTS", -2, 1, -1, 1, "readonly fast")]
    [InlineData("TOUCH", -2, 1, -1, 1, "readonly fast")]
    [InlineData("TYPE", 2, 1, 1, 1, "readonly fast")]
    [InlineData("EXPIRE", -3, 1, 1, 1, "write fast")]
    [InlineData("PEXPIRE", -3, 1, 1, 1, "write fast")]
    [InlineData("EXPIREAT", -3, 1, 1, 1, "write fast")]
    [InlineData("PEXPIREAT", -3, 1, 1, 1, "write fast")]
    [InlineData("TTL", 2, 1, 1, 1, "readonly fast")]
    [InlineData("PTTL", 2, 1, 1, 1, "readonly fast")]
    [InlineData("EXPIRETIME", 2, 1, 1, 1, "readonly fast")]
    [InlineData("PEXPIRETIME", 2, 1, 1, 1, "readonly fast")]
    [InlineData("PERSIST", 2, 1, 1, 1, "write fast")]
    [InlineData("RENAME", 3, 1, 2, 1, "write")]
    [InlineData("RENAMENX", 3, 1, 2, 1, "write fast")]
    [InlineData("COPY", -3, 1, 2, 1, "write denyoom")]
    [InlineData("KEYS", 2, 0, 0, 0, "readonly")]
    [InlineData("SCAN", -2, 0, 0, 0, "readonly")]
    [InlineData("RANDOMKEY", 1, 0, 0, 0, "readonly")]
    [InlineData("DBSIZE", 1, 0, 0, 0, "readonly fast")]
    [InlineData("FLUSHDB", -1, 0, 0, 0, "write")]
    [InlineData("FLUSHALL", -1, 0, 0, 0, "write")]
    [InlineData("LCS", -3, 1, 2, 1, "readonly")]
    [InlineData("HEXPIRE", -6, 1, 1, 1, "write denyoom fast")] // from here on as redis.io documents 7.4, 8.0 and 8.4
    [InlineData("HPEXPIREAT", -6, 1, 1, 1, "write denyoom fast")]
    [InlineData("HTTL", -5, 1, 1, 1, "readonly fast")]
    [InlineData("HPEXPIRETIME", -5, 1, 1, 1, "readonly fast")]
    [InlineData("HPERSIST", -5, 1, 1, 1, "write fast")]
    [InlineData("HGETDEL", -5, 1, 1, 1, "write fast")]
    [InlineData("HGETEX", -5, 1, 1, 1, "write fast")]
    [InlineData("HSETEX", -6, 1, 1, 1, "write denyoom fast")]
    [InlineData("DIGEST", 2, 1, 1, 1, "readonly fast")]
    [InlineData("DELEX", -2, 1, 1, 1, "write fast")]
    public void Row_matches_Redis_COMMAND_INFO(string name, int arity, int first, int last, int step, string flags)
    {
        var c = CommandTable.Find(name)!;
        Assert.Equal(name, c.Name);
        Assert.Equal(arity, c.Arity);
        Assert.Equal((first, last, step), (c.FirstKey, c.LastKey, c.Step));
        var expected = flags.Split(' ').Select(f => f switch
        {
            "readonly" => CommandFlags.ReadOnly,
            "write" => CommandFlags.Write,
            "denyoom" => CommandFlags.DenyOom,
            "fast" => CommandFlags.Fast,
            _ => throw new ArgumentException(f),
        }).Aggregate(CommandFlags.None, (a, b) => a | b);
        Assert.Equal(expected, c.Flags);
        Assert.NotNull(c.Handler);
    }

    [Fact]
    public void Every_command_of_the_issue_is_in_the_table_once()
    {
        string[] names =
        [
            "GET", "SET", "SETNX", "SETEX", "PSETEX", "GETSET", "GETDEL", "GETEX", "MGET", "MSET", "MSETNX", "INCR", "DECR",
            "INCRBY", "DECRBY", "INCRBYFLOAT", "APPEND", "STRLEN", "GETRANGE", "SETRANGE", "DEL", "UNLINK", "EXISTS", "TOUCH",
            "TYPE", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "PERSIST",
            "RENAME", "RENAMENX", "COPY", "KEYS", "SCAN", "DBSIZE", "FLUSHDB", "FLUSHALL", "RANDOMKEY",
        ];
        foreach (var n in names) Assert.Single(CommandTable.All, c => c.Name == n);
        Assert.Equal(CommandTable.All.Count, CommandTable.All.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [InlineData("get")]
    [InlineData("GeT")]
    [InlineData("GET")]
    public void Lookup_ignores_case_for_strings_and_wire_bytes(string name)
    {
        Assert.Same(CommandTable.Find("GET"), CommandTable.Find(name));
        Assert.Same(CommandTable.Find("GET"), CommandTable.Find(Encoding.ASCII.GetBytes(name).AsSpan()));
    }

    [Fact]
    public void Lookup_of_unknown_or_odd_names_is_null()
    {
        Assert.Null(CommandTable.Find("NOPE"));
        Assert.Null(CommandTable.Find(ReadOnlySpan<byte>.Empty));
        Assert.Null(CommandTable.Find(new byte[64].AsSpan()));
        Assert.Null(CommandTable.Find("GET\0"u8));
        Assert.Null(CommandTable.Find([0xC7, 0xB5, (byte)'T']));
    }

    [Theory]
    [InlineData("GET", 2, true)]
    [InlineData("GET", 1, false)]
    [InlineData("GET", 3, false)]
    [InlineData("SET", 3, true)]
    [InlineData("SET", 9, true)]
    [InlineData("SET", 2, false)]
    [InlineData("FLUSHDB", 1, true)]
    public void Arity_accepts_exact_or_minimum_counts(string name, int count, bool accepted) =>
        Assert.Equal(accepted, CommandTable.Find(name)!.AcceptsArgCount(count));

    [Theory]
    [InlineData("MGET", 4, 1, 3, 1, 3)]
    [InlineData("MSET", 5, 1, 4, 2, 2)]
    [InlineData("MSETNX", 7, 1, 6, 2, 3)]
    [InlineData("DEL", 2, 1, 1, 1, 1)]
    [InlineData("RENAME", 3, 1, 2, 1, 2)]
    [InlineData("COPY", 6, 1, 2, 1, 2)]
    [InlineData("GET", 2, 1, 1, 1, 1)]
    [InlineData("SET", 7, 1, 1, 1, 1)]
    public void Key_positions_for_a_request(string name, int argCount, int first, int last, int step, int keys)
    {
        var range = CommandTable.Find(name)!.Keys(argCount);
        Assert.Equal(new KeyRange(first, last, step), range);
        Assert.Equal(keys, range.Count);
    }

    [Theory]
    [InlineData("KEYS")]
    [InlineData("DBSIZE")]
    public void Keyless_commands_have_no_keys(string name)
    {
        var range = CommandTable.Find(name)!.Keys(2);
        Assert.True(range.IsEmpty);
        Assert.Equal(0, range.Count);
    }

    [Theory]
    [InlineData("MGET", Routing.EachKey, Merge.Concat)]
    [InlineData("MSET", Routing.EachKey, Merge.Ok)]
    [InlineData("DEL", Routing.EachKey, Merge.Sum)]
    [InlineData("UNLINK", Routing.EachKey, Merge.Sum)]
    [InlineData("EXISTS", Routing.EachKey, Merge.Sum)]
    [InlineData("TOUCH", Routing.EachKey, Merge.Sum)]
    [InlineData("MSETNX", Routing.Slot, Merge.None)]
    [InlineData("RENAME", Routing.Slot, Merge.None)]
    [InlineData("RENAMENX", Routing.Slot, Merge.None)]
    [InlineData("COPY", Routing.Slot, Merge.None)]
    [InlineData("GET", Routing.Slot, Merge.None)]
    [InlineData("KEYS", Routing.AllPartitions, Merge.Concat)]
    [InlineData("DBSIZE", Routing.AllPartitions, Merge.Sum)]
    [InlineData("FLUSHDB", Routing.AllPartitions, Merge.Ok)]
    [InlineData("FLUSHALL", Routing.AllPartitions, Merge.Ok)]
    [InlineData("RANDOMKEY", Routing.AllPartitions, Merge.None)]
    [InlineData("SCAN", Routing.AllPartitions, Merge.None)]
    public void Routing_follows_Redis_Cluster_rules(string name, object routing, object merge) // object: Routing and Merge are internal
    {
        var c = CommandTable.Find(name)!;
        Assert.Equal(routing, c.Routing);
        Assert.Equal(merge, c.Merge);
    }

    [Fact]
    public void Every_write_command_is_flagged_write_and_no_command_is_both()
    {
        foreach (var c in CommandTable.All)
            Assert.False(c.Flags.HasFlag(CommandFlags.Write) && c.Flags.HasFlag(CommandFlags.ReadOnly), c.Name);
        Assert.True(CommandTable.Find("SET")!.IsWrite);
        Assert.False(CommandTable.Find("GET")!.IsWrite);
    }
}
