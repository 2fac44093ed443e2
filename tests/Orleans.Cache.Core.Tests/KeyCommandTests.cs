namespace Orleans.Cache.Core.Tests;

/// <summary>The generic family; expected replies and error texts were checked against redis-server 7.0.15.</summary>
public class KeyCommandTests
{
    private readonly Session s = new();

    // ---- DEL / UNLINK / EXISTS / TOUCH / TYPE ----

    [Theory]
    [InlineData("DEL")]
    [InlineData("UNLINK")]
    public void Del_counts_keys_actually_removed_once_each(string command)
    {
        s.Run("MSET", "a", "1", "b", "2");
        Assert.Equal("(integer) 2", s.Run(command, "a", "a", "b", "missing"));
        Assert.Equal("(integer) 0", s.Run("DBSIZE"));
    }

    [Theory]
    [InlineData("EXISTS")]
    [InlineData("TOUCH")]
    public void Exists_counts_a_key_named_twice_twice(string command)
    {
        s.Run("SET", "a", "1");
        s.PutList("l");
        Assert.Equal("(integer) 3", s.Run(command, "a", "a", "l", "missing"));
    }

    [Fact]
    public void Type_names_the_value_type_or_none()
    {
        s.Run("SET", "a", "1");
        s.PutList("l");
        Assert.Equal("string", s.Run("TYPE", "a"));
        Assert.Equal("list", s.Run("TYPE", "l"));
        Assert.Equal("none", s.Run("TYPE", "missing"));
        Assert.Equal(ReplyKind.SimpleString, s.Raw("TYPE", "a").Kind);
    }

    // ---- EXPIRE family ----

    [Fact]
    public void Expire_sets_a_ttl_on_an_existing_key_only()
    {
        Assert.Equal("(integer) 0", s.Run("EXPIRE", "missing", "100"));
        s.Run("SET", "k", "v");
        Assert.Equal("(integer) 1", s.Run("EXPIRE", "k", "100"));
        Assert.Equal("(integer) 100", s.Run("TTL", "k"));
        Assert.Equal("(integer) 1", s.Run("PEXPIRE", "k", "2500"));
        Assert.Equal("(integer) 2500", s.Run("PTTL", "k"));
        Assert.Equal("(integer) 1", s.Run("EXPIREAT", "k", (Session.StartSeconds + 30).ToString()));
        Assert.Equal("(integer) 30", s.Run("TTL", "k"));
        Assert.Equal("(integer) 1", s.Run("PEXPIREAT", "k", (Session.StartMs + 700).ToString()));
        Assert.Equal("(integer) 700", s.Run("PTTL", "k"));
    }

    [Theory]
    [InlineData("EXPIRE", "0")]
    [InlineData("EXPIRE", "-1")]
    [InlineData("PEXPIRE", "-9223372036854775808")]
    [InlineData("EXPIREAT", "1")]
    [InlineData("PEXPIREAT", "0")]
    public void Expire_with_a_time_not_in_the_future_deletes_the_key(string command, string time)
    {
        s.Run("SET", "k", "v");
        Assert.Equal("(integer) 1", s.Run(command, "k", time));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "k"));
    }

    [Theory]
    [InlineData("EXPIRE", "9223372036854775807")]
    [InlineData("EXPIRE", "9223372036854775")]
    [InlineData("EXPIRE", "-9223372036854775808")]
    [InlineData("PEXPIRE", "9223372036854775807")]
    [InlineData("EXPIREAT", "9223372036854775807")]
    public void Expire_that_overflows_is_an_invalid_expire_time(string command, string time)
    {
        s.Run("SET", "k", "v");
        Assert.Equal($"(error) ERR invalid expire time in '{command.ToLowerInvariant()}' command", s.Run(command, "k", time));
        Assert.Equal("(integer) -1", s.Run("TTL", "k"));
    }

    [Fact]
    public void Expire_at_the_largest_times_is_accepted()
    {
        s.Run("SET", "k", "v");
        Assert.Equal("(integer) 1", s.Run("PEXPIREAT", "k", "9223372036854775807"));
        Assert.Equal("(integer) 9223372036854775807", s.Run("PEXPIRETIME", "k"));
        Assert.Equal("(integer) 9223372036854776", s.Run("EXPIRETIME", "k"));
        Assert.Equal("(integer) 1", s.Run("EXPIREAT", "k", "9223372036854775"));
        Assert.Equal("(integer) 9223372036854775", s.Run("EXPIRETIME", "k"));
    }

    [Theory]
    [InlineData("(error) ERR NX and XX, GT or LT options at the same time are not compatible", "NX", "XX")]
    [InlineData("(error) ERR NX and XX, GT or LT options at the same time are not compatible", "NX", "GT")]
    [InlineData("(error) ERR NX and XX, GT or LT options at the same time are not compatible", "LT", "NX")]
    [InlineData("(error) ERR GT and LT options at the same time are not compatible", "GT", "LT")]
    [InlineData("(error) ERR Unsupported option FOO", "FOO")]
    [InlineData("(error) ERR Unsupported option EX", "NX", "EX")]
    public void Expire_option_errors(string expected, params string[] options)
    {
        s.Run("SET", "k", "v");
        Assert.Equal(expected, s.Run(["EXPIRE", "k", "100", .. options]));
        Assert.Equal(expected, s.Run(["EXPIRE", "k", "abc", .. options])); // options are checked before the time
    }

    [Fact]
    public void Expire_with_a_non_integer_time_fails_even_for_a_missing_key() =>
        Assert.Equal("(error) ERR value is not an integer or out of range", s.Run("EXPIRE", "missing", "abc"));

    [Fact]
    public void Expire_NX_only_sets_a_ttl_on_a_key_without_one()
    {
        s.Run("SET", "k", "v");
        Assert.Equal("(integer) 1", s.Run("EXPIRE", "k", "100", "nx"));
        Assert.Equal("(integer) 0", s.Run("EXPIRE", "k", "200", "NX"));
        Assert.Equal("(integer) 100", s.Run("TTL", "k"));
    }

    [Fact]
    public void Expire_XX_only_changes_an_existing_ttl()
    {
        s.Run("SET", "k", "v");
        Assert.Equal("(integer) 0", s.Run("EXPIRE", "k", "100", "XX"));
        Assert.Equal("(integer) -1", s.Run("TTL", "k"));
        s.Run("EXPIRE", "k", "50");
        Assert.Equal("(integer) 1", s.Run("EXPIRE", "k", "100", "XX"));
        Assert.Equal("(integer) 100", s.Run("TTL", "k"));
    }

    [Fact]
    public void Expire_GT_only_extends_and_treats_no_ttl_as_infinite()
    {
        s.Run("SET", "k", "v");
        Assert.Equal("(integer) 0", s.Run("EXPIRE", "k", "100", "GT"));
        Assert.Equal("(integer) -1", s.Run("TTL", "k"));
        s.Run("EXPIRE", "k", "100");
        Assert.Equal("(integer) 0", s.Run("EXPIRE", "k", "50", "GT"));
        Assert.Equal("(integer) 0", s.Run("EXPIRE", "k", "100", "GT"));
        Assert.Equal("(integer) 1", s.Run("EXPIRE", "k", "150", "GT"));
        Assert.Equal("(integer) 150", s.Run("TTL", "k"));
        Assert.Equal("(integer) 0", s.Run("EXPIRE", "k", "200", "XX", "LT"));
        Assert.Equal("(integer) 1", s.Run("EXPIRE", "k", "200", "XX", "GT"));
    }

    [Fact]
    public void Expire_LT_only_shortens_and_a_key_without_ttl_always_accepts()
    {
        s.Run("SET", "k", "v");
        Assert.Equal("(integer) 1", s.Run("EXPIRE", "k", "100", "LT"));
        Assert.Equal("(integer) 0", s.Run("EXPIRE", "k", "120", "LT"));
        Assert.Equal("(integer) 0", s.Run("EXPIRE", "k", "100", "LT"));
        Assert.Equal("(integer) 1", s.Run("EXPIRE", "k", "80", "LT"));
        Assert.Equal("(integer) 80", s.Run("TTL", "k"));
    }

    [Fact]
    public void Expire_LT_with_a_past_time_deletes_the_key()
    {
        s.Run("SET", "k", "v", "EX", "100");
        Assert.Equal("(integer) 1", s.Run("EXPIRE", "k", "-5", "LT"));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "k"));
    }

    // ---- TTL / PTTL / EXPIRETIME / PEXPIRETIME ----

    [Fact]
    public void Ttl_is_minus_two_for_missing_and_minus_one_without_ttl()
    {
        s.Run("SET", "k", "v");
        foreach (var command in new[] { "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME" })
        {
            Assert.Equal("(integer) -2", s.Run(command, "missing"));
            Assert.Equal("(integer) -1", s.Run(command, "k"));
        }
    }

    [Theory]
    [InlineData(1499, 1)]
    [InlineData(1500, 2)]
    [InlineData(499, 0)]
    [InlineData(500, 1)]
    [InlineData(1, 0)]
    public void Ttl_rounds_to_the_nearest_second(long ms, long seconds)
    {
        s.Run("SET", "k", "v", "PX", ms.ToString());
        Assert.Equal($"(integer) {seconds}", s.Run("TTL", "k"));
        Assert.Equal($"(integer) {ms}", s.Run("PTTL", "k"));
    }

    [Theory]
    [InlineData(499, 0)]
    [InlineData(500, 1)]
    [InlineData(999, 1)]
    public void ExpireTime_rounds_to_the_nearest_second(long msPart, long extraSecond)
    {
        long at = (Session.StartSeconds + 1000) * 1000 + msPart;
        s.Run("SET", "k", "v", "PXAT", at.ToString());
        Assert.Equal($"(integer) {Session.StartSeconds + 1000 + extraSecond}", s.Run("EXPIRETIME", "k"));
        Assert.Equal($"(integer) {at}", s.Run("PEXPIRETIME", "k"));
    }

    [Fact]
    public void Ttl_counts_down_with_the_clock_and_is_zero_at_the_deadline()
    {
        s.Run("SET", "k", "v", "EX", "10");
        s.Advance(4_000);
        Assert.Equal("(integer) 6", s.Run("TTL", "k"));
        s.Advance(6_000);
        Assert.Equal("(integer) 0", s.Run("PTTL", "k"));
        s.Advance(1);
        Assert.Equal("(integer) -2", s.Run("PTTL", "k"));
    }

    // ---- PERSIST ----

    [Fact]
    public void Persist_removes_a_ttl_and_says_whether_there_was_one()
    {
        Assert.Equal("(integer) 0", s.Run("PERSIST", "missing"));
        s.Run("SET", "k", "v");
        Assert.Equal("(integer) 0", s.Run("PERSIST", "k"));
        s.Run("EXPIRE", "k", "100");
        Assert.Equal("(integer) 1", s.Run("PERSIST", "k"));
        Assert.Equal("(integer) -1", s.Run("TTL", "k"));
    }

    // ---- RENAME / RENAMENX ----

    [Fact]
    public void Rename_moves_value_and_ttl_replacing_the_destination()
    {
        s.Run("SET", "a", "1", "EX", "100");
        s.Run("SET", "b", "2");
        Assert.Equal("OK", s.Run("RENAME", "a", "b"));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "a"));
        Assert.Equal("\"1\"", s.Run("GET", "b"));
        Assert.Equal("(integer) 100", s.Run("TTL", "b"));
    }

    [Fact]
    public void Rename_of_a_key_without_ttl_clears_the_destination_ttl()
    {
        s.Run("SET", "a", "1");
        s.Run("SET", "b", "2", "EX", "100");
        s.Run("RENAME", "a", "b");
        Assert.Equal("(integer) -1", s.Run("TTL", "b"));
    }

    [Fact]
    public void Rename_to_the_same_key_is_a_no_op_but_needs_the_key()
    {
        s.Run("SET", "a", "1", "EX", "100");
        Assert.Equal("OK", s.Run("RENAME", "a", "a"));
        Assert.Equal("(integer) 0", s.Run("RENAMENX", "a", "a"));
        Assert.Equal("\"1\"", s.Run("GET", "a"));
        Assert.Equal("(integer) 100", s.Run("TTL", "a"));
        Assert.Equal("(error) ERR no such key", s.Run("RENAME", "missing", "missing"));
    }

    [Fact]
    public void Rename_of_a_missing_key_is_an_error()
    {
        Assert.Equal("(error) ERR no such key", s.Run("RENAME", "missing", "x"));
        Assert.Equal("(error) ERR no such key", s.Run("RENAMENX", "missing", "x"));
    }

    [Fact]
    public void RenameNx_only_renames_to_a_missing_key()
    {
        s.Run("MSET", "b", "2", "c", "3");
        s.Run("EXPIRE", "b", "100");
        Assert.Equal("(integer) 0", s.Run("RENAMENX", "b", "c"));
        Assert.Equal("\"3\"", s.Run("GET", "c"));
        Assert.Equal("(integer) 1", s.Run("RENAMENX", "b", "d"));
        Assert.Equal("\"2\"", s.Run("GET", "d"));
        Assert.Equal("(integer) 100", s.Run("TTL", "d"));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "b"));
    }

    [Fact]
    public void Rename_keeps_non_string_values()
    {
        s.PutList("l");
        s.Run("RENAME", "l", "m");
        Assert.Equal("list", s.Run("TYPE", "m"));
    }

    // ---- COPY ----

    [Fact]
    public void Copy_copies_value_and_ttl_to_a_missing_key()
    {
        s.Run("SET", "a", "1", "EX", "100");
        Assert.Equal("(integer) 1", s.Run("COPY", "a", "b"));
        Assert.Equal("\"1\"", s.Run("GET", "b"));
        Assert.Equal("(integer) 100", s.Run("TTL", "b"));
        Assert.Equal("\"1\"", s.Run("GET", "a"));
    }

    [Fact]
    public void Copy_does_not_overwrite_without_REPLACE()
    {
        s.Run("MSET", "a", "1", "b", "2");
        Assert.Equal("(integer) 0", s.Run("COPY", "a", "b"));
        Assert.Equal("\"2\"", s.Run("GET", "b"));
        s.Run("EXPIRE", "b", "100");
        Assert.Equal("(integer) 1", s.Run("COPY", "a", "b", "replace", "REPLACE"));
        Assert.Equal("\"1\"", s.Run("GET", "b"));
        Assert.Equal("(integer) -1", s.Run("TTL", "b"));
    }

    [Fact]
    public void Copy_of_a_missing_key_is_zero() => Assert.Equal("(integer) 0", s.Run("COPY", "missing", "b"));

    [Fact]
    public void Copy_of_a_non_string_is_a_deep_copy()
    {
        s.PutList("l");
        Assert.Equal("(integer) 1", s.Run("COPY", "l", "m"));
        var original = (FakeList)s.Db.Find("l"u8)!.Value;
        var copy = (FakeList)s.Db.Find("m"u8)!.Value;
        Assert.NotSame(original, copy);
        Assert.Equal(original.Items, copy.Items);
    }

    [Theory]
    [InlineData("(error) ERR source and destination objects are the same", "a", "a")]
    [InlineData("(error) ERR source and destination objects are the same", "missing", "missing")]
    [InlineData("(integer) 1", "a", "b", "DB", "0")]
    [InlineData("(error) ERR DB index is out of range", "a", "b", "DB", "1")]
    [InlineData("(error) ERR DB index is out of range", "a", "b", "DB", "-1")]
    [InlineData("(error) ERR DB index is out of range", "a", "b", "DB", "16", "FOO")]
    [InlineData("(error) ERR DB index is out of range", "a", "a", "DB", "16")]
    [InlineData("(error) ERR value is not an integer or out of range", "a", "b", "DB", "abc")]
    [InlineData("(error) ERR value is out of range, value must between -2147483648 and 2147483647", "a", "b", "DB", "99999999999")]
    [InlineData("(error) ERR syntax error", "a", "b", "DB")]
    [InlineData("(error) ERR syntax error", "a", "b", "FOO")]
    public void Copy_option_checks(string expected, params string[] args)
    {
        s.Run("SET", "a", "1");
        Assert.Equal(expected, s.Run(["COPY", .. args]));
    }

    // ---- KEYS / RANDOMKEY / DBSIZE / FLUSHDB ----

    [Fact]
    public void Keys_returns_matching_keys()
    {
        s.Run("MSET", "hello", "1", "hallo", "2", "hxllo", "3", "other", "4");
        Assert.Equal(["hallo", "hello", "hxllo"], Session.SortedTexts(s.Raw("KEYS", "h?llo")));
        Assert.Equal(["hallo", "hello"], Session.SortedTexts(s.Raw("KEYS", "h[ae]llo")));
        Assert.Equal(4, s.Raw("KEYS", "*").Items!.Length);
        Assert.Equal("[]", s.Run("KEYS", "zzz*"));
    }

    [Fact]
    public void Keys_star_includes_the_empty_key_but_a_double_star_does_not_as_in_Redis()
    {
        s.Run("SET", "", "empty");
        s.Run("SET", "a", "1");
        Assert.Equal(["", "a"], Session.SortedTexts(s.Raw("KEYS", "*")));
        Assert.Equal(["a"], Session.SortedTexts(s.Raw("KEYS", "**")));
    }

    [Fact]
    public void RandomKey_is_nil_on_an_empty_keyspace_and_otherwise_some_key()
    {
        Assert.Equal("(nil)", s.Run("RANDOMKEY"));
        s.Run("MSET", "a", "1", "b", "2", "c", "3");
        var seen = new HashSet<string>();
        for (int i = 0; i < 200; i++) seen.Add(s.Raw("RANDOMKEY").Text!);
        Assert.Equal(["a", "b", "c"], seen.Order());
    }

    [Fact]
    public void DbSize_counts_keys()
    {
        Assert.Equal("(integer) 0", s.Run("DBSIZE"));
        s.Run("MSET", "a", "1", "b", "2");
        s.PutList("l");
        Assert.Equal("(integer) 3", s.Run("DBSIZE"));
    }

    [Theory]
    [InlineData("FLUSHDB")]
    [InlineData("FLUSHDB", "ASYNC")]
    [InlineData("FLUSHALL", "sync")]
    public void Flush_removes_everything(params string[] argv)
    {
        s.Run("MSET", "a", "1", "b", "2");
        s.Run("EXPIRE", "a", "100");
        Assert.Equal("OK", s.Run(argv));
        Assert.Equal("(integer) 0", s.Run("DBSIZE"));
        Assert.Equal("(nil)", s.Run("GET", "a"));
        Assert.Equal(0, s.Db.ExpiringCount);
    }

    [Theory]
    [InlineData("FLUSHDB", "x")]
    [InlineData("FLUSHDB", "ASYNC", "x")]
    [InlineData("FLUSHALL", "SYNC", "SYNC")]
    public void Flush_with_an_unknown_option_is_a_syntax_error_and_flushes_nothing(params string[] argv)
    {
        s.Run("SET", "a", "1");
        Assert.Equal("(error) ERR syntax error", s.Run(argv));
        Assert.Equal("(integer) 1", s.Run("DBSIZE"));
    }

    // ---- arity and unknown commands ----

    [Theory]
    [InlineData("DEL")]
    [InlineData("EXPIRE", "a")]
    [InlineData("SCAN")]
    [InlineData("KEYS")]
    [InlineData("DBSIZE", "x")]
    [InlineData("RANDOMKEY", "x")]
    [InlineData("COPY", "a")]
    [InlineData("TYPE", "a", "b")]
    [InlineData("RENAME", "a")]
    [InlineData("persist")]
    public void Wrong_argument_counts_name_the_command_in_lower_case(params string[] argv) =>
        Assert.Equal($"(error) ERR wrong number of arguments for '{argv[0].ToLowerInvariant()}' command", s.Run(argv));

    [Fact]
    public void Unknown_command_quotes_its_arguments_like_Redis()
    {
        Assert.Equal("(error) ERR unknown command 'foo', with args beginning with: ", s.Run("foo"));
        Assert.Equal("(error) ERR unknown command 'FOO', with args beginning with: 'a b' 'c' ", s.Run("FOO", "a b", "c"));
        Assert.Equal("(error) ERR unknown command 'foo', with args beginning with: 'a  b' ", s.Run("foo", "a\r\nb"));
    }

    [Fact]
    public void Unknown_command_text_is_cut_at_128_characters()
    {
        string x200 = new('x', 200), a119 = new('a', 119);
        Assert.Equal($"(error) ERR unknown command 'foo', with args beginning with: '{new string('x', 128)}' ", s.Run("foo", x200, "b"));
        Assert.Equal($"(error) ERR unknown command 'foo', with args beginning with: '{a119}' 'bbbbbb' ", s.Run("foo", a119, new string('b', 46), "c"));
        Assert.Equal($"(error) ERR unknown command '{new string('x', 128)}', with args beginning with: 'a' ", s.Run(x200, "a"));
    }
}
