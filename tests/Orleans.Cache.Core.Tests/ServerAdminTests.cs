using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// The Core halves of issue #11's server commands: MEMORY USAGE's estimate, DEBUG OBJECT and SET-ACTIVE-EXPIRE (run in a
/// partition under their subcommand rows), DEBUG SLEEP's argument, and SWAPDB / MOVE with one database.
/// </summary>
public sealed class ServerAdminTests
{
    private readonly Session _s = new();

    private Reply Sub(string row, params string[] argv) =>
        _s.Db.Execute(CommandTable.Subcommand(row), argv.Select(Encoding.UTF8.GetBytes).ToArray());

    private long Usage(string key, params string[] options) => Sub("MEMORY|USAGE", ["MEMORY", "USAGE", key, .. options]).Integer;

    [Fact]
    public void Subcommand_rows_have_ids_but_are_not_found_by_name()
    {
        foreach (var row in CommandTable.Subcommands)
        {
            Assert.Null(CommandTable.Find(row.Name));
            Assert.Same(row, CommandTable.ById(row.Id));
            Assert.NotNull(row.Handler);
        }
        Assert.Equal(CommandTable.All.Count + CommandTable.Subcommands.Count, CommandTable.Rows.Count);
        Assert.Equal(Routing.Slot, CommandTable.Subcommand("MEMORY|USAGE").Routing);
        Assert.Equal(Routing.AllPartitions, CommandTable.Subcommand("DEBUG|SET-ACTIVE-EXPIRE").Routing);
    }

    [Fact]
    public void Memory_usage_counts_the_entry_the_key_and_the_value()
    {
        _s.Run("SET", "k", "v");
        // Entry 56 + table slot 8, the key's array (24 + 8), the value's array (24 + 8).
        Assert.Equal(64 + 32 + 32, Usage("k"));
        _s.Run("SET", "k", new string('x', 1000));
        Assert.Equal(64 + 32 + MemoryUsage.ArrayBytes(1000), Usage("k"));
        Assert.Equal(ReplyKind.Null, Sub("MEMORY|USAGE", "MEMORY", "USAGE", "missing").Kind);
    }

    [Fact]
    public void Memory_usage_samples_aggregates_and_SAMPLES_0_measures_every_element()
    {
        for (int i = 0; i < 100; i++) _s.Run("HSET", "h", $"f{i}", i < 5 ? "small" : new string('v', 200));
        long sampled = Usage("h"), all = Usage("h", "SAMPLES", "0");
        // The first five fields are small, so the default sample underestimates; SAMPLES 0 counts all 100.
        Assert.True(sampled < all, $"{sampled} < {all}");
        Assert.Equal(all, Usage("h", "SAMPLES", "1000"));
        _s.Run("RPUSH", "l", "a", "b", "c");
        Assert.Equal(64 + 32 + 24 + 3 * (8 + 32), Usage("l"));
        _s.Run("ZADD", "z", "1", "m");
        Assert.Equal(64 + 32 + 24 + 52 + 32, Usage("z"));
    }

    [Fact]
    public void Memory_usage_checks_its_options_before_the_key()
    {
        Assert.Equal("ERR syntax error", Sub("MEMORY|USAGE", "MEMORY", "USAGE", "missing", "SAMPLES", "-1").Text);
        Assert.Equal("ERR syntax error", Sub("MEMORY|USAGE", "MEMORY", "USAGE", "missing", "SAMPLES").Text);
        Assert.Equal("ERR syntax error", Sub("MEMORY|USAGE", "MEMORY", "USAGE", "missing", "FOO", "1").Text);
        Assert.Equal("ERR value is not an integer or out of range", Sub("MEMORY|USAGE", "MEMORY", "USAGE", "missing", "SAMPLES", "x").Text);
    }

    [Fact]
    public void Debug_object_answers_Redis_line_format_without_touching_the_key()
    {
        _s.Run("SET", "n", "12345");
        _s.Advance(3_000);
        var line = Sub("DEBUG|OBJECT", "DEBUG", "OBJECT", "n");
        Assert.Equal(ReplyKind.SimpleString, line.Kind);
        Assert.Matches(new Regex(@"^Value at:0x[0-9a-f]+ refcount:1 encoding:int serializedlength:\d+ lru:\d+ lru_seconds_idle:3$"), line.Text!);
        Assert.Equal("(integer) 3", _s.Run("OBJECT", "IDLETIME", "n"));

        _s.Run("RPUSH", "l", "a", "b", "c");
        Assert.Matches(new Regex(@"encoding:listpack serializedlength:\d+ lru:\d+ lru_seconds_idle:0$"), Sub("DEBUG|OBJECT", "DEBUG", "OBJECT", "l").Text!);
        _s.Run("RPUSH", "l", new string('x', 9000));
        Assert.Matches(new Regex(@"encoding:quicklist serializedlength:\d+ lru:\d+ lru_seconds_idle:0 ql_nodes:2 ql_avg_node:2\.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:\d+$"),
            Sub("DEBUG|OBJECT", "DEBUG", "OBJECT", "l").Text!);
        Assert.Equal("ERR no such key", Sub("DEBUG|OBJECT", "DEBUG", "OBJECT", "missing").Text);
    }

    [Fact]
    public void Debug_set_active_expire_0_stops_the_sweep_and_1_restarts_it()
    {
        _s.Run("SET", "k", "v", "PX", "100");
        Assert.Equal("OK", Sub("DEBUG|SET-ACTIVE-EXPIRE", "DEBUG", "SET-ACTIVE-EXPIRE", "0").Text);
        _s.Advance(1_000);
        Assert.Equal(0, _s.Db.ActiveExpire(100));
        Assert.Equal(1, _s.Db.Count); // expired but not reclaimed: only a read would
        Sub("DEBUG|SET-ACTIVE-EXPIRE", "DEBUG", "SET-ACTIVE-EXPIRE", "1");
        Assert.Equal(1, _s.Db.ActiveExpire(100));
        Assert.Equal(0, _s.Db.Count);
        Sub("DEBUG|SET-ACTIVE-EXPIRE", "DEBUG", "SET-ACTIVE-EXPIRE", "x"); // atoi("x") is 0, as in Redis
        Assert.False(_s.Db.ActiveExpireEnabled);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0.25", 0.25)]
    [InlineData("2abc", 2)]
    [InlineData(" 1e1", 10)]
    [InlineData("x", 0)]
    [InlineData("-3", 0)]
    public void Debug_sleep_reads_its_seconds_as_strtod_does(string arg, double seconds) =>
        Assert.Equal(seconds, DebugCommands.SleepSeconds(Encoding.UTF8.GetBytes(arg)));

    [Theory]
    [InlineData("0", "0", "OK")]
    [InlineData("0", "1", "ERR DB index is out of range")]
    [InlineData("1", "1", "ERR DB index is out of range")]
    [InlineData("x", "1", "ERR invalid first DB index")]
    [InlineData("0", "x", "ERR invalid second DB index")]
    [InlineData("99999999999", "0", "ERR invalid first DB index")]
    public void Swapdb_with_one_database(string first, string second, string reply) =>
        Assert.Equal(reply, DatabaseCommands.SwapDb([[], Encoding.UTF8.GetBytes(first), Encoding.UTF8.GetBytes(second)]).Text);

    [Theory]
    [InlineData("0", "ERR source and destination objects are the same")]
    [InlineData("1", "ERR DB index is out of range")]
    [InlineData("-1", "ERR DB index is out of range")]
    [InlineData("x", "ERR value is not an integer or out of range")]
    [InlineData("99999999999", "ERR value is out of range, value must between -2147483648 and 2147483647")]
    public void Move_with_one_database_never_moves(string db, string reply)
    {
        _s.Run("SET", "k", "v");
        Assert.Equal("(error) " + reply, _s.Run("MOVE", "k", db));
        Assert.Equal("\"v\"", _s.Run("GET", "k"));
    }
}
