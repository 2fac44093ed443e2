using System.Collections.Frozen;
using static Orleans.Cache.Core.CommandFlags;

namespace Orleans.Cache.Core;

/// <summary>
/// The one command table (Redis's commands.def): name, arity, flags, key positions, group, routing and the
/// Core handler. The RESP endpoint uses it for lookup, arity errors, COMMAND and routing; partitions use it
/// to run commands. A new command is one row here plus its handler.
/// </summary>
public static class CommandTable
{
    private const CommandFlags W = Write | DenyOom;
    private const CommandFlags R = ReadOnly;

    private static CommandInfo C(string name, int arity, CommandFlags flags, int first, int last, int step, string group,
        CommandHandler? handler, Routing routing = Routing.Slot, Merge merge = Merge.None) =>
        new(name, arity, flags, first, last, step, group, first == 0 && routing == Routing.Slot ? Routing.Server : routing, handler, merge);

    /// <summary>Every command, in table order.</summary>
    public static IReadOnlyList<CommandInfo> All { get; } =
    [
        // ---- strings ----
        C("GET", 2, R | Fast, 1, 1, 1, "string", StringCommands.Get),
        C("SET", -3, W, 1, 1, 1, "string", StringCommands.Set),
        C("SETNX", 3, W | Fast, 1, 1, 1, "string", StringCommands.SetNx),
        C("SETEX", 4, W, 1, 1, 1, "string", StringCommands.SetEx),
        C("PSETEX", 4, W, 1, 1, 1, "string", StringCommands.PSetEx),
        C("GETSET", 3, W | Fast, 1, 1, 1, "string", StringCommands.GetSet),
        C("GETDEL", 2, Write | Fast, 1, 1, 1, "string", StringCommands.GetDel),
        C("GETEX", -2, Write | Fast, 1, 1, 1, "string", StringCommands.GetEx),
        C("MGET", -2, R | Fast, 1, -1, 1, "string", StringCommands.MGet, Routing.EachKey, Merge.Concat),
        C("MSET", -3, W, 1, -1, 2, "string", StringCommands.MSet, Routing.EachKey, Merge.Ok),
        C("MSETNX", -3, W, 1, -1, 2, "string", StringCommands.MSetNx),
        C("INCR", 2, W | Fast, 1, 1, 1, "string", StringCommands.Incr),
        C("DECR", 2, W | Fast, 1, 1, 1, "string", StringCommands.Decr),
        C("INCRBY", 3, W | Fast, 1, 1, 1, "string", StringCommands.IncrBy),
        C("DECRBY", 3, W | Fast, 1, 1, 1, "string", StringCommands.DecrBy),
        C("INCRBYFLOAT", 3, W | Fast, 1, 1, 1, "string", StringCommands.IncrByFloat),
        C("APPEND", 3, W | Fast, 1, 1, 1, "string", StringCommands.Append),
        C("STRLEN", 2, R | Fast, 1, 1, 1, "string", StringCommands.StrLen),
        C("GETRANGE", 4, R, 1, 1, 1, "string", StringCommands.GetRange),
        C("SUBSTR", 4, R, 1, 1, 1, "string", StringCommands.GetRange),
        C("SETRANGE", 4, W, 1, 1, 1, "string", StringCommands.SetRange),

        // ---- generic (keys) ----
        C("DEL", -2, Write, 1, -1, 1, "generic", KeyCommands.Del, Routing.EachKey, Merge.Sum),
        C("UNLINK", -2, Write | Fast, 1, -1, 1, "generic", KeyCommands.Del, Routing.EachKey, Merge.Sum),
        C("EXISTS", -2, R | Fast, 1, -1, 1, "generic", KeyCommands.Exists, Routing.EachKey, Merge.Sum),
        C("TOUCH", -2, R | Fast, 1, -1, 1, "generic", KeyCommands.Exists, Routing.EachKey, Merge.Sum),
        C("TYPE", 2, R | Fast, 1, 1, 1, "generic", KeyCommands.Type),
        C("EXPIRE", -3, Write | Fast, 1, 1, 1, "generic", KeyCommands.Expire),
        C("PEXPIRE", -3, Write | Fast, 1, 1, 1, "generic", KeyCommands.PExpire),
        C("EXPIREAT", -3, Write | Fast, 1, 1, 1, "generic", KeyCommands.ExpireAt),
        C("PEXPIREAT", -3, Write | Fast, 1, 1, 1, "generic", KeyCommands.PExpireAt),
        C("TTL", 2, R | Fast, 1, 1, 1, "generic", KeyCommands.Ttl),
        C("PTTL", 2, R | Fast, 1, 1, 1, "generic", KeyCommands.PTtl),
        C("EXPIRETIME", 2, R | Fast, 1, 1, 1, "generic", KeyCommands.ExpireTime),
        C("PEXPIRETIME", 2, R | Fast, 1, 1, 1, "generic", KeyCommands.PExpireTime),
        C("PERSIST", 2, Write | Fast, 1, 1, 1, "generic", KeyCommands.Persist),
        C("RENAME", 3, Write, 1, 2, 1, "generic", KeyCommands.Rename),
        C("RENAMENX", 3, Write | Fast, 1, 2, 1, "generic", KeyCommands.RenameNx),
        C("COPY", -3, W, 1, 2, 1, "generic", KeyCommands.Copy),
        C("KEYS", 2, R, 0, 0, 0, "generic", KeyCommands.Keys, Routing.AllPartitions, Merge.Concat),
        C("SCAN", -2, R, 0, 0, 0, "generic", KeyCommands.Scan, Routing.AllPartitions),
        C("RANDOMKEY", 1, R, 0, 0, 0, "generic", KeyCommands.RandomKey, Routing.AllPartitions),
        C("DBSIZE", 1, R | Fast, 0, 0, 0, "server", KeyCommands.DbSize, Routing.AllPartitions, Merge.Sum),
        C("FLUSHDB", -1, Write, 0, 0, 0, "server", KeyCommands.FlushDb, Routing.AllPartitions, Merge.Ok),
        C("FLUSHALL", -1, Write, 0, 0, 0, "server", KeyCommands.FlushDb, Routing.AllPartitions, Merge.Ok),

        // ---- connection and server: answered by the front door (Routing.Server, no handler) ----
        C("PING", -1, Fast | Stale, 0, 0, 0, "connection", null),
        C("ECHO", 2, Fast | Stale, 0, 0, 0, "connection", null),
        C("QUIT", -1, NoAuth | Fast | Loading | Stale | AllowBusy, 0, 0, 0, "connection", null),
        C("RESET", 1, NoAuth | Fast | Loading | Stale | NoScript, 0, 0, 0, "connection", null),
        C("SELECT", 2, Fast | Loading | Stale, 0, 0, 0, "connection", null),
        C("AUTH", -2, NoAuth | NoScript | Loading | Stale | Fast | AllowBusy, 0, 0, 0, "connection", null),
        C("HELLO", -1, NoAuth | NoScript | Loading | Stale | Fast | AllowBusy, 0, 0, 0, "connection", null),
        C("CLIENT", -2, NoScript | Loading | Stale, 0, 0, 0, "connection", null),
        C("COMMAND", -1, Loading | Stale, 0, 0, 0, "server", null),
        C("CONFIG", -2, Admin | NoScript | Loading | Stale, 0, 0, 0, "server", null),
        C("INFO", -1, Loading | Stale, 0, 0, 0, "server", null),
        C("TIME", 1, Loading | Stale | Fast, 0, 0, 0, "server", null),
        C("CLUSTER", -2, Stale, 0, 0, 0, "cluster", null),
        C("READONLY", 1, Fast | Loading | Stale, 0, 0, 0, "cluster", null),
        C("READWRITE", 1, Fast | Loading | Stale, 0, 0, 0, "cluster", null),
    ];

    private static readonly FrozenDictionary<string, CommandInfo> ByName =
        All.ToFrozenDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, CommandInfo>.AlternateLookup<ReadOnlySpan<char>> ByChars =
        ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    public static CommandInfo? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Looks a command up by its name as it arrived on the wire (any case), without allocating.</summary>
    public static CommandInfo? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length == 0 || name.Length > 32) return null;
        Span<char> chars = stackalloc char[name.Length];
        for (int i = 0; i < name.Length; i++) chars[i] = (char)name[i];
        return ByChars.TryGetValue(chars, out var info) ? info : null;
    }
}
