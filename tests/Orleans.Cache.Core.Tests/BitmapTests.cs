namespace Orleans.Cache.Core.Tests;

public class BitmapTests
{
    private readonly TypesDb _db = new();

    [Fact]
    public void Setbit_grows_the_string_and_returns_the_old_bit()
    {
        Assert.Equal("0", _db.Do("SETBIT", "b", "7", "1"));
        Assert.Equal("1", _db.Do("SETBIT", "b", "7", "1"));
        Assert.Equal("0", _db.Do("SETBIT", "b", "100", "1"));
        Assert.Equal("13", _db.Do("STRLEN", "b"));
        Assert.Equal("1", _db.Do("GETBIT", "b", "100"));
        Assert.Equal("0", _db.Do("GETBIT", "b", "99999"));
        Assert.Equal("ERR bit offset is not an integer or out of range", _db.Do("SETBIT", "b", "4294967296", "1"));
        Assert.Equal("ERR bit is not an integer or out of range", _db.Do("SETBIT", "b", "0", "2"));
    }

    [Fact]
    public void Setbit_keeps_the_ttl_and_does_not_change_a_value_already_read()
    {
        _db.Do("SET", "b", "a", "EX", "100");
        var before = _db.Run("GET", "b");
        _db.Do("SETBIT", "b", "7", "0");
        Assert.Equal("a", before.Text);
        Assert.Equal("`", _db.Do("GET", "b"));
        Assert.Equal("100", _db.Do("TTL", "b"));
    }

    [Fact]
    public void Bitcount_and_bitpos_with_byte_and_bit_ranges()
    {
        _db.Do("SET", "s", "abc");
        Assert.Equal("10", _db.Do("BITCOUNT", "s"));
        Assert.Equal("3", _db.Do("BITCOUNT", "s", "0", "0"));
        Assert.Equal("2", _db.Do("BITCOUNT", "s", "0", "3", "BIT"));
        Assert.Equal("ERR syntax error", _db.Do("BITCOUNT", "s", "0"));
        Assert.Equal("1", _db.Do("BITPOS", "s", "1"));
        Assert.Equal("0", _db.Do("BITPOS", "s", "0"));
        Assert.Equal("9", _db.Do("BITPOS", "s", "1", "1"));
        Assert.Equal("ERR The bit argument must be 1 or 0.", _db.Do("BITPOS", "s", "2"));
        _db.Do("SET", "ones", "\u007f");
        Assert.Equal("-1", _db.Do("BITPOS", "ones", "0", "1", "7", "BIT"));
        Assert.Equal("-1", _db.Do("BITPOS", "nokey", "1"));
        Assert.Equal("0", _db.Do("BITPOS", "nokey", "0"));
    }

    [Fact]
    public void Bitpos_for_a_clear_bit_past_an_all_ones_string_depends_on_whether_an_end_was_given()
    {
        _db.Keyspace.Set(Args.Bytes("f"), new byte[] { 0xFF, 0xFF });
        Assert.Equal("16", _db.Do("BITPOS", "f", "0"));
        Assert.Equal("-1", _db.Do("BITPOS", "f", "0", "0", "-1"));
    }

    [Fact]
    public void Bitop_combines_strings_padding_with_zeros()
    {
        _db.Do("SET", "{b}a", "abc");
        _db.Do("SET", "{b}b", "A");
        Assert.Equal("3", _db.Do("BITOP", "OR", "{b}d", "{b}a", "{b}b"));
        Assert.Equal("abc", _db.Do("GET", "{b}d"));
        Assert.Equal("3", _db.Do("BITOP", "AND", "{b}d", "{b}a", "{b}b"));
        Assert.Equal("A\0\0", _db.Do("GET", "{b}d"));
        Assert.Equal("1", _db.Do("BITOP", "NOT", "{b}d", "{b}b"));
        Assert.Equal("0", _db.Do("BITOP", "AND", "{b}d", "{b}none"));
        Assert.Equal("0", _db.Do("EXISTS", "{b}d"));
        Assert.Equal("ERR BITOP NOT must be called with a single source key.", _db.Do("BITOP", "NOT", "{b}d", "{b}a", "{b}b"));
        Assert.Equal("ERR syntax error", _db.Do("BITOP", "NAND", "{b}d", "{b}a"));
    }

    [Fact]
    public void Bitfield_get_set_incrby_with_overflow_policies()
    {
        Assert.Equal("[0,0]", _db.Do("BITFIELD", "f", "SET", "i8", "#1", "300", "OVERFLOW", "SAT", "SET", "i8", "#2", "300"));
        Assert.Equal("[44,127]", _db.Do("BITFIELD", "f", "GET", "i8", "8", "GET", "i8", "#2"));
        Assert.Equal("[0,-1]", _db.Do("BITFIELD", "f", "SET", "u8", "0", "-1", "SET", "i8", "0", "-129"));
        Assert.Equal("[71,0,9223372036854775807,9223372036854775807]", _db.Do("BITFIELD", "f", "OVERFLOW", "WRAP", "INCRBY", "i8", "0", "200",
            "OVERFLOW", "SAT", "INCRBY", "u8", "0", "-500", "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "1"));
        Assert.Equal("[9223372036854775807,-9223372036854775808]", _db.Do("BITFIELD", "f", "GET", "i64", "0", "OVERFLOW", "WRAP", "INCRBY", "i64", "0", "1"));
        Assert.Equal("[nil]", _db.Do("BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"));
        Assert.Equal("1", _db.Do("STRLEN", "new"));
        Assert.Equal("[0]", _db.Do("BITFIELD", "none", "GET", "u8", "0"));
        Assert.Equal("0", _db.Do("EXISTS", "none"));
    }

    [Fact]
    public void Bitfield_errors_match_redis()
    {
        Assert.StartsWith("ERR Invalid bitfield type.", _db.Do("BITFIELD", "f", "GET", "u64", "0"));
        Assert.StartsWith("ERR Invalid bitfield type.", _db.Do("BITFIELD", "f", "GET", "i65", "0"));
        Assert.Equal("ERR bit offset is not an integer or out of range", _db.Do("BITFIELD", "f", "GET", "i8", "-1"));
        Assert.Equal("ERR Invalid OVERFLOW type specified", _db.Do("BITFIELD", "f", "OVERFLOW", "foo"));
        Assert.Equal("ERR syntax error", _db.Do("BITFIELD", "f", "GET", "i8"));
        Assert.Equal("ERR BITFIELD_RO only supports the GET subcommand", _db.Do("BITFIELD_RO", "f", "SET", "i8", "0", "1"));
        _db.Do("HSET", "h", "a", "1");
        Assert.Equal(TypesDb.WrongType, _db.Do("SETBIT", "h", "0", "1"));
        Assert.Equal(TypesDb.WrongType, _db.Do("BITFIELD", "h", "GET", "u8", "0"));
    }
}
