namespace Orleans.Cache.Core.Config;

/// <summary>
/// Every parameter of Redis 7.2's redis.conf, one row each (aliases on their row), with Redis's types, ranges, defaults
/// and mutability. The values stored here change nothing in Orleans.Cache unless the endpoint or the partitions honour
/// them (README, "CONFIG"); they are still checked as Redis checks them, so scripts that tune them see Redis's answers.
/// Defaults are config.c's (a redis-server started without a redis.conf), not the sample redis.conf's.
/// </summary>
internal static class ConfigTable
{
    private const long IntMax = int.MaxValue;
    private const ulong UIntMax = uint.MaxValue;
    private const ulong LongMax = long.MaxValue;
    private const ulong ULongMax = ulong.MaxValue;

    private static ConfigParam Bool(string name, bool value, ConfigFlags flags = ConfigFlags.None, string? alias = null, Func<string, string?>? check = null) =>
        new() { Name = name, Alias = alias, Kind = ConfigKind.Bool, Default = value ? "yes" : "no", Flags = flags, Check = check };

    private static ConfigParam Int(string name, long min, ulong max, long value, ConfigFlags flags = ConfigFlags.None, string? alias = null) =>
        new() { Name = name, Alias = alias, Kind = ConfigKind.Integer, Min = min, Max = max, Default = value.ToString(System.Globalization.CultureInfo.InvariantCulture), Flags = flags };

    private static ConfigParam Memory(string name, long min, ulong max, long value, ConfigFlags flags = ConfigFlags.None, string? alias = null) =>
        new() { Name = name, Alias = alias, Kind = ConfigKind.Memory, Min = min, Max = max, Default = value.ToString(System.Globalization.CultureInfo.InvariantCulture), Flags = flags };

    private static ConfigParam String(string name, string value = "", ConfigFlags flags = ConfigFlags.None, string? alias = null, Func<string, string?>? check = null) =>
        new() { Name = name, Alias = alias, Kind = ConfigKind.String, Default = value, Flags = flags, Check = check };

    private static ConfigParam Enum(string name, string value, string[] words, ConfigFlags flags = ConfigFlags.None) =>
        new() { Name = name, Kind = ConfigKind.Enum, Default = value, Flags = flags, Choices = words.Select((w, i) => (w, i)).ToArray() };

    private static ConfigParam Enum(string name, string value, (string, int)[] choices, ConfigFlags flags = ConfigFlags.None) =>
        new() { Name = name, Kind = ConfigKind.Enum, Default = value, Flags = flags, Choices = choices };

    private static ConfigParam Special(string name, string value, Func<string, string, (string?, string?)> parse, ConfigFlags flags = ConfigFlags.None, string? alias = null) =>
        new() { Name = name, Alias = alias, Kind = ConfigKind.Special, Default = value, Flags = flags, Parse = parse };

    private static readonly string[] YesNo = ["no", "yes"];
    private static readonly string[] ProtectedAction = ["no", "yes", "local"];
    private static readonly (string, int)[] ShutdownFlags = [("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8)];
    private const ConfigFlags Immutable = ConfigFlags.Immutable;
    private const ConfigFlags Hidden = ConfigFlags.Hidden;

    /// <summary>Every parameter, in config.c's order (bools, strings, enums, numbers, specials).</summary>
    public static readonly ConfigParam[] All =
    [
        Bool("rdbchecksum", true, Immutable),
        Bool("daemonize", false, Immutable),
        Bool("io-threads-do-reads", false, Immutable),
        Bool("always-show-logo", false, Immutable),
        Bool("protected-mode", true),
        Bool("rdbcompression", true),
        Bool("rdb-del-sync-files", false),
        Bool("activerehashing", true),
        Bool("stop-writes-on-bgsave-error", true),
        Bool("set-proc-title", true, Immutable),
        Bool("dynamic-hz", true),
        Bool("lazyfree-lazy-eviction", false),
        Bool("lazyfree-lazy-expire", false),
        Bool("lazyfree-lazy-server-del", false),
        Bool("lazyfree-lazy-user-del", false),
        Bool("lazyfree-lazy-user-flush", false),
        Bool("repl-disable-tcp-nodelay", false),
        Bool("repl-diskless-sync", true),
        Bool("aof-rewrite-incremental-fsync", true),
        Bool("no-appendfsync-on-rewrite", false),
        Bool("cluster-require-full-coverage", true),
        Bool("rdb-save-incremental-fsync", true),
        Bool("aof-load-truncated", true),
        Bool("aof-use-rdb-preamble", true),
        Bool("aof-timestamp-enabled", false),
        Bool("cluster-replica-no-failover", false, alias: "cluster-slave-no-failover"),
        Bool("replica-lazy-flush", false, alias: "slave-lazy-flush"),
        Bool("replica-serve-stale-data", true, alias: "slave-serve-stale-data"),
        Bool("replica-read-only", true, alias: "slave-read-only"),
        Bool("replica-ignore-maxmemory", true, alias: "slave-ignore-maxmemory"),
        Bool("jemalloc-bg-thread", true),
        Bool("activedefrag", false, check: SpecialConfigs.ActiveDefrag),
        Bool("syslog-enabled", false, Immutable),
        Bool("cluster-enabled", false, Immutable),
        Bool("appendonly", false),
        Bool("cluster-allow-reads-when-down", false),
        Bool("cluster-allow-pubsubshard-when-down", true),
        Bool("crash-log-enabled", true),
        Bool("crash-memcheck-enabled", true),
        Bool("use-exit-on-panic", false, Hidden),
        Bool("disable-thp", true),
        Bool("cluster-allow-replica-migration", true),
        Bool("replica-announced", true),
        Bool("latency-tracking", true),
        Bool("aof-disable-auto-gc", false),
        Bool("replica-ignore-disk-write-errors", false),

        String("aclfile", flags: Immutable),
        String("unixsocket", flags: Immutable),
        String("pidfile", flags: Immutable),
        String("replica-announce-ip", alias: "slave-announce-ip"),
        String("masteruser"),
        String("cluster-announce-ip"),
        String("cluster-config-file", "nodes.conf", Immutable),
        String("cluster-announce-hostname", check: SpecialConfigs.Hostname),
        String("cluster-announce-human-nodename"),
        String("syslog-ident", "redis", Immutable),
        String("dbfilename", "dump.rdb", ConfigFlags.Protected),
        String("appendfilename", "appendonly.aof", Immutable),
        String("appenddirname", "appendonlydir", Immutable),
        String("server_cpulist", flags: Immutable),
        String("bio_cpulist", flags: Immutable),
        String("aof_rewrite_cpulist", flags: Immutable),
        String("bgsave_cpulist", flags: Immutable),
        String("ignore-warnings"),
        String("proc-title-template", "{title} {listen-addr} {server-mode}"),
        String("bind-source-addr"),
        String("logfile", flags: Immutable),
        String("locale-collate"),
        String("masterauth"),
        String("requirepass"),
        String("dir", "", ConfigFlags.Protected),
        String("tls-cert-file"), String("tls-key-file"), String("tls-key-file-pass"), String("tls-client-cert-file"),
        String("tls-client-key-file"), String("tls-client-key-file-pass"), String("tls-dh-params-file"), String("tls-ca-cert-file"),
        String("tls-ca-cert-dir"), String("tls-protocols"), String("tls-ciphers"), String("tls-ciphersuites"),

        Enum("supervised", "no", ["upstart", "systemd", "auto", "no"], Immutable),
        Enum("syslog-facility", "local0", ["user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"], Immutable),
        Enum("repl-diskless-load", "disabled", ["disabled", "on-empty-db", "swapdb"]),
        Enum("loglevel", "notice", ["debug", "verbose", "notice", "warning", "nothing"]),
        Enum("maxmemory-policy", "noeviction",
            ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"]),
        Enum("appendfsync", "everysec", ["everysec", "always", "no"]),
        Enum("oom-score-adj", "no", [("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)]),
        Enum("acl-pubsub-default", "resetchannels", ["allchannels", "resetchannels"]),
        Enum("sanitize-dump-payload", "no", ["no", "yes", "clients"]),
        Enum("enable-protected-configs", "no", ProtectedAction, Immutable),
        Enum("enable-debug-command", "no", ProtectedAction, Immutable),
        Enum("enable-module-command", "no", ProtectedAction, Immutable),
        Enum("cluster-preferred-endpoint-type", "ip", ["ip", "hostname", "unknown-endpoint"]),
        Enum("propagation-error-behavior", "ignore", ["ignore", "panic", "panic-on-replicas"]),
        Enum("shutdown-on-sigint", "default", ShutdownFlags, ConfigFlags.FlagSet),
        Enum("shutdown-on-sigterm", "default", ShutdownFlags, ConfigFlags.FlagSet),
        Enum("tls-auth-clients", "yes", ["no", "yes", "optional"]),

        Int("databases", 1, IntMax, 16, Immutable),
        Int("port", 0, 65535, 6379),
        Int("io-threads", 1, 128, 1, Immutable),
        Int("auto-aof-rewrite-percentage", 0, IntMax, 100),
        Int("cluster-replica-validity-factor", 0, IntMax, 10, alias: "cluster-slave-validity-factor"),
        Int("list-max-listpack-size", int.MinValue, IntMax, -2, alias: "list-max-ziplist-size"),
        Int("tcp-keepalive", 0, IntMax, 300),
        Int("cluster-migration-barrier", 0, IntMax, 1),
        Int("active-defrag-cycle-min", 1, 99, 1),
        Int("active-defrag-cycle-max", 1, 99, 25),
        Int("active-defrag-threshold-lower", 0, 1000, 10),
        Int("active-defrag-threshold-upper", 0, 1000, 100),
        Int("lfu-log-factor", 0, IntMax, 10),
        Int("lfu-decay-time", 0, IntMax, 1),
        Int("replica-priority", 0, IntMax, 100, alias: "slave-priority"),
        Int("repl-diskless-sync-delay", 0, IntMax, 5),
        Int("maxmemory-samples", 1, 64, 5),
        Int("maxmemory-eviction-tenacity", 0, 100, 10),
        Int("timeout", 0, IntMax, 0),
        Int("replica-announce-port", 0, 65535, 0, alias: "slave-announce-port"),
        Int("tcp-backlog", 0, IntMax, 511, Immutable),
        Int("cluster-port", 0, 65535, 0, Immutable),
        Int("cluster-announce-bus-port", 0, 65535, 0),
        Int("cluster-announce-port", 0, 65535, 0),
        Int("cluster-announce-tls-port", 0, 65535, 0),
        Int("repl-timeout", 1, IntMax, 60),
        Int("repl-ping-replica-period", 1, IntMax, 10, alias: "repl-ping-slave-period"),
        Int("list-compress-depth", 0, IntMax, 0),
        Int("rdb-key-save-delay", int.MinValue, IntMax, 0, Hidden),
        Int("key-load-delay", int.MinValue, IntMax, 0, Hidden),
        Int("active-expire-effort", 1, 10, 1),
        Int("hz", 0, IntMax, 10),
        Int("min-replicas-to-write", 0, IntMax, 0, alias: "min-slaves-to-write"),
        Int("min-replicas-max-lag", 0, IntMax, 10, alias: "min-slaves-max-lag"),
        Int("watchdog-period", 0, IntMax, 0, Hidden),
        Int("shutdown-timeout", 0, IntMax, 10),
        Int("repl-diskless-sync-max-replicas", 0, IntMax, 0),
        Int("maxclients", 1, UIntMax, 10000),
        new() { Name = "unixsocketperm", Kind = ConfigKind.Integer, Min = 0, Max = 511, Default = "0", Flags = Immutable | ConfigFlags.Octal },
        Int("socket-mark-id", 0, UIntMax, 0, Immutable),
        Int("active-defrag-max-scan-fields", 1, LongMax, 1000),
        Int("slowlog-max-len", 0, LongMax, 128),
        Int("acllog-max-len", 0, LongMax, 128),
        Int("busy-reply-threshold", 0, LongMax, 5000, alias: "lua-time-limit"),
        Int("cluster-node-timeout", 0, LongMax, 15000),
        Int("slowlog-log-slower-than", -1, LongMax, 10000),
        Int("latency-monitor-threshold", 0, LongMax, 0),
        Memory("proto-max-bulk-len", 1024 * 1024, LongMax, 512L * 1024 * 1024),
        Int("stream-node-max-entries", 0, LongMax, 100),
        Memory("repl-backlog-size", 1, LongMax, 1024 * 1024),
        Memory("maxmemory", 0, ULongMax, 0),
        Memory("cluster-link-sendbuf-limit", 0, ULongMax, 0),
        Int("hash-max-listpack-entries", 0, LongMax, 512, alias: "hash-max-ziplist-entries"),
        Int("set-max-intset-entries", 0, LongMax, 512),
        Int("set-max-listpack-entries", 0, LongMax, 128),
        Int("set-max-listpack-value", 0, LongMax, 64),
        Int("zset-max-listpack-entries", 0, LongMax, 128, alias: "zset-max-ziplist-entries"),
        Memory("active-defrag-ignore-bytes", 1, LongMax, 100L << 20),
        Memory("hash-max-listpack-value", 0, LongMax, 64, alias: "hash-max-ziplist-value"),
        Memory("stream-node-max-bytes", 0, LongMax, 4096),
        Memory("zset-max-listpack-value", 0, LongMax, 64, alias: "zset-max-ziplist-value"),
        Memory("hll-sparse-max-bytes", 0, LongMax, 3000),
        Int("tracking-table-max-keys", 0, LongMax, 1000000),
        Memory("client-query-buffer-limit", 1024 * 1024, LongMax, 1024 * 1024 * 1024),
        Memory("maxmemory-clients", -100, LongMax, 0, ConfigFlags.Percent),
        Int("repl-backlog-ttl", 0, LongMax, 3600),
        Memory("auto-aof-rewrite-min-size", 0, LongMax, 64 * 1024 * 1024),
        Int("loading-process-events-interval-bytes", 1024, IntMax, 2 * 1024 * 1024, Hidden),
        Int("tls-port", 0, 65535, 0),
        Int("tls-session-cache-size", 0, IntMax, 20 * 1024),
        Int("tls-session-cache-timeout", 0, IntMax, 300),
        Bool("tls-cluster", false),
        Bool("tls-replication", false),
        Bool("tls-prefer-server-ciphers", false),
        Bool("tls-session-caching", true),

        Special("save", "3600 1 300 100 60 10000", (v, _) => SpecialConfigs.Save(v)),
        Special("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", SpecialConfigs.OutputBufferLimit),
        Special("oom-score-adj-values", "0 200 800", (v, _) => SpecialConfigs.OomScoreAdjValues(v)),
        Special("notify-keyspace-events", "", (v, _) => SpecialConfigs.NotifyKeyspaceEvents(v)),
        Special("bind", "* -::*", (v, _) => (v, null)),
        Special("replicaof", "", (v, _) => (v, null), Immutable, alias: "slaveof"),
        Special("latency-tracking-info-percentiles", "50 99 99.9", (v, _) => SpecialConfigs.LatencyPercentiles(v)),
    ];

    private static readonly Dictionary<string, (ConfigParam Param, bool IsAlias)> ByName = Index();

    private static Dictionary<string, (ConfigParam, bool)> Index()
    {
        var byName = new Dictionary<string, (ConfigParam, bool)>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in All)
        {
            byName.Add(p.Name, (p, false));
            if (p.Alias is { } alias) byName.Add(alias, (p, true));
        }
        return byName;
    }

    /// <summary>The parameter a name or alias (any case) names, or null.</summary>
    public static ConfigParam? Find(string name) => ByName.TryGetValue(name, out var e) ? e.Param : null;

    /// <summary>Every name CONFIG GET may list: each parameter's name, then its alias, except hidden ones.</summary>
    public static IEnumerable<(string Name, ConfigParam Param)> ListedNames()
    {
        foreach (var p in All)
        {
            if (p.IsHidden) continue;
            yield return (p.Name, p);
            if (p.Alias is { } alias) yield return (alias, p);
        }
    }
}
