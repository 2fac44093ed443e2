using Orleans.Cache.Core.Config;

namespace Orleans.Cache.Core.Tests.Config;

/// <summary>CONFIG GET / SET over the parameter table; the error texts are redis-server's (checked against 7.0.15 with redis-cli).</summary>
public class ServerConfigTests
{
    private readonly ServerConfig _config = new();

    private string? Set(params string[] nameValues)
    {
        var pairs = new List<(string, string)>();
        for (int i = 0; i < nameValues.Length; i += 2) pairs.Add((nameValues[i], nameValues[i + 1]));
        return _config.Set(pairs).Error;
    }

    private static string Failed(string name, string why) => $"ERR CONFIG SET failed (possibly related to argument '{name}') - {why}";

    [Fact]
    public void Every_parameter_of_redis_7_2_is_known_with_its_aliases()
    {
        string[] sample =
        [
            "hash-max-listpack-entries", "hash-max-ziplist-entries", "hash-max-listpack-value", "hash-max-ziplist-value",
            "zset-max-listpack-entries", "zset-max-ziplist-entries", "zset-max-listpack-value", "zset-max-ziplist-value",
            "set-max-intset-entries", "set-max-listpack-entries", "set-max-listpack-value", "list-max-listpack-size",
            "list-max-ziplist-size", "list-compress-depth", "stream-node-max-bytes", "stream-node-max-entries", "activedefrag",
            "active-defrag-cycle-min", "lazyfree-lazy-eviction", "lazyfree-lazy-user-flush", "hz", "dynamic-hz", "latency-tracking",
            "latency-tracking-info-percentiles", "replicaof", "slaveof", "busy-reply-threshold", "lua-time-limit", "save",
            "client-output-buffer-limit", "notify-keyspace-events", "oom-score-adj-values", "locale-collate", "maxmemory-clients",
            "cluster-announce-human-nodename", "replica-priority", "slave-priority", "repl-ping-slave-period", "tls-port",
        ];
        foreach (var name in sample) Assert.NotNull(_config.Get(name));
        Assert.Null(_config.Get("foo"));
        // redis-server 7.0.15 lists 192 names for CONFIG GET *; 7.2 adds set-max-listpack-entries/-value, locale-collate
        // and cluster-announce-human-nodename.
        Assert.Equal(196, _config.Match(["*"]).Count);
    }

    [Fact]
    public void Defaults_are_those_of_a_redis_server_started_without_a_config_file()
    {
        Assert.Equal("512", _config.Get("hash-max-listpack-entries"));
        Assert.Equal("128", _config.Get("zset-max-ziplist-entries"));
        Assert.Equal("5000", _config.Get("lua-time-limit"));
        Assert.Equal("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", _config.Get("client-output-buffer-limit"));
        Assert.Equal("536870912", _config.Get("proto-max-bulk-len"));
        Assert.Equal("50 99 99.9", _config.Get("latency-tracking-info-percentiles"));
    }

    [Theory]
    [InlineData("maxmemory-samples", "0", "argument must be between 1 and 64 inclusive")]
    [InlineData("maxmemory-samples", "x", "argument couldn't be parsed into an integer")]
    [InlineData("hz", "+5", "argument couldn't be parsed into an integer")]
    [InlineData("hz", "05", "argument couldn't be parsed into an integer")]
    [InlineData("hz", " 5", "argument couldn't be parsed into an integer")]
    [InlineData("hz", "99999999999999999999", "argument couldn't be parsed into an integer")]
    [InlineData("hash-max-listpack-entries", "1k", "argument couldn't be parsed into an integer")]
    [InlineData("timeout", "-1", "argument must be between 0 and 2147483647 inclusive")]
    [InlineData("maxclients", "0", "argument must be between 1 and 4294967295 inclusive")]
    [InlineData("slowlog-log-slower-than", "-2", "argument must be between -1 and 9223372036854775807 inclusive")]
    [InlineData("proto-max-bulk-len", "100", "argument must be between 1048576 and 9223372036854775807 inclusive")]
    [InlineData("maxmemory", "1.5gb", "argument must be a memory value")]
    [InlineData("maxmemory", "-1", "argument must be a memory value")]
    [InlineData("maxmemory", "1xb", "argument must be a memory value")]
    [InlineData("hash-max-listpack-value", "-1", "argument must be a memory value")]
    [InlineData("maxmemory-clients", "101%", "percentage argument must be less or equal to 100")]
    [InlineData("maxmemory-clients", "-5%", "argument must be a memory or percent value")]
    [InlineData("activedefrag", "maybe", "argument must be 'yes' or 'no'")]
    [InlineData("maxmemory-policy", "foo", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")]
    [InlineData("loglevel", "foo", "argument(s) must be one of the following: debug, verbose, notice, warning, nothing")]
    [InlineData("shutdown-on-sigint", "foo", "argument(s) must be one of the following: default, save, nosave, now, force")]
    [InlineData("save", "1 2 3", "Invalid save parameters")]
    [InlineData("save", "x 1", "Invalid save parameters")]
    [InlineData("notify-keyspace-events", "Q", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")]
    [InlineData("oom-score-adj-values", "1 2", "wrong number of arguments")]
    [InlineData("oom-score-adj-values", "1 2 3000", "Invalid oom-score-adj-values, elements must be between -2000 and 2000.")]
    [InlineData("latency-tracking-info-percentiles", "50 200", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")]
    [InlineData("latency-tracking-info-percentiles", "x", "Invalid latency-tracking-info-percentiles parameters")]
    [InlineData("client-output-buffer-limit", "foo 1 2 3", "Invalid client class specified in buffer limit configuration.")]
    [InlineData("client-output-buffer-limit", "normal 1 2", "Wrong number of arguments in buffer limit configuration.")]
    [InlineData("client-output-buffer-limit", "normal x 2 3", "Error in hard, soft or soft_seconds setting in buffer limit configuration.")]
    [InlineData("daemonize", "yes", "can't set immutable config")]
    [InlineData("slaveof", "a b", "can't set immutable config")]
    [InlineData("dir", "/tmp", "can't set protected config")]
    public void Bad_values_answer_redis_error_texts(string name, string value, string why)
    {
        string before = _config.Get(name)!;
        Assert.Equal(Failed(name, why), Set(name, value));
        Assert.Equal(before, _config.Get(name));
    }

    [Fact]
    public void Values_are_shown_as_redis_shows_them()
    {
        Assert.Null(Set("maxmemory", "1GB", "hash-max-listpack-value", "1k", "activedefrag", "NO", "maxmemory-policy", "ALLKEYS-LRU"));
        Assert.Equal("1073741824", _config.Get("maxmemory"));
        Assert.Equal("1000", _config.Get("hash-max-ziplist-value"));
        Assert.Equal("no", _config.Get("activedefrag"));
        Assert.Equal("allkeys-lru", _config.Get("maxmemory-policy"));
        Assert.Null(Set("maxmemory-clients", "5%", "oom-score-adj", "relative", "shutdown-on-sigint", "NOW nosave", "hz", "1000"));
        Assert.Equal("5%", _config.Get("maxmemory-clients"));
        Assert.Equal("yes", _config.Get("oom-score-adj"));
        Assert.Equal("nosave now", _config.Get("shutdown-on-sigint"));
        Assert.Equal("500", _config.Get("hz"));
        Assert.Null(Set("client-output-buffer-limit", "normal 1mb 2 3", "notify-keyspace-events", "KEA", "save", "3600 1 300 100"));
        Assert.Equal("normal 1048576 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60", _config.Get("client-output-buffer-limit"));
        Assert.Equal("AKE", _config.Get("notify-keyspace-events"));
        Assert.Equal("3600 1 300 100", _config.Get("save"));
    }

    [Fact]
    public void Unknown_immutable_and_duplicate_names_are_refused_before_any_value_is_looked_at()
    {
        Assert.Equal("ERR Unknown option or number of arguments for CONFIG SET - 'foo'", Set("maxmemory", "x", "foo", "1"));
        Assert.Equal(Failed("daemonize", "can't set immutable config"), Set("maxmemory", "x", "daemonize", "no"));
        Assert.Equal(Failed("APPENDONLY", "duplicate parameter"), Set("appendonly", "yes", "APPENDONLY", "no"));
        Assert.Equal(Failed("daemonize", "can't set immutable config"), Set("daemonize", "no", "foo", "1"));
        // Redis tells a name from its alias: setting both is allowed, and the last one wins.
        Assert.Null(Set("hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2"));
        Assert.Equal("2", _config.Get("hash-max-ziplist-entries"));
    }

    [Fact]
    public void One_bad_value_changes_nothing()
    {
        Assert.Equal(Failed("maxmemory-samples", "argument must be between 1 and 64 inclusive"),
            Set("maxmemory", "1mb", "hz", "20", "maxmemory-samples", "0", "timeout", "5"));
        Assert.Equal("0", _config.Get("maxmemory"));
        Assert.Equal("10", _config.Get("hz"));
        Assert.Equal("0", _config.Get("timeout"));
        var (error, applied) = _config.Set([("maxmemory", "1mb"), ("hz", "20")]);
        Assert.Null(error);
        Assert.Equal(["maxmemory", "hz"], applied.Select(p => p.Name));
        Assert.Equal("1048576", _config.Get("maxmemory"));
    }

    [Fact]
    public void Parameters_redis_can_change_but_this_server_cannot_answer_as_immutable()
    {
        _config.FixedHere.Add("port");
        Assert.Equal(Failed("port", "can't set immutable config"), Set("port", "7000"));
        Assert.True(_config.TryInit("port", "7000", out _));
        Assert.Equal("7000", _config.Get("port"));
    }

    [Fact]
    public void Activedefrag_cannot_be_turned_on_without_an_allocator_to_defragment()
    {
        Assert.StartsWith(Failed("activedefrag", "Active defragmentation cannot be enabled"), Set("activedefrag", "yes"));
        Assert.Null(Set("activedefrag", "no"));
    }

    [Fact]
    public void Get_matches_glob_patterns_case_insensitively_and_lists_each_name_once()
    {
        var names = _config.Match(["*max-*-entries*", "HASH-MAX-*", "hash-max-listpack-entries"]).Select(p => p.Name).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
        Assert.Contains("hash-max-ziplist-entries", names);
        Assert.Contains("zset-max-listpack-entries", names);
        Assert.Contains("set-max-listpack-entries", names);
        Assert.Contains("hash-max-listpack-value", names);
        Assert.DoesNotContain("maxmemory", names);

        // A name without glob characters is looked up as given, and answered under that spelling.
        Assert.Equal([("MAXMEMORY", "0")], _config.Match(["MAXMEMORY", "maxmemory"]));
        Assert.Equal([("lua-time-limit", "5000")], _config.Match(["lua-time-limit"]));
        Assert.Empty(_config.Match(["nosuch", "nosuch*"]));
        // Hidden test knobs answer by name only.
        Assert.Empty(_config.Match(["key-load-*"]));
        Assert.Single(_config.Match(["key-load-delay"]));
    }
}
