using Orleans.Cache.Core.Config;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// The two encodings of a hash (Redis's listpack and hashtable): when a hash moves from one to the other (checked
/// against redis-server 7.0.15), and that every hash command answers, notifies and propagates the same in both.
/// </summary>
public sealed class HashEncodingTests
{
    private readonly TypesDb _db = new();

    private string Encoding(string key) => _db.Do("OBJECT", "ENCODING", key);

    private static string Long(int length) => new('x', length);

    [Fact]
    public void A_hash_is_a_listpack_until_it_has_more_fields_than_hash_max_listpack_entries()
    {
        _db.Keyspace.Encodings = new EncodingThresholds(HashMaxListpackEntries: 2);
        _db.Do("HSET", "h", "a", "1", "a", "2", "a", "3"); // one field, however many arguments (as Redis 7.0)
        Assert.Equal("listpack", Encoding("h"));
        _db.Do("HSET", "h", "b", "2");
        Assert.Equal("listpack", Encoding("h"));
        _db.Do("HSET", "h", "c", "3");
        Assert.Equal("hashtable", Encoding("h"));
        Assert.Equal("[a,3,b,2,c,3]", _db.Do("HGETALL", "h"));
    }

    [Fact]
    public void A_field_or_value_longer_than_hash_max_listpack_value_makes_a_hashtable()
    {
        _db.Do("HSET", "exact", "a", Long(64));
        _db.Do("HSET", "value", "a", Long(65));
        _db.Do("HINCRBY", "field", Long(65), "1");
        _db.Do("HSET", "nx", "a", "1");
        _db.Do("HSETNX", "nx", "a", Long(70)); // the field exists: nothing is written, the encoding stays
        Assert.Equal(["listpack", "hashtable", "hashtable", "listpack"], new[] { "exact", "value", "field", "nx" }.Select(Encoding));
        _db.Do("HSETNX", "nx", "b", Long(70));
        Assert.Equal("hashtable", Encoding("nx"));
        Assert.Equal(Long(70), _db.Do("HGET", "nx", "b"));
    }

    [Fact]
    public void A_hashtable_stays_one_when_fields_are_deleted_as_in_redis()
    {
        _db.Keyspace.Encodings = new EncodingThresholds(HashMaxListpackEntries: 2);
        _db.Do("HSET", "h", "a", "1", "b", "2", "c", "3");
        _db.Do("HDEL", "h", "b", "c");
        Assert.Equal("hashtable", Encoding("h"));
        _db.Do("DEL", "h");
        _db.Do("HSET", "h", "a", "1");
        Assert.Equal("listpack", Encoding("h"));
    }

    [Fact]
    public void A_lowered_threshold_converts_a_listpack_at_its_next_write_even_an_update()
    {
        _db.Do("HSET", "h", "a", "1", "b", "2", "c", "3");
        _db.Keyspace.Encodings = new EncodingThresholds(HashMaxListpackEntries: 1);
        Assert.Equal("1", _db.Do("HGET", "h", "a"));
        Assert.Equal("listpack", Encoding("h"));
        _db.Do("HSET", "h", "a", "5");
        Assert.Equal("hashtable", Encoding("h"));
        _db.Keyspace.Encodings = new EncodingThresholds(HashMaxListpackEntries: 0);
        _db.Do("HSET", "zero", "a", "1");
        Assert.Equal("hashtable", Encoding("zero"));
    }

    [Fact]
    public void A_field_deadline_makes_a_hashtable_and_copy_keeps_the_encoding()
    {
        _db.Do("HSET", "h", "a", "1", "b", "2");
        _db.Do("COPY", "h", "h2");
        Assert.Equal("listpack", Encoding("h2"));
        _db.Do("HEXPIRE", "h", "100", "FIELDS", "1", "a");
        Assert.Equal("hashtable", Encoding("h"));
        Assert.Equal("[100,-1]", _db.Do("HTTL", "h", "FIELDS", "2", "a", "b"));
        _db.Do("HSET", "h2", "a", "changed");
        Assert.Equal("1", _db.Do("HGET", "h", "a")); // the copy shares nothing
    }

    [Fact]
    public void Hscan_of_a_listpack_answers_everything_with_cursor_0_whatever_the_cursor()
    {
        _db.Do("HSET", "h", "a", "1", "b", "2", "c", "3");
        Assert.Equal("[0,[a,1,b,2,c,3]]", _db.Do("HSCAN", "h", "5", "COUNT", "1"));
        Assert.Equal("[0,[a,b,c]]", _db.Do("HSCAN", "h", "0", "NOVALUES"));
    }

    [Fact]
    public void Memory_usage_of_a_listpack_hash_is_its_object_and_one_array_and_far_below_the_table()
    {
        string[] fields = [.. Enumerable.Range(0, 10).SelectMany(i => new[] { $"f{i}", "vvvvvvvvvv" })];
        _db.Do(["HSET", "small", .. fields]);
        _db.Keyspace.Encodings = new EncodingThresholds(HashMaxListpackEntries: 0);
        _db.Do(["HSET", "table", .. fields]);
        long small = MemoryUsage.Of(_db.Keyspace.Peek("small"u8)!), table = MemoryUsage.Of(_db.Keyspace.Peek("table"u8)!);
        // 64 (entry) + 32 (key) + 48 (hash) + 24 + 144 (10 × (1 + 2 + 1 + 10), padded to 8).
        Assert.Equal(312, small);
        Assert.True(table > 3 * small, $"table {table}, listpack {small}");
        // What the keyspace is charged (INFO used_memory) is the same estimate, taken after the HSET that created the key.
        long charged = 0;
        foreach (var entry in _db.Keyspace.Entries()) charged += MemoryUsage.Of(entry);
        Assert.Equal(charged, _db.Keyspace.UsedMemory);
    }

    [Fact]
    public void A_snapshot_loads_each_hash_in_the_encoding_its_size_allows()
    {
        _db.Keyspace.Encodings = new EncodingThresholds(HashMaxListpackEntries: 0);
        _db.Do("HSET", "h", "a", "1", "b", "2");
        _db.Do("HSET", "big", "a", Long(100));
        var loaded = new TypesDb();
        Snapshot.Load(Snapshot.Write(_db.Keyspace, 0), loaded.Keyspace);
        Assert.Equal("listpack", loaded.Do("OBJECT", "ENCODING", "h"));
        Assert.Equal("hashtable", loaded.Do("OBJECT", "ENCODING", "big"));
        Assert.Equal("[a,1,b,2]", loaded.Do("HGETALL", "h"));
    }

    /// <summary>
    /// The same random hash commands on a partition whose hashes are listpacks until they pass small thresholds, and on
    /// one whose hashes are always tables: every reply, keyspace event and effect must be the same.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_hash_command_answers_the_same_in_both_encodings(int seed)
    {
        var packed = new TypesDb(seed);
        var table = new TypesDb(seed);
        packed.Keyspace.Encodings = new EncodingThresholds(HashMaxListpackEntries: 8, HashMaxListpackValue: 12);
        table.Keyspace.Encodings = new EncodingThresholds(HashMaxListpackEntries: 0);
        var events = (Packed: new List<string>(), Table: new List<string>());
        packed.Keyspace.Events = new EventRecorder(events.Packed);
        table.Keyspace.Events = new EventRecorder(events.Table);
        packed.Keyspace.Effects.Capacity = table.Keyspace.Effects.Capacity = 1 << 16;

        var random = new Random(seed);
        var encodings = new HashSet<string>();
        for (int step = 0; step < 3000; step++)
        {
            var command = RandomCommand(random);
            string expected = Normalize(command, table.Do(command)), actual = Normalize(command, packed.Do(command));
            Assert.True(expected == actual, $"step {step}: {string.Join(' ', command)}\n table:    {expected}\n listpack: {actual}");
            if (random.Next(20) == 0)
            {
                packed.Clock.Advance(TimeSpan.FromMilliseconds(700));
                table.Clock.Advance(TimeSpan.FromMilliseconds(700));
            }
            encodings.Add(packed.Do("OBJECT", "ENCODING", command[1]));
        }
        Assert.Equal(events.Table, events.Packed);
        Assert.Equal(EffectsOf(table), EffectsOf(packed));
        Assert.Contains("listpack", encodings);
        Assert.Contains("hashtable", encodings);
    }

    private static readonly string[] Keys = ["h1", "h2"];

    private static string[] RandomCommand(Random random)
    {
        string Key() => Keys[random.Next(Keys.Length)];
        string Field() => "f" + random.Next(12);
        string Value() => random.Next(10) switch
        {
            0 => Long(random.Next(10, 20)), // past the listpack's value limit now and then
            < 4 => random.Next(-50, 50).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "v" + random.Next(1000),
        };
        string[] Fields(int n) => [.. Enumerable.Range(0, n).Select(_ => Field())];
        string[] Pairs(int n) => [.. Enumerable.Range(0, n).SelectMany(_ => new[] { Field(), Value() })];
        int n = random.Next(1, 4);
        return random.Next(30) switch
        {
            0 or 1 or 2 => ["HSET", Key(), .. Pairs(n)],
            3 => ["HMSET", Key(), .. Pairs(n)],
            4 => ["HSETNX", Key(), Field(), Value()],
            5 or 6 => ["HGET", Key(), Field()],
            7 => ["HMGET", Key(), .. Fields(n)],
            8 => ["HGETALL", Key()],
            9 => ["HKEYS", Key()],
            10 => ["HVALS", Key()],
            11 or 12 => ["HDEL", Key(), .. Fields(n)],
            13 => ["HEXISTS", Key(), Field()],
            14 => ["HLEN", Key()],
            15 => ["HSTRLEN", Key(), Field()],
            16 => ["HINCRBY", Key(), Field(), random.Next(-5, 5).ToString(System.Globalization.CultureInfo.InvariantCulture)],
            17 => ["HINCRBYFLOAT", Key(), Field(), "1.5"],
            18 => random.Next(3) switch
            {
                0 => ["HRANDFIELD", Key()],
                1 => ["HRANDFIELD", Key(), "100", "WITHVALUES"],
                _ => ["HRANDFIELD", Key(), random.Next(-5, 5).ToString(System.Globalization.CultureInfo.InvariantCulture)],
            },
            19 => ["HSCAN", Key(), "0", "COUNT", "2"],
            20 => ["HGETDEL", Key(), "FIELDS", n.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Fields(n)],
            21 => ["HGETEX", Key(), "PERSIST", "FIELDS", "1", Field()],
            22 => ["HSETEX", Key(), random.Next(2) == 0 ? "FNX" : "FXX", "KEEPTTL", "FIELDS", "1", Field(), Value()],
            23 => ["HEXPIRE", Key(), random.Next(0, 3).ToString(System.Globalization.CultureInfo.InvariantCulture), "FIELDS", "1", Field()],
            24 => ["HTTL", Key(), "FIELDS", "2", Field(), Field()],
            25 => ["HPERSIST", Key(), "FIELDS", "1", Field()],
            26 => ["DEL", Key()],
            27 => ["COPY", Key(), Key(), "REPLACE"],
            28 => ["EXISTS", Key()],
            _ => ["TYPE", Key()],
        };
    }

    /// <summary>HRANDFIELD with fewer fields than the hash picks at random: only its size is compared.</summary>
    private static string Normalize(string[] command, string reply) =>
        command[0] == "HRANDFIELD" && command.Length != 4 && reply.StartsWith('[')
            ? "picks:" + (reply == "[]" ? 0 : reply.Count(c => c == ',') + 1)
            : command[0] == "HRANDFIELD" && command.Length == 2 ? (reply == "nil" ? "nil" : "a field")
            : reply;

    private static List<string> EffectsOf(TypesDb db)
    {
        var effects = new List<Effect>();
        Assert.True(db.Keyspace.Effects.TryReadSince(0, effects));
        return [.. effects.Select(e => string.Join(' ', e.Argv.Select(System.Text.Encoding.UTF8.GetString)))];
    }
}
