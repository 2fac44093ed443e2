using System.Text;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// Redis 8.4's compare-and-set as redis.io documents it: SET … IFEQ | IFNE | IFDEQ | IFDNE, DELEX and DIGEST. The
/// expected digests and behaviours are those of Redis's own tests (tests/unit/type/string.tcl) and redis.io's pages.
/// </summary>
public sealed class CompareAndSetTests
{
    private readonly TypesDb _db = new();

    [Theory]
    [InlineData("hello", "9555e8555c62dcfd")]
    [InlineData("", "2d06800538d394c2")]
    [InlineData("Hello world", "b6acb9d84a38ff74")]
    [InlineData("v8", "0cc76dbb41381419")]
    [InlineData("v8lf0c11xh8ymlqztfd3eeq16kfn4sspw7fqmnuuq3k3t75em5wdizgcdw7uc26nnf961u2jkfzkjytls2kwlj7626sd", "00006c38adf31777")]
    public void Digest_is_xxh3_as_16_lower_case_hex_digits_with_leading_zeros(string value, string digest)
    {
        _db.Do("SET", "k", value);
        Assert.Equal(digest, _db.Do("DIGEST", "k"));
    }

    [Fact]
    public void Digest_of_a_missing_key_is_nil_of_a_counter_its_text_and_of_another_type_wrongtype()
    {
        Assert.Equal("nil", _db.Do("DIGEST", "nokey"));
        _db.Do("SET", "n", "123");
        _db.Do("INCR", "n");
        Assert.Equal(Encoding.ASCII.GetString(ValueCondition.Digest("124"u8)), _db.Do("DIGEST", "n"));
        _db.Do("HSET", "h", "f", "v");
        Assert.Equal(TypesDb.WrongType, _db.Do("DIGEST", "h"));
        Assert.Equal("ERR wrong number of arguments for 'digest' command", _db.Do("DIGEST", "a", "b"));
    }

    [Fact]
    public void Set_ifeq_and_ifne_compare_the_current_value_and_a_missing_key_equals_nothing()
    {
        _db.Do("SET", "k", "hello");
        Assert.Equal("nil", _db.Do("SET", "k", "world", "IFEQ", "different"));
        Assert.Equal("OK", _db.Do("SET", "k", "world", "ifeq", "hello"));
        Assert.Equal("nil", _db.Do("SET", "k", "again", "IfNe", "world"));
        Assert.Equal("OK", _db.Do("SET", "k", "again", "IFNE", "hello"));
        Assert.Equal("again", _db.Do("GET", "k"));
        Assert.Equal("nil", _db.Do("SET", "missing", "v", "IFEQ", "x"));
        Assert.Equal("0", _db.Do("EXISTS", "missing"));
        Assert.Equal("OK", _db.Do("SET", "missing", "v", "IFNE", "x"));
        Assert.Equal("v", _db.Do("GET", "missing"));
        _db.Do("SET", "n", "0123");
        Assert.Equal("nil", _db.Do("SET", "n", "x", "IFEQ", "123")); // bytes, not numbers
    }

    [Fact]
    public void Set_ifdeq_and_ifdne_compare_digests_ignoring_case_and_check_the_length_only_against_a_value()
    {
        _db.Do("SET", "k", "hello");
        Assert.Equal("nil", _db.Do("SET", "k", "x", "IFDEQ", "0000000000000000"));
        Assert.Equal("OK", _db.Do("SET", "k", "world", "IFDEQ", "9555E8555C62DCFD"));
        Assert.Equal("nil", _db.Do("SET", "k", "x", "IFDNE", _db.Do("DIGEST", "k")));
        Assert.Equal("OK", _db.Do("SET", "k", "x", "IFDNE", "zzzzzzzzzzzzzzzz")); // only the length is checked
        Assert.Equal("ERR must be exactly 16 hexadecimal characters", _db.Do("SET", "k", "y", "IFDEQ", "9555e8555c62dcf"));
        Assert.Equal("ERR must be exactly 16 hexadecimal characters", _db.Do("SET", "k", "y", "IFDNE", ""));
        Assert.Equal("x", _db.Do("GET", "k"));
        Assert.Equal("nil", _db.Do("SET", "missing", "v", "IFDEQ", "1234567890")); // no value: nothing to check the digest against
        Assert.Equal("OK", _db.Do("SET", "missing", "v", "IFDNE", "1234567890"));
    }

    [Fact]
    public void Set_conditions_answer_the_old_value_with_GET_whether_or_not_they_set()
    {
        _db.Do("SET", "k", "hello");
        Assert.Equal("hello", _db.Do("SET", "k", "world", "IFEQ", "different", "GET"));
        Assert.Equal("hello", _db.Do("SET", "k", "world", "GET", "IFEQ", "hello"));
        Assert.Equal("world", _db.Do("GET", "k"));
        Assert.Equal("nil", _db.Do("SET", "missing", "v", "IFNE", "x", "GET"));
        Assert.Equal("v", _db.Do("GET", "missing"));
    }

    [Fact]
    public void Set_conditions_take_expiry_options_and_refuse_other_types_and_other_conditions()
    {
        _db.Do("SET", "k", "hello");
        Assert.Equal("OK", _db.Do("SET", "k", "world", "IFEQ", "hello", "EX", "10"));
        Assert.Equal("10", _db.Do("TTL", "k"));
        Assert.Equal("ERR syntax error", _db.Do("SET", "k", "v", "IFEQ", "world", "NX"));
        Assert.Equal("ERR syntax error", _db.Do("SET", "k", "v", "XX", "IFEQ", "world"));
        Assert.Equal("ERR syntax error", _db.Do("SET", "k", "v", "IFEQ", "world", "IFNE", "x"));
        Assert.Equal("ERR syntax error", _db.Do("SET", "k", "v", "IFEQ"));
        Assert.Equal("world", _db.Do("GET", "k"));
        _db.Do("RPUSH", "l", "a");
        Assert.Equal(TypesDb.WrongType, _db.Do("SET", "l", "v", "IFNE", "a"));
        Assert.Equal(TypesDb.WrongType, _db.Do("SET", "l", "v", "IFDEQ", "1234567890"));
        Assert.Equal("list", _db.Do("TYPE", "l"));
    }

    [Fact]
    public void Delex_without_condition_deletes_any_type_and_with_one_compares_a_string()
    {
        _db.Do("HSET", "h", "f", "v");
        Assert.Equal("1", _db.Do("DELEX", "h"));
        Assert.Equal("0", _db.Do("DELEX", "h"));
        _db.Do("SET", "k", "hello");
        Assert.Equal("0", _db.Do("DELEX", "k", "IFEQ", "world"));
        Assert.Equal("0", _db.Do("DELEX", "k", "IFNE", "hello"));
        Assert.Equal("0", _db.Do("DELEX", "k", "IFDNE", "9555e8555c62dcfd"));
        Assert.Equal("0", _db.Do("DELEX", "k", "IFDEQ", "0000000000000000"));
        Assert.Equal("hello", _db.Do("GET", "k"));
        Assert.Equal("1", _db.Do("DELEX", "k", "IFDEQ", "9555e8555C62DCFD"));
        _db.Do("SET", "k", "hello");
        Assert.Equal("1", _db.Do("DELEX", "k", "ifne", "world"));
        Assert.Equal("0", _db.Do("EXISTS", "k"));
    }

    [Fact]
    public void Delex_errors_follow_Redis_and_a_missing_key_answers_0_first()
    {
        foreach (var condition in new[] { "IFEQ", "IFNE", "IFDEQ", "IFDNE", "FOO" })
            Assert.Equal("0", _db.Do("DELEX", "missing", condition, "x"));
        _db.Do("RPUSH", "l", "a");
        Assert.Equal("ERR Key should be of string type if conditions are specified", _db.Do("DELEX", "l", "IFEQ", "a"));
        Assert.Equal("ERR Key should be of string type if conditions are specified", _db.Do("DELEX", "l", "FOO", "a"));
        _db.Do("SET", "k", "hello");
        Assert.Equal("ERR Invalid condition. Use IFEQ, IFNE, IFDEQ, or IFDNE", _db.Do("DELEX", "k", "FOO", "hello"));
        Assert.Equal("ERR must be exactly 16 hexadecimal characters", _db.Do("DELEX", "k", "IFDEQ", "09555e8555c62dcfd"));
        Assert.Equal("ERR wrong number of arguments for 'delex' command", _db.Do("DELEX", "k", "IFEQ"));
        Assert.Equal("ERR wrong number of arguments for 'delex' command", _db.Do("DELEX", "missing", "IFEQ", "hello", "extra"));
        Assert.Equal("hello", _db.Do("GET", "k"));
    }

    [Fact]
    public void Delex_and_conditional_set_emit_del_and_set_events_and_effects_only_when_they_act()
    {
        var events = new List<string>();
        _db.Keyspace.Events = new EventRecorder(events);
        _db.Keyspace.Effects.Capacity = 16;
        _db.Do("SET", "k", "a");
        _db.Do("SET", "k", "b", "IFEQ", "zz");
        _db.Do("SET", "k", "b", "IFEQ", "a", "PX", "5000");
        _db.Do("DELEX", "k", "IFEQ", "zz");
        _db.Do("DELEX", "k", "IFEQ", "b");
        Assert.Equal(["set k", "set k", "expire k", "del k"], events.Where(e => !e.StartsWith("new")));
        var effects = new List<Effect>();
        Assert.True(_db.Keyspace.Effects.TryReadSince(0, effects));
        Assert.Equal(["SET k a", "SET k b IFEQ a PX 5000", $"PEXPIREAT k {1_700_000_005_000}", "DEL k"],
            effects.Select(e => string.Join(' ', e.Argv.Select(Encoding.UTF8.GetString))));
    }
}
