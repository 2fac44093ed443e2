namespace Orleans.Cache.Core.Tests;

/// <summary>
/// The counter commands of the string family (INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT); expected replies were
/// checked against redis-server 7.0.15, including INCRBYFLOAT's long double arithmetic and printing.
/// </summary>
public class CounterCommandTests
{
    private readonly Session s = new();

    // ---- INCR family ----

    [Fact]
    public void Incr_family_starts_from_zero_and_counts()
    {
        Assert.Equal("(integer) 1", s.Run("INCR", "n"));
        Assert.Equal("(integer) 11", s.Run("INCRBY", "n", "10"));
        Assert.Equal("(integer) 10", s.Run("DECR", "n"));
        Assert.Equal("(integer) -5", s.Run("DECRBY", "n", "15"));
        Assert.Equal("\"-5\"", s.Run("GET", "n"));
        Assert.Equal("(integer) -3", s.Run("DECRBY", "m", "3"));
    }

    [Theory]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData("00")]
    [InlineData("-0")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("12345678901234567890")]
    [InlineData("9223372036854775808")]
    public void Incr_on_a_value_that_is_not_a_canonical_64_bit_integer_fails(string value)
    {
        s.Run("SET", "n", value);
        Assert.Equal("(error) ERR value is not an integer or out of range", s.Run("INCR", "n"));
        Assert.Equal($"\"{value}\"", s.Run("GET", "n"));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("9223372036854775808")]
    [InlineData("1e3")]
    public void IncrBy_with_a_non_integer_increment_fails(string by) =>
        Assert.Equal("(error) ERR value is not an integer or out of range", s.Run("INCRBY", "n", by));

    [Fact]
    public void Incr_at_the_64_bit_limits_would_overflow_and_leaves_the_value()
    {
        s.Run("SET", "n", "9223372036854775807");
        Assert.Equal("(error) ERR increment or decrement would overflow", s.Run("INCR", "n"));
        s.Run("SET", "m", "-9223372036854775808");
        Assert.Equal("(error) ERR increment or decrement would overflow", s.Run("DECR", "m"));
        Assert.Equal("(error) ERR increment or decrement would overflow", s.Run("INCRBY", "m", "-1"));
        Assert.Equal("\"9223372036854775807\"", s.Run("GET", "n"));
        Assert.Equal("\"-9223372036854775808\"", s.Run("GET", "m"));
    }

    [Fact]
    public void DecrBy_the_smallest_integer_is_its_own_error_but_IncrBy_it_works()
    {
        Assert.Equal("(error) ERR decrement would overflow", s.Run("DECRBY", "x", "-9223372036854775808"));
        Assert.Equal("(integer) -9223372036854775808", s.Run("INCRBY", "x", "-9223372036854775808"));
    }

    [Fact]
    public void Incr_keeps_the_ttl()
    {
        s.Run("SET", "n", "1", "EX", "100");
        s.Run("INCR", "n");
        Assert.Equal("(integer) 100", s.Run("TTL", "n"));
    }

    [Fact]
    public void Incr_on_a_non_string_is_WRONGTYPE()
    {
        s.PutList("l");
        Assert.StartsWith("(error) WRONGTYPE", s.Run("INCR", "l"));
        Assert.StartsWith("(error) WRONGTYPE", s.Run("INCRBYFLOAT", "l", "1"));
    }

    // ---- INCRBYFLOAT: Redis adds in long double and prints "%.17Lf" without trailing zeros ----

    [Theory]
    [InlineData("10.50", "0.1", "10.6")]
    [InlineData("5.0e3", "2.0e2", "5200")]
    [InlineData("0", "1e20", "100000000000000000000")]
    [InlineData("0.1", "0.2", "0.3")]
    [InlineData("0.3", "0.1", "0.4")]
    [InlineData("1234.1", "0", "1234.09999999999999998")]
    [InlineData("0", "123456789.123456789", "123456789.12345678899873747")]
    [InlineData("100", "0.333333333333333333333", "100.33333333333333334")]
    [InlineData("0", "12345678901234567890123", "12345678901234567889920")]
    [InlineData("0", "9007199254740993", "9007199254740993")]
    [InlineData("3", "-3", "0")]
    [InlineData("10", "-10.0", "0")]
    [InlineData("0", "1e-20", "0")]
    [InlineData("0", "-1e-20", "0")]
    [InlineData("0", "1e-17", "0.00000000000000001")]
    [InlineData("0", "0.000000000000000015", "0.00000000000000002")]
    [InlineData("0", "0.99999999999999999", "0.99999999999999999")]
    [InlineData("0", "0.999999999999999999", "1")]
    [InlineData("0", "0.000003814697265625", "0.00000381469726562")]
    [InlineData("0", "0.000011444091796875", "0.00001144409179688")]
    [InlineData("0", "1e-4950", "0")]
    [InlineData("0", "0x10", "16")]
    [InlineData("0", "0x1.8", "1.5")]
    [InlineData("0", "0X1P-2", "0.25")]
    [InlineData("0", ".5", "0.5")]
    [InlineData("0", "5.", "5")]
    [InlineData("0", "+5", "5")]
    [InlineData("0", "-.5", "-0.5")]
    [InlineData("0", "1E2", "100")]
    [InlineData("0", "1e+2", "100")]
    [InlineData("0", "01.5", "1.5")]
    [InlineData("-0.0", "0", "0")]
    [InlineData("0", "1e0000000000000000000000001", "10")]
    [InlineData("1", "0e99999999999999999999", "1")]
    public void IncrByFloat_answers_exactly_what_Redis_answers(string start, string by, string expected)
    {
        s.Run("SET", "f", start);
        Assert.Equal($"\"{expected}\"", s.Run("INCRBYFLOAT", "f", by));
        Assert.Equal($"\"{expected}\"", s.Run("GET", "f"));
    }

    [Fact]
    public void IncrByFloat_prints_huge_values_in_full()
    {
        s.Run("SET", "f", "1e308");
        var sum = s.Raw("INCRBYFLOAT", "f", "1e308").Text!;
        Assert.StartsWith("199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096", sum);
        Assert.Equal(309, sum.Length);
        s.Run("SET", "g", "1.18e4932");
        Assert.StartsWith("11800000000000000000006528129180936992026904371401604717298312400618365277284469", s.Raw("INCRBYFLOAT", "g", "0").Text);
    }

    [Fact]
    public void IncrByFloat_reads_numbers_up_to_5119_characters()
    {
        Assert.Equal("\"1\"", s.Run("INCRBYFLOAT", "f", "1." + new string('0', 5117)));
        Assert.Equal("(error) ERR value is not a valid float", s.Run("INCRBYFLOAT", "g", "1." + new string('0', 5118)));
        Assert.Equal("\"0\"", s.Run("INCRBYFLOAT", "h", "0." + new string('0', 4000) + "1"));
        s.Run("SET", "big", new string('9', 4000));
        Assert.StartsWith("999999999999999999996546387309962378493249258350695763130150", s.Raw("INCRBYFLOAT", "big", "1").Text);
    }

    [Fact]
    public void IncrByFloat_repeated_tenths_stay_exact_as_in_Redis()
    {
        for (int i = 0; i < 10; i++) s.Run("INCRBYFLOAT", "f", "0.1");
        Assert.Equal("\"1\"", s.Run("GET", "f"));
    }

    [Theory]
    [InlineData("nan")]
    [InlineData("nan(123)")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1e")]
    [InlineData("1_0")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("0x")]
    [InlineData("infinit")]
    [InlineData("1e5000")]
    [InlineData("1e-5000")]
    [InlineData("1.19e4932")]
    [InlineData("1e99999999999999999999")]
    [InlineData("")]
    public void IncrByFloat_rejects_what_strtold_would_not_fully_parse(string by)
    {
        s.Run("SET", "f", "1");
        Assert.Equal("(error) ERR value is not a valid float", s.Run("INCRBYFLOAT", "f", by));
        s.Run("SET", "g", by);
        Assert.Equal("(error) ERR value is not a valid float", s.Run("INCRBYFLOAT", "g", "1"));
        Assert.Equal("\"1\"", s.Run("GET", "f"));
    }

    [Theory]
    [InlineData("1", "inf")]
    [InlineData("0", "INF")]
    [InlineData("0", "-infinity")]
    [InlineData("1.18e4932", "1.18e4932")]
    public void IncrByFloat_that_would_reach_infinity_fails_and_leaves_the_value(string start, string by)
    {
        s.Run("SET", "f", start);
        Assert.Equal("(error) ERR increment would produce NaN or Infinity", s.Run("INCRBYFLOAT", "f", by));
        Assert.Equal($"\"{start}\"", s.Run("GET", "f"));
    }

    [Fact]
    public void IncrByFloat_keeps_the_ttl()
    {
        s.Run("SET", "f", "1", "EX", "100");
        s.Run("INCRBYFLOAT", "f", "1.5");
        Assert.Equal("(integer) 100", s.Run("TTL", "f"));
    }
}
