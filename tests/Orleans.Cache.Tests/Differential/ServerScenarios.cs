namespace Orleans.Cache.Tests.Differential;

/// <summary>Server commands whose replies depend only on their arguments, as standalone redis-server answers them.</summary>
public static class ServerScenarios
{
    public static readonly Scenario[] All =
    [
        new("command_getkeys_uses_the_key_positions_routing_uses",
            "COMMAND GETKEYS ZUNIONSTORE d 2 a b", "COMMAND GETKEYS ZINTERSTORE d 1 a WEIGHTS 2", "COMMAND GETKEYS ZDIFFSTORE d 2 a b",
            "COMMAND GETKEYS ZUNION 2 a b", "COMMAND GETKEYS ZMPOP 2 a b MIN", "COMMAND GETKEYS BZMPOP 0 2 a b MAX",
            "COMMAND GETKEYS BLMPOP 0 2 a b LEFT", "COMMAND GETKEYS LMPOP 1 a LEFT", "COMMAND GETKEYS SINTERCARD 2 a b LIMIT 1",
            "COMMAND GETKEYS ZINTERCARD 2 a b", "COMMAND GETKEYS EVAL x 2 a b c", "COMMAND GETKEYS EVAL x 0", "COMMAND GETKEYS FCALL f 1 a b",
            "COMMAND GETKEYS GEORADIUS src 0 0 1 km STORE dst", "COMMAND GETKEYS GEORADIUS src 0 0 1 km STOREDIST dst",
            "COMMAND GETKEYS GEORADIUSBYMEMBER src m 1 km STORE dst", "COMMAND GETKEYS MSET a 1 b 2", "COMMAND GETKEYS LMOVE a b LEFT RIGHT",
            "COMMAND GETKEYS SET k v", "COMMAND GETKEYS ZADD z 1 m", "COMMAND GETKEYS BLPOP a b 0", "COMMAND GETKEYS SMOVE a b m"),
        new("command_getkeys_errors",
            "COMMAND GETKEYS ZUNIONSTORE d x a", "COMMAND GETKEYS ZUNIONSTORE d 5 a", "COMMAND GETKEYS ZUNIONSTORE d -1 a",
            "COMMAND GETKEYS ZUNIONSTORE d 0", "COMMAND GETKEYS BLMPOP 0 x a LEFT", "COMMAND GETKEYS GET k k", "COMMAND GETKEYS SET k",
            "COMMAND GETKEYS PING x", "COMMAND GETKEYS NOSUCH x", "COMMAND GETKEYS GET", "COMMAND GETKEYS"),
    ];
}
