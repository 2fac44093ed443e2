namespace Orleans.Cache.Core.Tests;

/// <summary>Redis 8.0's HGETDEL, HGETEX and HSETEX, as redis.io documents them and Redis's t_hash.c answers.</summary>
public sealed class HashGetSetExTests
{
    private readonly TypesDb _db = new();
    private static readonly long T0 = 1_700_000_000_000;

    private void Advance(long ms) => _db.Clock.Advance(TimeSpan.FromMilliseconds(ms));

    [Fact]
    public void Hgetdel_answers_the_values_deletes_the_fields_and_the_key_with_the_last_one()
    {
        _db.Do("HSET", "h", "a", "1", "b", "2", "c", "3");
        Assert.Equal("[3,nil]", _db.Do("HGETDEL", "h", "FIELDS", "2", "c", "zz"));
        Assert.Equal("[a,1,b,2]", _db.Do("HGETALL", "h"));
        Assert.Equal("[1,nil,2]", _db.Do("HGETDEL", "h", "FIELDS", "3", "a", "a", "b"));
        Assert.Equal("0", _db.Do("EXISTS", "h"));
        Assert.Equal("[nil]", _db.Do("HGETDEL", "h", "FIELDS", "1", "a"));
    }

    [Fact]
    public void Hgetex_reads_values_and_sets_or_removes_the_ttl_of_the_fields_found()
    {
        _db.Do("HSET", "h", "a", "1", "b", "2");
        Assert.Equal("[1,nil]", _db.Do("HGETEX", "h", "EX", "100", "FIELDS", "2", "a", "zz"));
        Assert.Equal("[100,-1,-2]", _db.Do("HTTL", "h", "FIELDS", "3", "a", "b", "zz"));
        Assert.Equal("[2]", _db.Do("HGETEX", "h", "PXAT", $"{T0 + 5000}", "FIELDS", "1", "b"));
        Assert.Equal("[5000]", _db.Do("HPTTL", "h", "FIELDS", "1", "b"));
        Assert.Equal("[1,2]", _db.Do("HGETEX", "h", "FIELDS", "2", "a", "b")); // no option: a plain read
        Assert.Equal("[1]", _db.Do("HGETEX", "h", "PERSIST", "FIELDS", "1", "a"));
        Assert.Equal("[-1,5000]", _db.Do("HPTTL", "h", "FIELDS", "2", "a", "b"));
        Assert.Equal("[1,2]", _db.Do("HGETEX", "h", "EXAT", $"{T0 / 1000 - 1}", "FIELDS", "2", "a", "b")); // past: deleted
        Assert.Equal("0", _db.Do("EXISTS", "h"));
        Assert.Equal("[nil,nil]", _db.Do("HGETEX", "h", "EX", "10", "FIELDS", "2", "a", "b"));
    }

    [Fact]
    public void Hgetex_errors_use_Redis_texts()
    {
        _db.Do("HSET", "h", "a", "1");
        Assert.Equal("ERR invalid expire time, must be >= 0", _db.Do("HGETEX", "h", "EX", "-1", "FIELDS", "1", "a"));
        Assert.Equal("ERR invalid expire time in 'hgetex' command", _db.Do("HGETEX", "h", "EX", "9223372036854775807", "FIELDS", "1", "a"));
        Assert.Equal("ERR value is not an integer or out of range", _db.Do("HGETEX", "h", "PX", "soon", "FIELDS", "1", "a"));
        Assert.Equal("ERR Mandatory argument FIELDS is missing or not at the right position", _db.Do("HGETEX", "h", "KEEPTTL", "FIELDS", "1", "a"));
        Assert.Equal("ERR Mandatory argument FIELDS is missing or not at the right position", _db.Do("HGETEX", "h", "EX", "10", "PERSIST", "FIELDS", "1", "a"));
        Assert.Equal("ERR Number of fields must be a positive integer", _db.Do("HGETEX", "h", "PERSIST", "FIELDS", "0", "a"));
        Assert.Equal("ERR The `numfields` parameter must match the number of arguments", _db.Do("HGETEX", "h", "FIELDS", "2", "a"));
        Assert.Equal("ERR wrong number of arguments for 'hgetex' command", _db.Do("HGETEX", "h", "EX", "10", "FIELDS"));
        _db.Do("SET", "s", "v");
        Assert.Equal(TypesDb.WrongType, _db.Do("HGETEX", "s", "FIELDS", "1", "a"));
        Assert.Equal(TypesDb.WrongType, _db.Do("HGETDEL", "s", "FIELDS", "1", "a"));
    }

    [Fact]
    public void Hsetex_sets_fields_with_a_ttl_and_answers_1()
    {
        Assert.Equal("1", _db.Do("HSETEX", "h", "EX", "100", "FIELDS", "2", "a", "1", "b", "2"));
        Assert.Equal("[a,1,b,2]", _db.Do("HGETALL", "h"));
        Assert.Equal("[100,100]", _db.Do("HTTL", "h", "FIELDS", "2", "a", "b"));
        Assert.Equal("1", _db.Do("HSETEX", "h", "KEEPTTL", "FIELDS", "1", "a", "10"));
        Assert.Equal("1", _db.Do("HSETEX", "h", "FIELDS", "1", "b", "20")); // no option: the TTL goes, as with HSET
        Assert.Equal("[100,-1]", _db.Do("HTTL", "h", "FIELDS", "2", "a", "b"));
        Assert.Equal("1", _db.Do("HSETEX", "h", "PX", "0", "FIELDS", "1", "a", "x")); // a time not in the future deletes
        Assert.Equal("[b,20]", _db.Do("HGETALL", "h"));
        Assert.Equal("1", _db.Do("HSETEX", "h", "EXAT", $"{T0 / 1000 + 10}", "FIELDS", "1", "b", "30"));
        Assert.Equal("[10]", _db.Do("HTTL", "h", "FIELDS", "1", "b"));
        Advance(10_001);
        Assert.Equal("0", _db.Do("HLEN", "h"));
        Assert.Equal("0", _db.Do("EXISTS", "h"));
    }

    [Fact]
    public void Hsetex_fnx_sets_only_when_no_field_exists_and_fxx_only_when_all_do()
    {
        Assert.Equal("0", _db.Do("HSETEX", "h", "FXX", "FIELDS", "1", "a", "1"));
        Assert.Equal("0", _db.Do("EXISTS", "h"));
        Assert.Equal("1", _db.Do("HSETEX", "h", "FNX", "FIELDS", "2", "a", "1", "b", "2"));
        Assert.Equal("0", _db.Do("HSETEX", "h", "FNX", "FIELDS", "2", "c", "3", "a", "9"));
        Assert.Equal("0", _db.Do("HSETEX", "h", "FXX", "EX", "10", "FIELDS", "2", "a", "9", "c", "3"));
        Assert.Equal("[a,1,b,2]", _db.Do("HGETALL", "h"));
        Assert.Equal("1", _db.Do("HSETEX", "h", "fxx", "ex", "10", "fields", "2", "a", "9", "b", "8"));
        Assert.Equal("[a,9,b,8]", _db.Do("HGETALL", "h"));
        _db.Do("HPEXPIRE", "h", "5", "FIELDS", "1", "a");
        Advance(6);
        Assert.Equal("1", _db.Do("HSETEX", "h", "FNX", "FIELDS", "1", "a", "new")); // an expired field does not exist
    }

    [Fact]
    public void Hsetex_errors_use_Redis_texts()
    {
        Assert.Equal("ERR Only one of FXX or FNX arguments can be specified", _db.Do("HSETEX", "h", "FXX", "FNX", "FIELDS", "1", "a", "1"));
        Assert.Equal("ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified", _db.Do("HSETEX", "h", "EX", "10", "KEEPTTL", "FIELDS", "1", "a", "1"));
        Assert.Equal("ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified", _db.Do("HSETEX", "h", "PX", "10", "EX", "1", "FIELDS", "1", "a", "1"));
        Assert.Equal("ERR unknown argument: NOPE", _db.Do("HSETEX", "h", "NOPE", "FIELDS", "1", "a", "1"));
        Assert.Equal("ERR invalid number of fields", _db.Do("HSETEX", "h", "FIELDS", "0", "a", "1"));
        Assert.Equal("ERR wrong number of arguments for 'hsetex' command", _db.Do("HSETEX", "h", "FIELDS", "2", "a", "1"));
        Assert.Equal("ERR wrong number of arguments for 'hsetex' command", _db.Do("HSETEX", "h", "FIELDS", "1", "a", "1", "b"));
        Assert.Equal("ERR wrong number of arguments for 'hsetex' command", _db.Do("HSETEX", "h", "EX", "10", "FIELDS", "1", "a"));
        Assert.Equal("ERR invalid expire time, must be >= 0", _db.Do("HSETEX", "h", "EX", "-5", "FIELDS", "1", "a", "1"));
        Assert.Equal("ERR invalid expire time in 'hsetex' command", _db.Do("HSETEX", "h", "EXAT", "70368744178", "FIELDS", "1", "a", "1"));
        Assert.Equal("ERR wrong number of arguments for 'hsetex' command", _db.Do("HSETEX", "h", "FIELDS", "1", "a"));
        Assert.Equal("0", _db.Do("EXISTS", "h"));
        _db.Do("SET", "s", "v");
        Assert.Equal(TypesDb.WrongType, _db.Do("HSETEX", "s", "FIELDS", "1", "a", "1"));
        Assert.Equal("ERR unknown argument: x", _db.Do("HSETEX", "s", "x", "FIELDS", "1", "a", "1")); // options first, then the type
    }
}
