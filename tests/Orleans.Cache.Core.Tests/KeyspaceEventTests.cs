using System.Text;
using System.Text.RegularExpressions;
using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// The keyspace events of every write, with notify-keyspace-events KEA: the exact (channel, message) pairs in order,
/// and none for a write that changed nothing. The expected sequences were taken from redis-server 7.0.15
/// (PSUBSCRIBE __key*__:* while running the same commands).
/// </summary>
public sealed partial class KeyspaceEventTests
{
    /// <summary>
    /// Publishes as a partition would under its flags, and checks each event's class against the one redis-server
    /// 7.0.15 uses for that name (found by subscribing with one class flag at a time).
    /// </summary>
    private sealed class EventLog(string flags) : IKeyspaceEventSink
    {
        private static readonly Dictionary<string, KeyspaceEventFlags> ClassOf = new()
        {
            ["del"] = KeyspaceEventFlags.Generic, ["expire"] = KeyspaceEventFlags.Generic,
            ["persist"] = KeyspaceEventFlags.Generic, ["rename_from"] = KeyspaceEventFlags.Generic,
            ["rename_to"] = KeyspaceEventFlags.Generic, ["copy_to"] = KeyspaceEventFlags.Generic,
            ["expired"] = KeyspaceEventFlags.Expired, ["new"] = KeyspaceEventFlags.New,
            ["set"] = KeyspaceEventFlags.String, ["setrange"] = KeyspaceEventFlags.String,
            ["append"] = KeyspaceEventFlags.String, ["incrby"] = KeyspaceEventFlags.String,
            ["incrbyfloat"] = KeyspaceEventFlags.String, ["setbit"] = KeyspaceEventFlags.String,
            ["pfadd"] = KeyspaceEventFlags.String,
            ["lpush"] = KeyspaceEventFlags.List, ["rpush"] = KeyspaceEventFlags.List, ["lpop"] = KeyspaceEventFlags.List,
            ["rpop"] = KeyspaceEventFlags.List, ["linsert"] = KeyspaceEventFlags.List, ["lset"] = KeyspaceEventFlags.List,
            ["lrem"] = KeyspaceEventFlags.List, ["ltrim"] = KeyspaceEventFlags.List,
            ["sadd"] = KeyspaceEventFlags.Set, ["srem"] = KeyspaceEventFlags.Set, ["spop"] = KeyspaceEventFlags.Set,
            ["sinterstore"] = KeyspaceEventFlags.Set, ["sunionstore"] = KeyspaceEventFlags.Set,
            ["sdiffstore"] = KeyspaceEventFlags.Set,
            ["hset"] = KeyspaceEventFlags.Hash, ["hdel"] = KeyspaceEventFlags.Hash, ["hincrby"] = KeyspaceEventFlags.Hash,
            ["hincrbyfloat"] = KeyspaceEventFlags.Hash, ["hexpire"] = KeyspaceEventFlags.Hash,
            ["hexpired"] = KeyspaceEventFlags.Hash, ["hpersist"] = KeyspaceEventFlags.Hash,
            ["zadd"] = KeyspaceEventFlags.SortedSet, ["zincr"] = KeyspaceEventFlags.SortedSet,
            ["zrem"] = KeyspaceEventFlags.SortedSet, ["zremrangebyrank"] = KeyspaceEventFlags.SortedSet,
            ["zremrangebyscore"] = KeyspaceEventFlags.SortedSet, ["zremrangebylex"] = KeyspaceEventFlags.SortedSet,
            ["zpopmin"] = KeyspaceEventFlags.SortedSet, ["zpopmax"] = KeyspaceEventFlags.SortedSet,
            ["zunionstore"] = KeyspaceEventFlags.SortedSet, ["zinterstore"] = KeyspaceEventFlags.SortedSet,
            ["zdiffstore"] = KeyspaceEventFlags.SortedSet, ["zrangestore"] = KeyspaceEventFlags.SortedSet,
            ["geosearchstore"] = KeyspaceEventFlags.SortedSet, ["georadiusstore"] = KeyspaceEventFlags.SortedSet,
        };

        private readonly KeyspaceEventFlags _flags = KeyspaceEvents.TryParse(flags, out var f) ? f : throw new ArgumentException(flags);
        private readonly List<(byte[] Channel, byte[] Message)> _published = [];

        public void OnKeyspaceEvent(KeyspaceEventFlags type, string name, byte[] key)
        {
            Assert.True(ClassOf.TryGetValue(name, out var expected), $"unexpected event name '{name}'");
            Assert.True(expected == type, $"event '{name}' raised as {type}, Redis raises it as {expected}");
            KeyspaceEvents.Channels(_flags, type, name, key, _published);
        }

        /// <summary>The pairs published since the last call, as "channel message".</summary>
        public string[] Take()
        {
            var pairs = _published.Select(p => Encoding.UTF8.GetString(p.Channel) + " " + Encoding.UTF8.GetString(p.Message)).ToArray();
            _published.Clear();
            return pairs;
        }
    }

    private readonly TypesDb _db = new();
    private EventLog _log = new("KEA");

    public KeyspaceEventTests() => _db.Keyspace.Events = _log;

    private void Flags(string flags) => _db.Keyspace.Events = _log = new EventLog(flags);

    [GeneratedRegex("\"[^\"]*\"|\\S+")]
    private static partial Regex Word();

    private static string[] Split(string command) => Word().Matches(command).Select(m => m.Value.Trim('"')).ToArray();

    /// <summary>What Redis publishes under K and E for one "event:key": the keyspace channel first, then the keyevent one.</summary>
    private static IEnumerable<string> Expected(string[] events, bool keyspace = true, bool keyevent = true) =>
        events.SelectMany(e =>
        {
            int colon = e.IndexOf(':');
            string name = e[..colon], key = e[(colon + 1)..];
            var pairs = new List<string>();
            if (keyspace) pairs.Add($"__keyspace@0__:{key} {name}");
            if (keyevent) pairs.Add($"__keyevent@0__:{name} {key}");
            return pairs;
        });

    /// <summary>Runs a command that sets the scene; its events are not looked at.</summary>
    private void Given(string command)
    {
        _db.Do(Split(command));
        _log.Take();
    }

    /// <summary>Runs one command, checks its reply and the exact events it published (none when <paramref name="events"/> is empty).</summary>
    private void Run(string command, string reply, params string[] events)
    {
        Assert.Equal(reply, _db.Do(Split(command)));
        Assert.Equal(Expected(events), _log.Take());
    }

    // ---- lists ----

    [Fact]
    public void Linsert_lset_lrem_raise_their_event_only_when_the_list_changed()
    {
        Given("RPUSH l a b c");
        Run("LINSERT l BEFORE b x", "4", "linsert:l");
        Run("LINSERT l AFTER zz y", "-1");
        Run("LINSERT missing BEFORE a b", "0");
        Run("LSET l 0 q", "OK", "lset:l");
        Run("LSET l 99 q", "ERR index out of range");
        Run("LREM l 0 nope", "0");
        Run("LREM l 1 q", "1", "lrem:l");
        Run("LREM l 0 x", "1", "lrem:l");
        Run("LREM l 0 b", "1", "lrem:l");
        Run("LREM l 0 c", "1", "lrem:l", "del:l");
    }

    [Fact]
    public void Ltrim_raises_ltrim_even_when_nothing_was_trimmed_and_del_once_empty()
    {
        Given("RPUSH l a b c");
        Run("LTRIM l 0 -1", "OK", "ltrim:l");
        Run("LTRIM l 0 0", "OK", "ltrim:l");
        Run("LTRIM l 5 10", "OK", "ltrim:l", "del:l");
        Run("LTRIM missing 0 1", "OK");
    }

    [Fact]
    public void Lmove_and_rpoplpush_push_on_the_destination_then_pop_the_source()
    {
        Given("RPUSH src a b");
        Run("LMOVE src dst LEFT RIGHT", "a", "rpush:dst", "lpop:src");
        Run("LMOVE src dst RIGHT LEFT", "b", "lpush:dst", "rpop:src", "del:src");
        Run("LMOVE src dst LEFT LEFT", "nil");
        Given("RPUSH one a");
        Run("LMOVE one one LEFT RIGHT", "a", "rpush:one", "lpop:one");
        Run("RPOPLPUSH one one", "a", "lpush:one", "rpop:one");
        Run("RPOPLPUSH dst d2", "a", "lpush:d2", "rpop:dst");
        Given("SET str x");
        Run("LMOVE dst str LEFT LEFT", TypesDb.WrongType);
    }

    [Fact]
    public void Blocking_moves_raise_the_same_events_as_lmove()
    {
        Given("RPUSH c 1");
        Run("BLMOVE c d RIGHT LEFT 0", "1", "lpush:d", "rpop:c", "del:c");
        Run("BRPOPLPUSH d c 0", "1", "lpush:c", "rpop:d", "del:d");
        Run("BRPOPLPUSH d c 0", "nil"); // would block: nothing changed
    }

    [Fact]
    public void Lmpop_and_blocking_pops_raise_lpop_or_rpop_then_del()
    {
        Given("RPUSH a 1 2 3");
        Run("LMPOP 2 zz a LEFT COUNT 2", "[a,[1,2]]", "lpop:a");
        Run("LMPOP 1 a RIGHT COUNT 5", "[a,[3]]", "rpop:a", "del:a");
        Run("LMPOP 1 a RIGHT", "nil");
        Given("RPUSH b 1 2");
        Run("BLPOP b 0", "[b,1]", "lpop:b");
        Run("BRPOP b 0", "[b,2]", "rpop:b", "del:b");
        Given("RPUSH b 1 2");
        Run("BLMPOP 0 1 b RIGHT COUNT 9", "[b,[2,1]]", "rpop:b", "del:b");
        Run("LPOP b 0", "nil");
        Given("RPUSH c 1");
        Run("LPOP c 0", "[]");
    }

    [Fact]
    public void A_blocked_pop_served_later_raises_its_pop_events_then()
    {
        // The grains re-run a blocked command when its key is written; the would-block run changes nothing.
        Run("BLPOP q 0", "nil");
        Run("BZPOPMIN z 0", "nil");
        Run("BLMOVE q d LEFT RIGHT 0", "nil");
        Run("RPUSH q a b", "2", "rpush:q");
        Run("BLPOP q 0", "[q,a]", "lpop:q");
        Run("BLMOVE q d LEFT RIGHT 0", "b", "rpush:d", "lpop:q", "del:q");
        Run("ZADD z 1 m", "1", "zadd:z");
        Run("BZPOPMIN z 0", "[z,m,1]", "zpopmin:z", "del:z");
    }

    // ---- sets ----

    [Fact]
    public void Spop_raises_spop_then_del_when_the_set_empties()
    {
        Given("SADD s a b c");
        Run("SPOP s 0", "[]");
        Run("SPOP missing", "nil");
        Run("SPOP missing 2", "[]");
        _db.Do("SPOP", "s");
        Assert.Equal(Expected(["spop:s"]), _log.Take());
        _db.Do("SPOP", "s", "1");
        Assert.Equal(Expected(["spop:s"]), _log.Take());
        _db.Do("SPOP", "s", "5");
        Assert.Equal(Expected(["spop:s", "del:s"]), _log.Take());
    }

    [Fact]
    public void Smove_raises_srem_on_the_source_then_sadd_on_the_destination_only_if_added()
    {
        Given("SADD s a b");
        Run("SMOVE s d zz", "0");
        Run("SMOVE s d a", "1", "srem:s", "sadd:d");
        Given("SADD d b");
        Run("SMOVE s d b", "1", "srem:s", "del:s");
        Run("SMOVE d d b", "1");
        Run("SMOVE missing d b", "0");
        Given("SADD t x");
        Given("SET str v");
        Run("SMOVE t str x", TypesDb.WrongType);
    }

    [Fact]
    public void Set_stores_raise_their_event_or_del_when_the_result_is_empty_and_the_destination_existed()
    {
        Given("SADD a 1 2 3");
        Given("SADD b 2 3 4");
        Run("SINTERSTORE dst a b", "2", "sinterstore:dst");
        Run("SINTERSTORE dst a missing", "0", "del:dst");
        Run("SINTERSTORE dst a missing", "0");
        Run("SUNIONSTORE dst a b", "4", "sunionstore:dst");
        Run("SUNIONSTORE a a b", "4", "sunionstore:a");
        Run("SDIFFSTORE dst a b", "1", "sdiffstore:dst");
        Run("SDIFFSTORE dst b b", "0", "del:dst");
        Run("SUNIONSTORE dst missing", "0");
    }

    [Fact]
    public void Srem_that_empties_the_set_raises_srem_then_del()
    {
        Given("SADD a 1 2 3");
        Run("SREM a 9", "0");
        Run("SREM a 1 2 3 4 9", "3", "srem:a", "del:a");
    }

    // ---- sorted sets ----

    [Fact]
    public void Zadd_raises_zadd_only_when_a_member_was_added_or_a_score_changed()
    {
        Run("ZADD z 1 a 2 b", "2", "zadd:z");
        Run("ZADD z 1 a", "0");
        Run("ZADD z 3 a", "0", "zadd:z");
        Run("ZADD z NX 5 a", "0");
        Run("ZADD z XX 5 c", "0");
        Run("ZADD zz XX 1 a", "0");
        Run("ZADD z GT 1 a", "0");
        Run("ZADD z CH 3 a 4 d", "1", "zadd:z");
        Run("ZADD z abc a", "ERR value is not a valid float");
    }

    [Fact]
    public void Zincrby_and_zadd_incr_raise_zincr_unless_the_score_stays_the_same()
    {
        Given("ZADD z 3 a");
        Run("ZADD z INCR 1 a", "4", "zincr:z");
        Run("ZADD z INCR 0 a", "4");
        Run("ZADD z NX INCR 1 a", "nil");
        Run("ZINCRBY z 0 a", "4");
        Run("ZINCRBY z 1 a", "5", "zincr:z");
        Run("ZINCRBY z 0 newm", "0", "zincr:z");
        Run("ZINCRBY z2 5 m", "5", "zincr:z2");
        Given("ZADD inf +inf a");
        Run("ZINCRBY inf -inf a", "ERR resulting score is not a number (NaN)");
    }

    [Fact]
    public void Zrem_and_zremrangeby_raise_their_event_then_del_when_the_set_empties()
    {
        Given("ZADD z 1 a 2 b 3 c 4 d 5 e 6 f");
        Run("ZREM z nope", "0");
        Run("ZREM z f", "1", "zrem:z");
        Run("ZREMRANGEBYRANK z 10 20", "0");
        Run("ZREMRANGEBYRANK z 0 0", "1", "zremrangebyrank:z");
        Run("ZREMRANGEBYSCORE z 100 200", "0");
        Run("ZREMRANGEBYSCORE z 2 2", "1", "zremrangebyscore:z");
        Run("ZREMRANGEBYLEX z [zz +", "0");
        Run("ZREMRANGEBYLEX z - [d", "2", "zremrangebylex:z");
        Run("ZREMRANGEBYRANK z 0 -1", "1", "zremrangebyrank:z", "del:z");
        Run("ZREMRANGEBYRANK missing 0 -1", "0");
        Given("ZADD y 1 a");
        Run("ZREM y a b", "1", "zrem:y", "del:y");
    }

    [Fact]
    public void Zpop_family_raises_one_zpopmin_or_zpopmax_then_del()
    {
        Given("ZADD z 1 a 2 b 3 c 4 d 5 e");
        Run("ZPOPMIN z", "[a,1]", "zpopmin:z");
        Run("ZPOPMAX z 0", "[]");
        Run("ZPOPMAX z 2", "[e,5,d,4]", "zpopmax:z");
        Run("ZPOPMIN missing", "[]");
        Run("ZPOPMIN z 9", "[b,2,c,3]", "zpopmin:z", "del:z");
        Given("ZADD z 1 a 2 b 3 c");
        Run("BZPOPMIN z 0", "[z,a,1]", "zpopmin:z");
        Run("BZPOPMAX z 0", "[z,c,3]", "zpopmax:z");
        Run("ZMPOP 1 z MIN", "[z,[[b,2]]]", "zpopmin:z", "del:z");
        Given("ZADD z 1 a 2 b 3 c");
        Run("ZMPOP 2 zz z MAX COUNT 2", "[z,[[c,3],[b,2]]]", "zpopmax:z");
        Run("BZMPOP 0 1 z MIN COUNT 2", "[z,[[a,1]]]", "zpopmin:z", "del:z");
        Run("ZMPOP 1 z MIN", "nil");
    }

    [Fact]
    public void Sorted_set_stores_raise_their_event_or_del_when_the_result_is_empty_and_the_destination_existed()
    {
        Given("ZADD a 1 x 2 y");
        Given("ZADD b 1 y 2 w");
        Run("ZUNIONSTORE d 2 a b", "3", "zunionstore:d");
        Run("ZINTERSTORE d 2 a b", "1", "zinterstore:d");
        Run("ZINTERSTORE d 2 a missing", "0", "del:d");
        Run("ZINTERSTORE d 2 a missing", "0");
        Run("ZDIFFSTORE d 2 a b", "1", "zdiffstore:d");
        Run("ZDIFFSTORE d 2 a a", "0", "del:d");
        Run("ZUNIONSTORE a 1 a", "2", "zunionstore:a");
        Given("SADD s 1");
        Run("ZUNIONSTORE d 1 s", "1", "zunionstore:d");
    }

    [Fact]
    public void Zrangestore_raises_zrangestore_or_del()
    {
        Given("ZADD a 1 x 2 y");
        Run("ZRANGESTORE d a 0 -1", "2", "zrangestore:d");
        Run("ZRANGESTORE d a 5 10", "0", "del:d");
        Run("ZRANGESTORE d missing 0 -1", "0");
        Run("ZRANGESTORE d a 0 0", "1", "zrangestore:d");
        Run("ZRANGESTORE d missing 0 -1", "0", "del:d");
    }

    [Fact]
    public void Geoadd_raises_zadd_and_geo_stores_raise_geosearchstore_or_georadiusstore()
    {
        Run("GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania", "2", "zadd:g");
        Run("GEOADD g 13.361389 38.115556 Palermo", "0");
        Run("GEOADD g XX 1 1 nobody", "0");
        Run("GEOADD g2 XX 1 1 nobody", "0");
        Run("GEOADD g NX 1 1 Palermo", "0");
        Run("GEOADD g 1 1 Palermo", "0", "zadd:g");
        Run("GEOSEARCHSTORE dst g FROMLONLAT 15 37 BYRADIUS 200 km ASC", "1", "geosearchstore:dst");
        Run("GEOSEARCHSTORE dst g FROMLONLAT 15 37 BYRADIUS 200 km ASC STOREDIST", "1", "geosearchstore:dst");
        Run("GEOSEARCHSTORE dst g FROMLONLAT 0 0 BYRADIUS 1 km", "0", "del:dst");
        Run("GEOSEARCHSTORE dst g FROMLONLAT 0 0 BYRADIUS 1 km", "0");
        Run("GEORADIUS g 15 37 200 km STORE dst", "1", "georadiusstore:dst");
        Run("GEORADIUS g 15 37 200 km STOREDIST dst", "1", "georadiusstore:dst");
        Run("GEORADIUSBYMEMBER g Catania 500 km STORE dst", "1", "georadiusstore:dst");
        Run("GEORADIUS g 0 0 1 km STORE dst", "0", "del:dst");
        Run("GEOSEARCHSTORE dst missing FROMLONLAT 15 37 BYRADIUS 200 km", "0");
        Given("GEORADIUS g 15 37 200 km STORE dst");
        Run("GEOSEARCHSTORE dst missing FROMLONLAT 15 37 BYRADIUS 200 km", "0", "del:dst");
        Given("GEORADIUS g 15 37 200 km STORE dst");
        Run("GEORADIUS missing 15 37 200 km STORE dst", "0", "del:dst");
    }

    // ---- strings, bitmaps, HyperLogLog ----

    [Fact]
    public void Setbit_raises_setbit_when_the_string_is_created_grown_or_the_bit_flips()
    {
        Given("SET s abc");
        Run("SETBIT b 7 1", "0", "setbit:b");
        Run("SETBIT b 7 1", "1");
        Run("SETBIT b 7 0", "1", "setbit:b");
        Run("SETBIT b 7 0", "0");
        Run("SETBIT s 100 0", "0", "setbit:s");
        Given("SET e \"\"");
        Run("SETBIT e 0 0", "0", "setbit:e");
    }

    [Fact]
    public void Bitfield_raises_setbit_when_a_write_grew_the_string_or_changed_a_value()
    {
        Run("BITFIELD bf GET u8 0", "[0]");
        Run("BITFIELD bf SET u8 0 5", "[0]", "setbit:bf");
        Run("BITFIELD bf SET u8 0 5", "[5]");
        Run("BITFIELD bf INCRBY u8 0 0", "[5]");
        Run("BITFIELD bf OVERFLOW FAIL INCRBY u8 0 300", "[nil]");
        Run("BITFIELD bf2 OVERFLOW FAIL INCRBY u8 0 300", "[nil]"); // created (a "new" key) but nothing written
        Run("BITFIELD_RO bf GET u8 0", "[5]");
        Run("BITFIELD n1 SET u8 0 0", "[0]", "setbit:n1");
        Run("BITFIELD n1 SET u8 100 0", "[0]", "setbit:n1");
        Run("BITFIELD n1 INCRBY u8 8 1 INCRBY u8 8 -1", "[1,0]", "setbit:n1");
        Run("BITFIELD n1 OVERFLOW SAT INCRBY u8 8 300", "[255]", "setbit:n1");
        Run("BITFIELD n1 OVERFLOW SAT INCRBY u8 8 300", "[255]");
        Run("BITFIELD n1 OVERFLOW WRAP INCRBY u8 8 256", "[255]");
    }

    [Fact]
    public void Bitop_raises_set_on_the_destination_or_del_when_the_result_is_empty()
    {
        Given("SET a abc");
        Run("BITOP AND dst a missing", "3", "set:dst");
        Run("BITOP AND dst missing missing2", "0", "del:dst");
        Run("BITOP AND dst missing missing2", "0");
        Run("BITOP NOT dst2 a", "3", "set:dst2");
    }

    [Fact]
    public void Pfadd_raises_pfadd_when_the_estimate_may_change_and_pfmerge_always_raises_pfadd()
    {
        Run("PFADD h a b", "1", "pfadd:h");
        Run("PFADD h a", "0");
        Run("PFADD h", "0");
        Run("PFADD h2", "1", "pfadd:h2");
        Run("PFADD h2", "0");
        Run("PFMERGE h3 h h2", "OK", "pfadd:h3");
        Run("PFMERGE h3 h", "OK", "pfadd:h3");
        Run("PFMERGE h4", "OK", "pfadd:h4");
        Run("PFCOUNT h", "2");
    }

    [Fact]
    public void String_writes_raise_their_events()
    {
        Run("SETRANGE r 0 \"\"", "0");
        Run("SETRANGE r 2 ab", "4", "setrange:r");
        Run("SETRANGE r 0 \"\"", "4");
        Run("APPEND r \"\"", "4", "append:r");
        Run("APPEND a2 \"\"", "0", "append:a2");
        Run("INCRBYFLOAT f 1.5", "1.5", "incrbyfloat:f");
        Run("INCR i", "1", "incrby:i");
        Run("DECRBY i 3", "-2", "incrby:i");
        Run("GETSET i 3", "-2", "set:i");
        Run("SET i 4 NX", "nil");
        Run("SET i 4 XX EX 100", "OK", "set:i", "expire:i");
        Run("SETEX e 10 v", "OK", "set:e", "expire:e");
        Run("GETEX e PERSIST", "v", "persist:e");
        Run("GETEX e PERSIST", "v");
        Run("GETEX e PXAT 1", "v", "del:e");
        Run("GETDEL i", "4", "del:i");
        Run("GETDEL i", "nil");
        Run("MSETNX m1 1 m3 2", "1", "set:m1", "set:m3");
        Run("MSETNX m1 1 m4 2", "0");
    }

    // ---- generic, and the "new" class ----

    [Fact]
    public void Rename_and_copy_replace_announce_a_replaced_destination_as_new()
    {
        Flags("KEAn");
        Given("SET a 1");
        Given("SET c 1");
        Run("COPY a b", "1", "new:b", "copy_to:b");
        Run("COPY a b", "0");
        Run("COPY a b REPLACE", "1", "new:b", "copy_to:b");
        Run("RENAME a c", "OK", "new:c", "rename_from:a", "rename_to:c");
        Run("RENAME c c", "OK");
        Run("RENAMENX c b", "0");
        Run("RENAMENX c z", "1", "new:z", "rename_from:c", "rename_to:z");
    }

    [Fact]
    public void New_comes_before_the_type_event_of_the_command_that_created_the_key()
    {
        Flags("KEAn");
        Run("ZADD z 1 a", "1", "new:z", "zadd:z");
        Run("RPUSH src a", "1", "new:src", "rpush:src");
        Run("LMOVE src dst LEFT RIGHT", "a", "new:dst", "rpush:dst", "lpop:src", "del:src");
        Given("SADD s a");
        Run("SMOVE s t a", "1", "srem:s", "del:s", "new:t", "sadd:t");
        Run("SINTERSTORE u t", "1", "new:u", "sinterstore:u");
        Run("BITFIELD bf OVERFLOW FAIL INCRBY u8 0 300", "[nil]", "new:bf");
    }

    [Fact]
    public void Only_the_enabled_classes_and_channels_are_published()
    {
        Flags("Kz"); // sorted-set events, keyspace channel only
        Given("ZADD z 1 a");
        _db.Do("RPUSH", "l", "a");
        Assert.Empty(_log.Take());
        _db.Do("ZREM", "z", "a");
        Assert.Equal(Expected(["zrem:z"], keyevent: false), _log.Take()); // del is class g: off
        Flags("Egl");
        _db.Do("LMOVE", "l", "z", "LEFT", "LEFT");
        Assert.Equal(Expected(["lpush:z", "lpop:l", "del:l"], keyspace: false), _log.Take());
    }
}
