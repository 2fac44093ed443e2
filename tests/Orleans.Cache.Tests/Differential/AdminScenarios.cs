namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// The server commands of issue #11 whose replies depend only on their arguments (SWAPDB, MOVE, ROLE, LOLWUT, OBJECT HELP,
/// OBJECT ENCODING of hashes across hash-max-listpack-*,
/// MEMORY's and SHUTDOWN's errors, DEBUG refused by default, COMMAND DOCS), as redis-server 7.0.15 with one database answers.
/// COMMAND DOCS of a container (MEMORY, CLIENT …) is left out: redis-server lists its subcommands in hash-table order, which
/// differs from one redis-server process to the next.
/// </summary>
public static class AdminScenarios
{
    public static readonly Scenario[] All =
    [
        new("swapdb_and_move_with_one_database",
            "SWAPDB 0 0", "SWAPDB 0 1", "SWAPDB 1 1", "SWAPDB x 1", "SWAPDB 0 x", "SWAPDB 1 x", "SWAPDB -1 0", "SWAPDB 0 -1",
            "SWAPDB 99999999999 0", "SWAPDB 0", "SET @k v", "MOVE @k 0", "MOVE @k 1", "MOVE @k -1", "MOVE @k x", "MOVE @k 00",
            "MOVE @k 99999999999", "MOVE @k 99999999999999999999999", "MOVE @missing 0", "MOVE @missing 1", "GET @k", "MOVE @k"),
        // ROLE differs by design: the silos' partitions have replicas (ReplicationTests), the reference has none.
        new Scenario("lolwut",
            "LOLWUT", "LOLWUT VERSION 1", "LOLWUT VERSION -1", "LOLWUT VERSION", "LOLWUT foo", "LOLWUT VERSION x",
            "LOLWUT VERSION 5 x", "LOLWUT VERSION 6 1 x")
            // The version line names the server's version: 7.0.15 for the reference, 7.2.0 for Orleans.Cache.
            .Normalize(@"^([$=])\d+\\r\\n(txt:)?Redis ver\. [0-9.]+", "${1}N\\r\\n${2}Redis ver. V"),
        new("object_help", "OBJECT HELP"),
        // A hash is a listpack until a write passes hash-max-listpack-*, then a hashtable for good (HDEL does not go back).
        new("object_encoding_of_hashes_follows_the_thresholds",
            "HSET @h a 1 b 2", "OBJECT ENCODING @h", "HSET @v a xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "OBJECT ENCODING @v", "HSET @v b xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "OBJECT ENCODING @v",
            "HINCRBY @f xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 1", "OBJECT ENCODING @f", "HSET @n a 1", "HSETNX @n a xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "OBJECT ENCODING @n",
            "CONFIG SET hash-max-listpack-entries 2", "HSET @d a 1 a 2 a 3", "OBJECT ENCODING @d", "HSET @h c 3", "OBJECT ENCODING @h",
            "HDEL @h b c", "OBJECT ENCODING @h", "HLEN @h", "HSET @e a 1 b 2", "CONFIG SET hash-max-listpack-entries 1",
            "HGET @e a", "OBJECT ENCODING @e", "HSET @e a 5", "OBJECT ENCODING @e", "COPY @v @c", "OBJECT ENCODING @c",
            "HSCAN @d 7", "CONFIG SET hash-max-listpack-entries 128"),
        new("memory_subcommand_errors",
            "MEMORY HELP", "MEMORY help", "MEMORY FOO", "MEMORY", "MEMORY USAGE", "MEMORY USAGE @missing", "MEMORY USAGE @k a",
            "MEMORY USAGE @k SAMPLES", "MEMORY USAGE @k SAMPLES x", "MEMORY USAGE @k SAMPLES -1", "MEMORY USAGE @k FOO 1",
            "MEMORY USAGE @k SAMPLES 1 FOO", "MEMORY USAGE @missing SAMPLES 0", "MEMORY STATS x", "MEMORY DOCTOR x",
            "MEMORY PURGE x", "MEMORY HELP x", "MEMORY MALLOC-STATS x", "MEMORY PURGE"),
        new("memory_doctor_on_an_empty_instance", "FLUSHALL", "MEMORY DOCTOR"),
        new("debug_is_refused_unless_enabled",
            "DEBUG HELP", "DEBUG SLEEP 0", "DEBUG OBJECT @k", "DEBUG SET-ACTIVE-EXPIRE 1", "DEBUG JMAP", "DEBUG"),
        new("shutdown_argument_errors",
            "SHUTDOWN ABORT", "SHUTDOWN abort", "SHUTDOWN FOO", "SHUTDOWN SAVE NOSAVE", "SHUTDOWN NOSAVE SAVE", "SHUTDOWN ABORT NOW",
            "SHUTDOWN ABORT FORCE", "SHUTDOWN NOW ABORT", "SHUTDOWN SAVE ABORT", "SHUTDOWN ABORT ABORT", "SHUTDOWN NOSAVE x",
            "MULTI", "SET @k v", "SHUTDOWN NOSAVE", "EXEC", "GET @k"),
        new("slowlog_and_latency_argument_errors",
            "SLOWLOG", "SLOWLOG FOO", "SLOWLOG GET x", "SLOWLOG GET -2", "SLOWLOG GET 1 2", "SLOWLOG LEN x", "SLOWLOG RESET x",
            "SLOWLOG HELP", "SLOWLOG help x", "LATENCY", "LATENCY FOO", "LATENCY HISTORY", "LATENCY HISTORY a b", "LATENCY LATEST x",
            "LATENCY DOCTOR x", "LATENCY GRAPH nosuch", "LATENCY GRAPH", "LATENCY HELP", "LATENCY HELP x"),
        new("latency_with_the_monitor_off",
            "LATENCY RESET", "LATENCY LATEST", "LATENCY HISTORY command", "LATENCY DOCTOR", "LATENCY HISTOGRAM nosuch"),
        new("command_docs_as_redis_documents_them",
            "COMMAND DOCS GET", "COMMAND DOCS SET GEORADIUS ZADD", "COMMAND DOCS client|list memory|usage object|help",
            "COMMAND DOCS config|get nosuch|sub", "COMMAND DOCS nosuch", "COMMAND DOCS SHUTDOWN LOLWUT SWAPDB MOVE ROLE DEBUG",
            "COMMAND DOCS BITFIELD XYZ LMPOP EVAL"),
    ];
}
