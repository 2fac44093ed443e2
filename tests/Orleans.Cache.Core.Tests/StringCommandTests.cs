namespace Orleans.Cache.Core.Tests;

/// <summary>The string family; expected replies and error texts were checked against redis-server 7.0.15.</summary>
public class StringCommandTests
{
    private readonly Session s = new();

    // ---- GET / SET ----

    [Fact]
    public void Set_then_get_returns_the_value()
    {
        Assert.Equal("OK", s.Run("SET", "k", "v"));
        Assert.Equal("\"v\"", s.Run("GET", "k"));
    }

    [Fact]
    public void Get_of_a_missing_key_is_nil() => Assert.Equal("(nil)", s.Run("GET", "nope"));

    [Fact]
    public void Values_and_keys_are_binary_safe()
    {
        byte[] key = [0, 0xFF, (byte)'k'], value = [0, 1, 0xFE, 0x80, 0];
        Assert.Equal("OK", Session.Show(s.Raw("SET"u8.ToArray(), key, value)));
        Assert.Equal(value, s.Raw("GET"u8.ToArray(), key).Bytes);
        Assert.Equal("(nil)", Session.Show(s.Raw("GET"u8.ToArray(), [0, 0xFF])));
    }

    [Fact]
    public void Get_on_a_non_string_is_WRONGTYPE()
    {
        s.PutList("l");
        Assert.Equal("(error) WRONGTYPE Operation against a key holding the wrong kind of value", s.Run("GET", "l"));
    }

    [Fact]
    public void Set_with_NX_does_not_overwrite_existing_key()
    {
        s.Run("SET", "k", "old");
        Assert.Equal("(nil)", s.Run("SET", "k", "new", "NX"));
        Assert.Equal("\"old\"", s.Run("GET", "k"));
    }

    [Fact]
    public void Set_with_NX_creates_a_missing_key()
    {
        Assert.Equal("OK", s.Run("SET", "k", "v", "nx"));
        Assert.Equal("\"v\"", s.Run("GET", "k"));
    }

    [Fact]
    public void Set_with_XX_does_not_create_a_missing_key()
    {
        Assert.Equal("(nil)", s.Run("SET", "k", "v", "XX"));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "k"));
    }

    [Fact]
    public void Set_with_XX_overwrites_an_existing_key()
    {
        s.Run("SET", "k", "old");
        Assert.Equal("OK", s.Run("SET", "k", "new", "XX"));
        Assert.Equal("\"new\"", s.Run("GET", "k"));
    }

    [Theory]
    [InlineData("NX", "XX")]
    [InlineData("XX", "NX")]
    [InlineData("EX", "10", "PX", "20")]
    [InlineData("EX", "10", "EXAT", "99999999999")]
    [InlineData("PXAT", "99999999999", "PX", "5")]
    [InlineData("KEEPTTL", "EX", "10")]
    [InlineData("EX", "10", "KEEPTTL")]
    [InlineData("EX")]
    [InlineData("PERSIST")]
    [InlineData("FOO")]
    [InlineData("EX", "-1", "FOO")]
    [InlineData("EX", "abc", "FOO")]
    public void Set_with_conflicting_or_unknown_options_is_a_syntax_error(params string[] options)
    {
        Assert.Equal("(error) ERR syntax error", s.Run(["SET", "k", "v", .. options]));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "k"));
    }

    [Fact]
    public void Set_accepts_a_repeated_option_and_the_last_expire_wins()
    {
        Assert.Equal("OK", s.Run("SET", "k", "v", "EX", "10", "EX", "20"));
        Assert.Equal("(integer) 20", s.Run("TTL", "k"));
        Assert.Equal("OK", s.Run("SET", "n", "1", "NX", "NX"));
        Assert.Equal("OK", s.Run("SET", "n", "2", "XX", "XX", "KEEPTTL", "KEEPTTL"));
        Assert.Equal("\"2\"", s.Run("SET", "n", "3", "GET", "GET"));
    }

    [Theory]
    [InlineData("EX", "0")]
    [InlineData("EX", "-1")]
    [InlineData("PX", "0")]
    [InlineData("EXAT", "0")]
    [InlineData("PXAT", "-5")]
    [InlineData("EX", "9223372036854775807")]
    [InlineData("EX", "9223372036854775")]
    [InlineData("PX", "9223372036854775807")]
    [InlineData("EXAT", "9223372036854775807")]
    public void Set_with_a_non_positive_or_overflowing_expire_is_an_invalid_expire_time(string option, string value)
    {
        Assert.Equal("(error) ERR invalid expire time in 'set' command", s.Run("SET", "k", "v", option, value));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "k"));
    }

    [Fact]
    public void Set_with_a_non_integer_expire_is_not_an_integer() =>
        Assert.Equal("(error) ERR value is not an integer or out of range", s.Run("SET", "k", "v", "EX", "1.5"));

    [Fact]
    public void Set_PXAT_at_the_largest_time_is_accepted()
    {
        Assert.Equal("OK", s.Run("SET", "k", "v", "PXAT", "9223372036854775807"));
        Assert.Equal("(integer) 9223372036854775807", s.Run("PEXPIRETIME", "k"));
        Assert.Equal($"(integer) {long.MaxValue - Session.StartMs}", s.Run("PTTL", "k"));
    }

    [Fact]
    public void Set_EX_PX_EXAT_PXAT_set_the_expected_deadline()
    {
        s.Run("SET", "a", "v", "EX", "100");
        s.Run("SET", "b", "v", "PX", "1500");
        s.Run("SET", "c", "v", "EXAT", (Session.StartSeconds + 50).ToString());
        s.Run("SET", "d", "v", "PXAT", (Session.StartMs + 2500).ToString());
        Assert.Equal("(integer) 100000", s.Run("PTTL", "a"));
        Assert.Equal("(integer) 1500", s.Run("PTTL", "b"));
        Assert.Equal("(integer) 50000", s.Run("PTTL", "c"));
        Assert.Equal("(integer) 2500", s.Run("PTTL", "d"));
    }

    [Fact]
    public void Set_in_the_past_with_EXAT_leaves_no_key()
    {
        Assert.Equal("OK", s.Run("SET", "k", "v", "EXAT", "1"));
        Assert.Equal("(nil)", s.Run("GET", "k"));
        Assert.Equal("(integer) 0", s.Run("DBSIZE"));
    }

    [Fact]
    public void Set_without_options_clears_the_ttl_and_KEEPTTL_keeps_it()
    {
        s.Run("SET", "k", "v", "EX", "100");
        s.Run("SET", "k", "v2", "KEEPTTL");
        Assert.Equal("(integer) 100", s.Run("TTL", "k"));
        s.Run("SET", "k", "v3");
        Assert.Equal("(integer) -1", s.Run("TTL", "k"));
    }

    [Fact]
    public void Set_GET_returns_the_old_value_and_sets_the_new_one()
    {
        Assert.Equal("(nil)", s.Run("SET", "k", "v1", "GET"));
        Assert.Equal("\"v1\"", s.Run("SET", "k", "v2", "GET"));
        Assert.Equal("\"v2\"", s.Run("GET", "k"));
    }

    [Fact]
    public void Set_GET_with_NX_on_an_existing_key_returns_the_old_value_without_writing()
    {
        s.Run("SET", "k", "v");
        Assert.Equal("\"v\"", s.Run("SET", "k", "w", "GET", "NX"));
        Assert.Equal("\"v\"", s.Run("GET", "k"));
    }

    [Fact]
    public void Set_GET_with_XX_and_EX_returns_old_value_and_sets_ttl()
    {
        s.Run("SET", "k", "v");
        Assert.Equal("\"v\"", s.Run("SET", "k", "v2", "XX", "GET", "EX", "100"));
        Assert.Equal("(integer) 100", s.Run("TTL", "k"));
    }

    [Fact]
    public void Set_GET_on_a_non_string_is_WRONGTYPE_and_writes_nothing()
    {
        s.PutList("l");
        Assert.StartsWith("(error) WRONGTYPE", s.Run("SET", "l", "v", "GET"));
        Assert.StartsWith("(error) WRONGTYPE", s.Run("SET", "l", "v", "GET", "NX"));
        Assert.Equal("list", s.Run("TYPE", "l"));
        // Without GET the type does not matter: NX sees the key, a plain SET replaces it.
        Assert.Equal("(nil)", s.Run("SET", "l", "v", "NX"));
        Assert.Equal("OK", s.Run("SET", "l", "v"));
        Assert.Equal("string", s.Run("TYPE", "l"));
    }

    [Fact]
    public void Set_checks_the_expire_value_before_GET_and_XX()
    {
        s.PutList("l");
        Assert.Equal("(error) ERR invalid expire time in 'set' command", s.Run("SET", "l", "v", "GET", "EX", "0"));
        Assert.Equal("(error) ERR invalid expire time in 'set' command", s.Run("SET", "missing", "v", "XX", "EX", "0"));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("GET", "k", "v")]
    [InlineData("SET", "k")]
    [InlineData("SETNX", "k")]
    [InlineData("SETEX", "k", "1")]
    [InlineData("MGET")]
    [InlineData("MSET", "k")]
    [InlineData("INCRBYFLOAT", "k")]
    [InlineData("GETRANGE", "k", "1")]
    [InlineData("SETRANGE", "k", "1")]
    [InlineData("GETEX")]
    public void Wrong_argument_counts_name_the_command_in_lower_case(params string[] argv) =>
        Assert.Equal($"(error) ERR wrong number of arguments for '{argv[0].ToLowerInvariant()}' command", s.Run(argv));

    // ---- SETNX / SETEX / PSETEX / GETSET / GETDEL ----

    [Fact]
    public void SetNx_sets_only_a_missing_key()
    {
        Assert.Equal("(integer) 1", s.Run("SETNX", "k", "a"));
        Assert.Equal("(integer) 0", s.Run("SETNX", "k", "b"));
        Assert.Equal("\"a\"", s.Run("GET", "k"));
    }

    [Fact]
    public void SetEx_and_PSetEx_set_value_and_ttl()
    {
        Assert.Equal("OK", s.Run("SETEX", "a", "10", "v"));
        Assert.Equal("OK", s.Run("PSETEX", "b", "1500", "w"));
        Assert.Equal("(integer) 10", s.Run("TTL", "a"));
        Assert.Equal("(integer) 1500", s.Run("PTTL", "b"));
        Assert.Equal("\"w\"", s.Run("GET", "b"));
    }

    [Theory]
    [InlineData("SETEX", "0", "(error) ERR invalid expire time in 'setex' command")]
    [InlineData("SETEX", "-5", "(error) ERR invalid expire time in 'setex' command")]
    [InlineData("SETEX", "9223372036854775807", "(error) ERR invalid expire time in 'setex' command")]
    [InlineData("SETEX", "abc", "(error) ERR value is not an integer or out of range")]
    [InlineData("PSETEX", "0", "(error) ERR invalid expire time in 'psetex' command")]
    public void SetEx_rejects_bad_ttls(string command, string ttl, string expected)
    {
        Assert.Equal(expected, s.Run(command, "k", ttl, "v"));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "k"));
    }

    [Fact]
    public void GetSet_returns_old_value_and_clears_ttl()
    {
        Assert.Equal("(nil)", s.Run("GETSET", "k", "a"));
        s.Run("EXPIRE", "k", "100");
        Assert.Equal("\"a\"", s.Run("GETSET", "k", "b"));
        Assert.Equal("(integer) -1", s.Run("TTL", "k"));
        s.PutList("l");
        Assert.StartsWith("(error) WRONGTYPE", s.Run("GETSET", "l", "x"));
    }

    [Fact]
    public void GetDel_returns_the_value_and_deletes_the_key()
    {
        s.Run("SET", "k", "v");
        Assert.Equal("\"v\"", s.Run("GETDEL", "k"));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "k"));
        Assert.Equal("(nil)", s.Run("GETDEL", "k"));
        s.PutList("l");
        Assert.StartsWith("(error) WRONGTYPE", s.Run("GETDEL", "l"));
        Assert.Equal("(integer) 1", s.Run("EXISTS", "l"));
    }

    // ---- GETEX ----

    [Fact]
    public void GetEx_without_options_returns_the_value_and_keeps_the_ttl()
    {
        s.Run("SET", "k", "v", "EX", "100");
        Assert.Equal("\"v\"", s.Run("GETEX", "k"));
        Assert.Equal("(integer) 100", s.Run("TTL", "k"));
    }

    [Fact]
    public void GetEx_sets_or_removes_the_ttl()
    {
        s.Run("SET", "k", "v");
        Assert.Equal("\"v\"", s.Run("GETEX", "k", "EX", "100"));
        Assert.Equal("(integer) 100", s.Run("TTL", "k"));
        Assert.Equal("\"v\"", s.Run("GETEX", "k", "PX", "5000"));
        Assert.Equal("(integer) 5000", s.Run("PTTL", "k"));
        Assert.Equal("\"v\"", s.Run("GETEX", "k", "PERSIST"));
        Assert.Equal("(integer) -1", s.Run("TTL", "k"));
        Assert.Equal("\"v\"", s.Run("GETEX", "k", "EXAT", (Session.StartSeconds + 60).ToString()));
        Assert.Equal("(integer) 60", s.Run("TTL", "k"));
    }

    [Fact]
    public void GetEx_with_a_time_in_the_past_returns_the_value_and_deletes_the_key()
    {
        s.Run("SET", "k", "v");
        Assert.Equal("\"v\"", s.Run("GETEX", "k", "EXAT", "1"));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "k"));
    }

    [Fact]
    public void GetEx_accepts_a_repeated_option_and_the_last_value_wins()
    {
        s.Run("SET", "k", "v");
        Assert.Equal("\"v\"", s.Run("GETEX", "k", "EX", "10", "EX", "20"));
        Assert.Equal("(integer) 20", s.Run("TTL", "k"));
        Assert.Equal("\"v\"", s.Run("GETEX", "k", "PERSIST", "PERSIST"));
    }

    [Theory]
    [InlineData("EX", "10", "PERSIST")]
    [InlineData("PERSIST", "EX", "10")]
    [InlineData("PX", "100", "EX", "100")]
    [InlineData("KEEPTTL")]
    [InlineData("NX")]
    [InlineData("GET")]
    [InlineData("EX")]
    [InlineData("EX", "-1", "FOO")]
    public void GetEx_with_conflicting_or_unknown_options_is_a_syntax_error(params string[] options)
    {
        s.Run("SET", "k", "v");
        Assert.Equal("(error) ERR syntax error", s.Run(["GETEX", "k", .. options]));
    }

    [Fact]
    public void GetEx_on_a_missing_key_is_nil_even_with_an_invalid_expire()
    {
        Assert.Equal("(nil)", s.Run("GETEX", "missing", "EX", "0"));
        Assert.Equal("(nil)", s.Run("GETEX", "missing", "EX", "abc"));
    }

    [Fact]
    public void GetEx_checks_type_before_the_expire_value_and_the_value_before_applying()
    {
        s.PutList("l");
        Assert.StartsWith("(error) WRONGTYPE", s.Run("GETEX", "l", "EX", "0"));
        s.Run("SET", "k", "v", "EX", "100");
        Assert.Equal("(error) ERR invalid expire time in 'getex' command", s.Run("GETEX", "k", "EX", "0"));
        Assert.Equal("(error) ERR value is not an integer or out of range", s.Run("GETEX", "k", "PX", "x"));
        Assert.Equal("(integer) 100", s.Run("TTL", "k"));
    }

    // ---- MGET / MSET / MSETNX ----

    [Fact]
    public void MGet_gives_nil_for_missing_keys_and_other_types()
    {
        s.Run("SET", "a", "1");
        s.PutList("l");
        Assert.Equal("[\"1\", (nil), (nil), \"1\"]", s.Run("MGET", "a", "missing", "l", "a"));
    }

    [Fact]
    public void MSet_sets_every_pair_the_last_duplicate_wins_and_ttls_are_cleared()
    {
        s.Run("SET", "a", "0", "EX", "100");
        Assert.Equal("OK", s.Run("MSET", "a", "1", "b", "2", "a", "3"));
        Assert.Equal("[\"3\", \"2\"]", s.Run("MGET", "a", "b"));
        Assert.Equal("(integer) -1", s.Run("TTL", "a"));
    }

    [Theory]
    [InlineData("MSET")]
    [InlineData("MSETNX")]
    public void MSet_with_a_key_missing_its_value_is_an_arity_error_and_writes_nothing(string command)
    {
        Assert.Equal($"(error) ERR wrong number of arguments for '{command.ToLowerInvariant()}' command", s.Run(command, "a", "1", "b"));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "a"));
    }

    [Fact]
    public void MSetNx_sets_all_or_nothing()
    {
        s.Run("SET", "a", "1");
        Assert.Equal("(integer) 0", s.Run("MSETNX", "a", "2", "b", "3"));
        Assert.Equal("(nil)", s.Run("GET", "b"));
        Assert.Equal("\"1\"", s.Run("GET", "a"));
        Assert.Equal("(integer) 1", s.Run("MSETNX", "b", "3", "c", "4", "b", "5"));
        Assert.Equal("[\"5\", \"4\"]", s.Run("MGET", "b", "c"));
    }

    // ---- APPEND / STRLEN ----

    [Fact]
    public void Append_creates_then_extends_and_keeps_the_ttl()
    {
        Assert.Equal("(integer) 5", s.Run("APPEND", "k", "Hello"));
        s.Run("EXPIRE", "k", "100");
        Assert.Equal("(integer) 11", s.Run("APPEND", "k", " World"));
        Assert.Equal("\"Hello World\"", s.Run("GET", "k"));
        Assert.Equal("(integer) 100", s.Run("TTL", "k"));
        s.PutList("l");
        Assert.StartsWith("(error) WRONGTYPE", s.Run("APPEND", "l", "x"));
    }

    [Fact]
    public void StrLen_counts_bytes_and_is_zero_for_a_missing_key()
    {
        s.Run("SET", "k", "héllo");
        Assert.Equal("(integer) 6", s.Run("STRLEN", "k"));
        Assert.Equal("(integer) 0", s.Run("STRLEN", "missing"));
        s.PutList("l");
        Assert.StartsWith("(error) WRONGTYPE", s.Run("STRLEN", "l"));
    }

    // ---- GETRANGE / SETRANGE ----

    [Theory]
    [InlineData("0", "3", "Hell")]
    [InlineData("-3", "-1", "rld")]
    [InlineData("0", "-1", "Hello World")]
    [InlineData("10", "100", "d")]
    [InlineData("-100", "-50", "H")]
    [InlineData("-1", "-5", "")]
    [InlineData("5", "3", "")]
    [InlineData("0", "-100", "H")]
    [InlineData("-100", "0", "H")]
    [InlineData("11", "11", "")]
    [InlineData("-9223372036854775808", "9223372036854775807", "Hello World")]
    public void GetRange_clamps_offsets_like_Redis(string start, string end, string expected)
    {
        s.Run("SET", "s", "Hello World");
        Assert.Equal($"\"{expected}\"", s.Run("GETRANGE", "s", start, end));
    }

    [Fact]
    public void GetRange_edge_cases()
    {
        Assert.Equal("\"\"", s.Run("GETRANGE", "missing", "0", "-1"));
        s.Run("SET", "e", "");
        Assert.Equal("\"\"", s.Run("GETRANGE", "e", "0", "0"));
        Assert.Equal("(error) ERR value is not an integer or out of range", s.Run("GETRANGE", "missing", "a", "b"));
        s.PutList("l");
        Assert.StartsWith("(error) WRONGTYPE", s.Run("GETRANGE", "l", "0", "1"));
        Assert.Equal("(error) ERR value is not an integer or out of range", s.Run("GETRANGE", "l", "a", "1"));
        s.Run("SET", "s", "Hello");
        Assert.Equal("\"He\"", s.Run("SUBSTR", "s", "0", "1"));
    }

    [Fact]
    public void SetRange_overwrites_and_pads_with_zero_bytes()
    {
        s.Run("SET", "s", "Hello World");
        Assert.Equal("(integer) 11", s.Run("SETRANGE", "s", "6", "Redis"));
        Assert.Equal("\"Hello Redis\"", s.Run("GET", "s"));
        Assert.Equal("(integer) 6", s.Run("SETRANGE", "p", "5", "x"));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, (byte)'x' }, s.Raw("GET", "p").Bytes);
    }

    [Fact]
    public void SetRange_with_an_empty_value_changes_nothing()
    {
        Assert.Equal("(integer) 0", s.Run("SETRANGE", "missing", "5", ""));
        Assert.Equal("(integer) 0", s.Run("EXISTS", "missing"));
        s.Run("SET", "s", "abc");
        Assert.Equal("(integer) 3", s.Run("SETRANGE", "s", "100", ""));
        Assert.Equal("\"abc\"", s.Run("GET", "s"));
    }

    [Fact]
    public void SetRange_keeps_the_ttl()
    {
        s.Run("SET", "s", "abc", "EX", "100");
        s.Run("SETRANGE", "s", "1", "X");
        Assert.Equal("\"aXc\"", s.Run("GET", "s"));
        Assert.Equal("(integer) 100", s.Run("TTL", "s"));
    }

    [Theory]
    [InlineData("-1", "x", "(error) ERR offset is out of range")]
    [InlineData("-1", "", "(error) ERR offset is out of range")]
    [InlineData("abc", "x", "(error) ERR value is not an integer or out of range")]
    [InlineData("536870912", "x", "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)")]
    [InlineData("9223372036854775807", "x", "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)")]
    public void SetRange_rejects_bad_offsets(string offset, string value, string expected)
    {
        s.Run("SET", "s", "abc");
        Assert.Equal(expected, s.Run("SETRANGE", "s", offset, value));
        Assert.Equal(expected, s.Run("SETRANGE", "missing", offset, value));
        Assert.Equal("\"abc\"", s.Run("GET", "s"));
    }

    [Fact]
    public void SetRange_on_a_non_string_is_WRONGTYPE_even_when_setting_nothing()
    {
        s.PutList("l");
        Assert.StartsWith("(error) WRONGTYPE", s.Run("SETRANGE", "l", "0", ""));
        Assert.StartsWith("(error) WRONGTYPE", s.Run("SETRANGE", "l", "0", "x"));
    }
}
