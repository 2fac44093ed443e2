using System.Text;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// SETBIT, BITFIELD, SETRANGE and APPEND write strings in place (a <see cref="StringBuffer"/> with spare capacity)
/// instead of copying the whole string per write. What must hold: nothing handed out before (a reply, a COPY, the
/// SET argument) ever changes, nothing handed out exposes the spare capacity, every string reader sees both forms,
/// and the cost of a write does not grow with the string (checked by allocation, which is deterministic).
/// </summary>
public sealed class InPlaceStringTests
{
    private readonly TypesDb _db = new();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private object ValueOf(string key) => _db.Keyspace.Find(B(key))!.Value;

    [Theory]
    [InlineData("SETBIT", "k", "7", "0")]
    [InlineData("SETRANGE", "k", "0", "Z")]
    [InlineData("APPEND", "k", "Z")]
    [InlineData("BITFIELD", "k", "SET", "u8", "0", "90")]
    public void A_reply_already_made_never_changes(params string[] write)
    {
        _db.Do("SET", "k", "abc");
        var first = _db.Run("GET", "k"); // shares the stored array
        _db.Run(write);                   // copies it into a buffer once
        var second = _db.Run("GET", "k"); // a copy of the buffer
        var mget = _db.Run("MGET", "k");
        _db.Run(write);                   // in place now
        _db.Do("SETRANGE", "k", "1", "!!");
        Assert.Equal("abc", first.Text);
        Assert.Equal(second.Text, mget.Items![0].Text);
        Assert.NotEqual(second.Text, _db.Do("GET", "k"));
        Assert.IsType<StringBuffer>(ValueOf("k"));
    }

    [Fact]
    public void A_long_buffer_read_by_get_is_frozen_so_later_gets_are_free_and_later_writes_copy_it_once()
    {
        string text = new('x', 100);
        _db.Do("SET", "k", text);
        _db.Do("SETRANGE", "k", "0", "a");                  // no growth: an exact-size buffer
        var buffer = Assert.IsType<StringBuffer>(ValueOf("k"));
        Assert.Equal(100, buffer.Capacity);
        var first = _db.Run("GET", "k");                     // a full buffer is handed over as it is
        var frozen = Assert.IsType<byte[]>(ValueOf("k"));
        Assert.Same(frozen, first.Bytes);
        Assert.Same(frozen, _db.Run("GET", "k").Bytes);      // and read again for free
        Assert.Equal(0, buffer.Length);                      // the old buffer is emptied, never written again
        Assert.Equal("raw", _db.Do("OBJECT", "ENCODING", "k"));

        _db.Do("SETRANGE", "k", "1", "b");                   // copies the shared array into a new buffer
        Assert.Equal("a" + text[1..], first.Text);
        Assert.Equal("ab" + text[2..], _db.Do("GET", "k"));
        _db.Do("APPEND", "k", "c");                          // grows: room to spare
        var grown = Assert.IsType<StringBuffer>(ValueOf("k"));
        Assert.True(grown.Capacity > 101);
        var second = _db.Run("GET", "k");                    // with room to spare, the first read just copies
        Assert.Same(grown, ValueOf("k"));
        _db.Do("APPEND", "k", "d");                          // so APPEND, GET, APPEND … copy once per GET
        var third = _db.Run("GET", "k");
        Assert.Same(grown, ValueOf("k"));
        var fourth = _db.Run("GET", "k");                    // read twice with no write between: frozen, trimmed
        Assert.Same(fourth.Bytes, ValueOf("k"));
        Assert.Same(fourth.Bytes, _db.Run("GET", "k").Bytes);
        Assert.Equal(102, fourth.Bytes!.Length);
        _db.Do("SETBIT", "k", "0", "0");
        Assert.Equal("ab" + text[2..] + "c", second.Text);
        Assert.Equal("ab" + text[2..] + "cd", third.Text);
        Assert.Equal("ab" + text[2..] + "cd", fourth.Text);
        Assert.Equal("raw", _db.Do("OBJECT", "ENCODING", "k"));

        _db.Do("APPEND", "k", "e");                          // MGET, GETEX and SET GET share the same way
        _db.Run("GET", "k");
        var mget = _db.Run("MGET", "k").Items![0];
        var getex = _db.Run("GETEX", "k");
        Assert.Same(mget.Bytes, getex.Bytes);
        _db.Do("APPEND", "k", "f");
        Assert.Equal(103, mget.Bytes!.Length);
        Assert.Equal(104, _db.Run("SET", "k", "v", "GET").Bytes!.Length);
    }

    [Fact]
    public void The_set_argument_is_never_written()
    {
        var value = B("hello");
        _db.Keyspace.Execute([B("SET"), B("k"), value]);
        _db.Do("SETRANGE", "k", "0", "J");
        _db.Do("APPEND", "k", "!");
        _db.Do("SETBIT", "k", "0", "1");
        Assert.Equal("hello", Encoding.UTF8.GetString(value));
        Assert.Equal("\u00caello!", Encoding.Latin1.GetString(_db.Run("GET", "k").Bytes!));

        var appended = B("tail");
        _db.Keyspace.Execute([B("APPEND"), B("fresh"), appended]); // a new key stores the argument itself
        _db.Do("APPEND", "fresh", "more");
        Assert.Equal("tail", Encoding.UTF8.GetString(appended));
        Assert.Equal("tailmore", _db.Do("GET", "fresh"));
    }

    [Fact]
    public void Copy_shares_nothing_that_is_written_in_place()
    {
        _db.Do("SET", "{c}a", "plain");
        _db.Do("COPY", "{c}a", "{c}b");            // shares the immutable array
        _db.Do("SETRANGE", "{c}a", "0", "X");
        Assert.Equal("Xlain", _db.Do("GET", "{c}a"));
        Assert.Equal("plain", _db.Do("GET", "{c}b"));
        _db.Do("COPY", "{c}a", "{c}c");            // copies the buffer
        _db.Do("APPEND", "{c}a", "1");
        _db.Do("APPEND", "{c}c", "2");
        Assert.Equal("Xlain1", _db.Do("GET", "{c}a"));
        Assert.Equal("Xlain2", _db.Do("GET", "{c}c"));
        Assert.Equal("raw", _db.Do("OBJECT", "ENCODING", "{c}c"));
    }

    [Fact]
    public void Nothing_read_or_saved_exposes_the_spare_capacity()
    {
        _db.Do("SET", "k", "ab", "EX", "100");
        _db.Do("APPEND", "k", "cd");
        var buffer = Assert.IsType<StringBuffer>(ValueOf("k"));
        Assert.True(buffer.Capacity > buffer.Length);
        Assert.Equal("abcd", _db.Do("GET", "k"));
        Assert.Equal(4, _db.Run("GET", "k").Bytes!.Length);
        Assert.Equal("4", _db.Do("STRLEN", "k"));
        Assert.Equal("bcd", _db.Do("GETRANGE", "k", "1", "-1"));
        Assert.Equal("[abcd,nil]", _db.Do("MGET", "k", "missing"));
        Assert.Equal("abcd", _db.Do("GETEX", "k", "EX", "200"));
        Assert.Equal("200", _db.Do("TTL", "k"));
        Assert.Equal("13", _db.Do("BITCOUNT", "k"));
        Assert.Equal("25", _db.Do("BITPOS", "k", "1", "3"));
        Assert.Equal("-1", _db.Do("BITPOS", "k", "0", "4"));
        Assert.Equal("[1633837924]", _db.Do("BITFIELD_RO", "k", "GET", "i32", "0"));
        Assert.Equal("string", _db.Do("TYPE", "k"));
        Assert.Equal("[k]", _db.Do("SCAN", "0", "TYPE", "string").Split(',', 2)[1].TrimEnd(']') + "]");
        for (int bit = 0; bit < 16; bit++) _db.Do("SETBIT", "ones", bit.ToString(), "1");
        Assert.True(Assert.IsType<StringBuffer>(ValueOf("ones")).Capacity > 2);
        Assert.Equal("16", _db.Do("BITPOS", "ones", "0")); // the first clear bit past the end, not past the capacity
        Assert.Equal("16", _db.Do("BITCOUNT", "ones"));
        _db.Do("DEL", "ones");

        var data = Snapshot.Write(_db.Keyspace, offset: 0);
        var loaded = new TypesDb();
        loaded.Clock.SetUtcNow(_db.Clock.GetUtcNow());
        Snapshot.Load(data, loaded.Keyspace);
        Assert.Equal("abcd", loaded.Do("GET", "k"));
        Assert.IsType<byte[]>(loaded.Keyspace.Find(B("k"))!.Value);

        Assert.Equal("abcd", _db.Do("SET", "k", "new", "GET"));
        _db.Do("APPEND", "k", "er");
        Assert.Equal("newer", _db.Do("GETSET", "k", "x"));
        _db.Do("APPEND", "k", "y");
        Assert.Equal("xy", _db.Do("GETDEL", "k"));
        Assert.Equal("0", _db.Do("EXISTS", "k"));
    }

    [Fact]
    public void Every_string_command_reads_a_buffer()
    {
        _db.Do("SET", "n", "1");
        _db.Do("APPEND", "n", "0");
        Assert.Equal("11", _db.Do("INCR", "n"));
        _db.Do("APPEND", "n", ".5");
        Assert.Equal("12", _db.Do("INCRBYFLOAT", "n", "0.5"));
        _db.Do("APPEND", "n", "x");
        Assert.Equal("ERR value is not an integer or out of range", _db.Do("INCR", "n"));

        _db.Do("SETBIT", "{b}x", "3", "1");
        _db.Do("SET", "{b}y", "\u0001");
        Assert.Equal("1", _db.Do("BITOP", "OR", "{b}z", "{b}x", "{b}y"));
        Assert.Equal("2", _db.Do("BITCOUNT", "{b}z"));
        Assert.Equal("1", _db.Do("BITOP", "AND", "{b}z", "{b}x", "{b}x"));
        Assert.Equal("1", _db.Do("BITCOUNT", "{b}z"));

        _db.Do("PFADD", "hll", "a", "b", "c");
        var hll = _db.Run("GET", "hll").Bytes!;
        _db.Keyspace.Execute([B("SETRANGE"), B("copy"), B("0"), hll]); // an HLL string in a buffer
        Assert.IsType<StringBuffer>(ValueOf("copy"));
        Assert.Equal("3", _db.Do("PFCOUNT", "copy"));
        Assert.Equal("1", _db.Do("PFADD", "copy", "d"));
        Assert.Equal("4", _db.Do("PFCOUNT", "copy", "copy"));

        _db.Do("RPUSH", "list", "a");
        Assert.Equal(TypesDb.WrongType, _db.Do("SETRANGE", "list", "0", "x"));
        Assert.Equal(TypesDb.WrongType, _db.Do("APPEND", "list", "x"));
        Assert.Equal(TypesDb.WrongType, _db.Do("SETBIT", "list", "0", "1"));
        Assert.Equal(TypesDb.WrongType, _db.Do("BITFIELD", "list", "SET", "u8", "0", "1"));
        _db.Do("SET", "s", "v");
        _db.Do("APPEND", "s", "w");
        Assert.Equal(TypesDb.WrongType, _db.Do("LPUSH", "s", "x"));
        Assert.Equal(TypesDb.WrongType, _db.Do("ZUNIONSTORE", "out", "1", "s"));
    }

    [Fact]
    public void Encoding_is_raw_after_an_in_place_write_as_in_redis()
    {
        foreach (var write in new[] { new[] { "SETBIT", "k", "0", "0" }, ["SETRANGE", "k", "0", "1"], ["APPEND", "k", "1"], ["BITFIELD", "k", "INCRBY", "u2", "0", "0"] })
        {
            _db.Do("SET", "k", "12");
            Assert.Equal("int", _db.Do("OBJECT", "ENCODING", "k"));
            write[1] = "k";
            _db.Run(write);
            Assert.Equal("raw", _db.Do("OBJECT", "ENCODING", "k"));
            _db.Do("INCR", "k");
            Assert.Equal("int", _db.Do("OBJECT", "ENCODING", "k"));
        }
        // As Redis: an empty SETRANGE and a read-only BITFIELD leave the value as it was.
        _db.Do("SET", "e", "abc");
        _db.Do("SETRANGE", "e", "1", "");
        _db.Do("BITFIELD", "e", "GET", "u8", "0");
        Assert.Equal("embstr", _db.Do("OBJECT", "ENCODING", "e"));
    }

    [Fact]
    public void A_write_that_changes_nothing_leaves_a_long_shared_array_uncopied()
    {
        _db.Do("SET", "long", new string('\u0001', 50));
        var shared = ValueOf("long");
        Assert.Equal("1", _db.Do("SETBIT", "long", "7", "1"));
        Assert.Equal("[1,1]", _db.Do("BITFIELD", "long", "SET", "u8", "0", "1", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "0"));
        Assert.Equal("[nil]", _db.Do("BITFIELD", "long", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "255"));
        Assert.Same(shared, ValueOf("long"));
        Assert.Equal("[1,2]", _db.Do("BITFIELD", "long", "SET", "u8", "0", "2", "GET", "u8", "0"));
        Assert.IsType<StringBuffer>(ValueOf("long"));
        Assert.Equal("\u0002" + new string('\u0001', 49), _db.Do("GET", "long"));
    }

    [Fact]
    public void Growth_zero_fills_and_keeps_the_ttl()
    {
        _db.Do("SET", "k", "ab", "EX", "100");
        _db.Do("APPEND", "k", "c");
        Assert.Equal("6", _db.Do("SETRANGE", "k", "5", "f"));
        Assert.Equal("abc\0\0f", _db.Do("GET", "k"));
        Assert.Equal("0", _db.Do("SETBIT", "k", "63", "1"));
        Assert.Equal("abc\0\0f\0\u0001", _db.Do("GET", "k"));
        Assert.Equal("100", _db.Do("TTL", "k"));
        Assert.Equal("[7]", _db.Do("BITFIELD", "k", "INCRBY", "u8", "#9", "7"));
        Assert.Equal("abc\0\0f\0\u0001\0\u0007", _db.Do("GET", "k"));
        Assert.Equal("100", _db.Do("TTL", "k"));
    }

    [Fact]
    public void Writes_to_a_1_MB_string_allocate_nothing_proportional_to_its_size()
    {
        const int Size = 1 << 20;
        _db.Do("SETBIT", "bm", (Size * 8L - 1).ToString(), "1");
        var rng = new Random(3);
        var argvs = new List<byte[][]>();
        for (int i = 0; i < 300; i++)
        {
            argvs.Add([B("SETBIT"), B("bm"), B(rng.Next(Size * 8).ToString()), B((i & 1).ToString())]);
            argvs.Add([B("SETRANGE"), B("bm"), B(rng.Next(Size - 8).ToString()), B("12345678")]);
            argvs.Add([B("BITFIELD"), B("bm"), B("INCRBY"), B("u8"), B("#" + rng.Next(Size)), B("1")]);
        }
        foreach (var argv in argvs.Take(9)) _db.Keyspace.Execute(argv); // JIT and first-call allocations
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var argv in argvs) _db.Keyspace.Execute(argv);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < Size, $"900 writes allocated {allocated} bytes (a copy per write would be 900 MB)");
        Assert.Equal(Size.ToString(), _db.Do("STRLEN", "bm"));
    }

    [Fact]
    public void Growing_a_string_a_little_at_a_time_is_amortized_linear()
    {
        const int Steps = 1 << 14;
        var append = new[] { B("APPEND"), B("log"), B("0123456789abcdef") };
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Steps; i++) _db.Keyspace.Execute(append);
        for (int i = 0; i < Steps; i++) _db.Keyspace.Execute([B("SETBIT"), B("bits"), B(((long)i * 128).ToString()), B("1")]);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // 256 KB each by the end: doubling allocates under 4× that per string, plus per-command garbage;
        // a copy per write would be Steps²/2 × 16 bytes ≈ 2 GB for APPEND alone.
        Assert.True(allocated < 8 * Steps * 16 + Steps * 2 * 600, $"allocated {allocated} bytes");
        Assert.Equal((Steps * 16).ToString(), _db.Do("STRLEN", "log"));
        Assert.Equal(((Steps - 1) * 16 + 1).ToString(), _db.Do("STRLEN", "bits"));
        Assert.Equal(Steps.ToString(), _db.Do("BITCOUNT", "bits"));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(1000, 2000)]
    [InlineData((1 << 20) - 1, (1 << 21) - 2)]
    [InlineData(1 << 20, 2 << 20)]
    [InlineData(8 << 20, 10 << 20)]
    [InlineData(512L << 20, 512 << 20)]
    public void Capacity_doubles_then_grows_by_a_quarter_up_to_the_string_limit(long length, int capacity) =>
        Assert.Equal(capacity, StringBuffer.GrownCapacity(length));
}
