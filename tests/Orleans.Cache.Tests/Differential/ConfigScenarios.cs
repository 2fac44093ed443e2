namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// CONFIG GET / SET / REWRITE as redis-server 7.0.15 answers them, for a sample of every parameter type (bool, integer,
/// memory, percent, enum, flag set, save, client-output-buffer-limit, oom-score-adj-values, notify-keyspace-events,
/// latency percentiles), the name checks (unknown, immutable, protected, duplicate) and atomic multi-pair sets. Left out:
/// what 7.2 changed (maxmemory-samples' upper bound, loglevel nothing, set-max-listpack-*), parameters whose value is the
/// server's own (port, bind, dir …), and glob patterns matching several names, which redis-server lists in hash order.
/// Every scenario puts back what it changed.
/// </summary>
public static class ConfigScenarios
{
    public static readonly Scenario[] All =
    [
        new("config_get_names_aliases_and_single_match_patterns",
            "CONFIG GET maxmemory-policy", "CONFIG GET hash-max-ziplist-entries", "CONFIG GET hash-max-listpack-entries",
            "CONFIG GET lua-time-limit", "CONFIG GET slave-read-only", "CONFIG GET MAXMEMORY", "CONFIG GET nosuch", "CONFIG GET nosuch*",
            "CONFIG GET maxmemory-polic?", "CONFIG GET *compress-depth*", "CONFIG GET zset-max-ziplist-valu[a-z]", "CONFIG GET APPENDFSYN*",
            "CONFIG GET client-output-buffer-limit", "CONFIG GET oom-score-adj-values", "CONFIG GET latency-tracking-info-percentiles",
            "CONFIG GET notify-keyspace-events", "CONFIG GET save", "CONFIG GET databases", "CONFIG GET busy-reply-threshold",
            "CONFIG GET proto-max-bulk-len", "CONFIG GET maxmemory-clients", "CONFIG GET list-max-ziplist-size", "CONFIG GET",
            "CONFIG GET key-load-*"),
        new("config_set_errors",
            "CONFIG SET hz x", "CONFIG SET hz +5", "CONFIG SET hz 05", "CONFIG SET hz ' 5'", "CONFIG SET hz 99999999999999999999",
            "CONFIG SET active-expire-effort 11", "CONFIG SET timeout -1", "CONFIG SET maxclients 0", "CONFIG SET tcp-keepalive 1.0",
            "CONFIG SET slowlog-log-slower-than -2", "CONFIG SET hash-max-listpack-entries 1k", "CONFIG SET tracking-table-max-keys -1",
            "CONFIG SET maxmemory 1.5gb", "CONFIG SET maxmemory -1", "CONFIG SET maxmemory 1xb", "CONFIG SET maxmemory ' 1'",
            "CONFIG SET proto-max-bulk-len 100", "CONFIG SET hash-max-listpack-value -1", "CONFIG SET repl-backlog-size 0",
            "CONFIG SET maxmemory-clients 101%", "CONFIG SET maxmemory-clients -5%", "CONFIG SET maxmemory-clients 1x%",
            "CONFIG SET appendonly maybe", "CONFIG SET lazyfree-lazy-eviction 1", "CONFIG SET maxmemory-policy foo",
            "CONFIG SET appendfsync foo", "CONFIG SET repl-diskless-load foo", "CONFIG SET oom-score-adj foo",
            "CONFIG SET shutdown-on-sigint foo", "CONFIG SET acl-pubsub-default foo", "CONFIG SET save '1 2 3'", "CONFIG SET save 'x 1'",
            "CONFIG SET save '-1 2'", "CONFIG SET save '  '", "CONFIG SET notify-keyspace-events Q",
            "CONFIG SET oom-score-adj-values '1 2'", "CONFIG SET oom-score-adj-values '1 2 x'", "CONFIG SET oom-score-adj-values '1 2 3000'",
            "CONFIG SET latency-tracking-info-percentiles '50 200'", "CONFIG SET latency-tracking-info-percentiles x",
            "CONFIG SET client-output-buffer-limit 'foo 1 2 3'", "CONFIG SET client-output-buffer-limit 'normal 1 2'",
            "CONFIG SET client-output-buffer-limit 'normal x 2 3'", "CONFIG SET cluster-announce-hostname a_b",
            "CONFIG SET daemonize yes", "CONFIG SET slaveof 'a b'", "CONFIG SET replicaof ''", "CONFIG SET unixsocketperm 9",
            "CONFIG SET databases 2", "CONFIG SET dir /tmp", "CONFIG SET dbfilename x.rdb", "CONFIG SET foo bar", "CONFIG SET hz",
            "CONFIG SET", "CONFIG SET hz 1 hz 2", "CONFIG SET appendonly yes APPENDONLY no", "CONFIG SET maxmemory 1 foo 1",
            "CONFIG SET maxmemory x daemonize no", "CONFIG SET daemonize no foo 1", "CONFIG GET hz", "CONFIG GET appendonly",
            "CONFIG REWRITE", "CONFIG REWRITE x"),
        new("config_set_shows_values_as_redis_does_and_is_atomic",
            "CONFIG SET maxmemory-policy allkeys-lru hz 20 active-expire-effort 11", "CONFIG GET maxmemory-policy", "CONFIG GET hz",
            "CONFIG SET maxmemory-policy ALLKEYS-LRU hz 20 maxmemory 1GB", "CONFIG GET maxmemory-policy", "CONFIG GET hz",
            "CONFIG GET maxmemory", "CONFIG SET hash-max-ziplist-value 1k lua-time-limit 3 busy-reply-threshold 4000",
            "CONFIG GET hash-max-listpack-value", "CONFIG GET lua-time-limit", "CONFIG SET hz 1000", "CONFIG GET hz", "CONFIG SET hz 0",
            "CONFIG GET hz", "CONFIG SET save '3600 1 300 100'", "CONFIG GET save", "CONFIG SET client-output-buffer-limit 'normal 1mb 2 3'",
            "CONFIG GET client-output-buffer-limit", "CONFIG SET oom-score-adj relative", "CONFIG GET oom-score-adj",
            "CONFIG SET shutdown-on-sigint 'NOW nosave'", "CONFIG GET shutdown-on-sigint", "CONFIG SET latency-tracking-info-percentiles '1e1 50'",
            "CONFIG GET latency-tracking-info-percentiles", "CONFIG SET latency-tracking-info-percentiles ''",
            "CONFIG GET latency-tracking-info-percentiles", "CONFIG SET replica-announce-ip 1.2.3.4", "CONFIG GET slave-announce-ip",
            "CONFIG SET maxmemory-clients 5%", "CONFIG GET maxmemory-clients", "CONFIG SET activedefrag no lazyfree-lazy-expire YES",
            "CONFIG GET lazyfree-lazy-expire", "CONFIG SET list-max-ziplist-size -6", "CONFIG GET list-max-listpack-size",
            "CONFIG SET maxmemory-policy noeviction hz 10 maxmemory 0 hash-max-listpack-value 64 busy-reply-threshold 5000 save ''",
            "CONFIG SET client-output-buffer-limit 'normal 0 0 0' oom-score-adj no shutdown-on-sigint default",
            "CONFIG SET latency-tracking-info-percentiles '50 99 99.9' replica-announce-ip '' maxmemory-clients 0",
            "CONFIG SET lazyfree-lazy-expire no list-max-listpack-size -2", "CONFIG GET maxmemory-policy", "CONFIG GET client-output-buffer-limit"),
    ];
}
