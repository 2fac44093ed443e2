namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// FUNCTION LOAD/LIST/DELETE/FLUSH/STATS and FCALL/FCALL_RO as redis-server 7.0 answers them. Each scenario starts
/// with FUNCTION FLUSH: libraries are server-wide, and FUNCTION LIST shows them all.
/// </summary>
public static class FunctionScenarios
{
    private const string Counter =
        "\"#!lua name=counter\\nredis.register_function('incr_by', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)\"";

    private const string Reader =
        "\"#!lua name=reader\\n" +
        "redis.register_function{function_name='peek', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}\\n" +
        "redis.register_function{function_name='sneaky', callback=function(keys) return redis.call('SET', keys[1], 'x') end, flags={'no-writes'}}\\n" +
        "redis.register_function('writer', function(keys) return redis.call('SET', keys[1], 'w') end)\"";

    // One function only: FUNCTION LIST shows a library's functions in hash-table order, which differs between two
    // redis-server processes.
    private const string Described =
        "\"#!lua name=described\\n" +
        "redis.register_function{function_name='look', description='reads a key', callback=function(keys) return redis.call('GET', keys[1]) end, " +
        "flags={'allow-stale', 'no-writes'}}\"";

    public static readonly Scenario[] All =
    [
        new("function_load_then_fcall_runs_the_function",
            "FUNCTION FLUSH", $"FUNCTION LOAD {Counter}", "FCALL incr_by 1 @k 5", "FCALL incr_by 1 @k 2", "GET @k"),
        new("function_list_shows_libraries_functions_and_code",
            "FUNCTION FLUSH", $"FUNCTION LOAD {Counter}", $"FUNCTION LOAD {Reader}", $"FUNCTION LOAD {Described}",
            "FUNCTION LIST LIBRARYNAME counter", "FUNCTION LIST LIBRARYNAME described", "FUNCTION LIST LIBRARYNAME describ*",
            "FUNCTION LIST WITHCODE LIBRARYNAME counter", "FUNCTION LIST LIBRARYNAME nosuch",
            "FUNCTION LIST BOGUS"),
        new("function_load_of_an_existing_library_fails_unless_replace",
            "FUNCTION FLUSH", $"FUNCTION LOAD {Counter}", $"FUNCTION LOAD {Counter}", $"FUNCTION LOAD REPLACE {Counter}",
            "FCALL incr_by 1 @k 1"),
        new("fcall_ro_runs_a_no_writes_function_and_refuses_the_others",
            "FUNCTION FLUSH", $"FUNCTION LOAD {Reader}", "SET @k v", "FCALL_RO peek 1 @k", "FCALL peek 1 @k",
            "FCALL_RO writer 1 @k", "FCALL_RO sneaky 1 @k", "FCALL sneaky 1 @k", "GET @k", "FCALL writer 1 @k", "GET @k"),
        new("function_delete_and_flush_remove_functions",
            "FUNCTION FLUSH", $"FUNCTION LOAD {Counter}", "FUNCTION DELETE counter", "FCALL incr_by 1 @k 1", "FUNCTION DELETE counter",
            $"FUNCTION LOAD {Counter}", "FUNCTION FLUSH", "FCALL incr_by 1 @k 1", "FUNCTION LIST", "FUNCTION FLUSH SYNC",
            "FUNCTION FLUSH BOGUS"),
        new("function_stats_counts_libraries_and_functions",
            "FUNCTION FLUSH", $"FUNCTION LOAD {Counter}", $"FUNCTION LOAD {Reader}", "FUNCTION STATS"),
        new("function_load_errors",
            "FUNCTION FLUSH",
            "FUNCTION LOAD \"redis.register_function('f', function() return 1 end)\"",
            "FUNCTION LOAD \"#!js name=lib\\nreturn 1\"",
            "FUNCTION LOAD \"#!lua\\nredis.register_function('f', function() return 1 end)\"",
            "FUNCTION LOAD \"#!lua name=bad-name\\nredis.register_function('f', function() return 1 end)\"",
            "FUNCTION LOAD \"#!lua name=empty\\nlocal x = 1\"",
            "FUNCTION LOAD \"#!lua name=syntax\\nredis.register_function('f', function() return 1 end\"",
            "FUNCTION LOAD \"#!lua name=callsredis\\nredis.call('SET', 'x', 'y')\"",
            "FUNCTION LOAD \"#!lua name=badflag\\nredis.register_function{function_name='f', callback=function() return 1 end, flags={'bogus'}}\"",
            "FUNCTION LOAD \"#!lua name=twice\\nredis.register_function('f', function() return 1 end)\\nredis.register_function('f', function() return 2 end)\"",
            "FUNCTION LOAD", "FUNCTION LIST"),
        new("function_name_collision_across_libraries_fails",
            "FUNCTION FLUSH", $"FUNCTION LOAD {Counter}",
            "FUNCTION LOAD \"#!lua name=other\\nredis.register_function('incr_by', function() return 1 end)\"",
            "FUNCTION LIST LIBRARYNAME other"),
        new("fcall_errors",
            "FUNCTION FLUSH", "FCALL nosuch 0", $"FUNCTION LOAD {Counter}", "FCALL incr_by -1", "FCALL incr_by 2 @k",
            "FCALL incr_by abc", "FCALL incr_by", "SET @s abc", "FCALL incr_by 1 @s 1"),
        new("fcall_inside_multi_is_queued",
            "FUNCTION FLUSH", $"FUNCTION LOAD {Counter}", "MULTI", "FCALL incr_by 1 @k 1", "FCALL incr_by 1 @k 1", "EXEC"),
        new("function_returning_each_type",
            "FUNCTION FLUSH",
            "FUNCTION LOAD \"#!lua name=types\\n" +
            "redis.register_function('t_num', function() return 3.99 end)\\n" +
            "redis.register_function('t_tab', function() return {1, 'two', {3}, nil, 5} end)\\n" +
            "redis.register_function('t_bool', function() return {true, false} end)\\n" +
            "redis.register_function('t_err', function() return redis.error_reply('FAIL from function') end)\\n" +
            "redis.register_function('t_raise', function() error('raised') end)\"",
            "FCALL t_num 0", "FCALL t_tab 0", "FCALL t_bool 0", "FCALL t_err 0", "FCALL t_raise 0"),
        new("function_kill_without_a_running_function_is_an_error",
            "FUNCTION FLUSH", "FUNCTION KILL"),
    ];
}
