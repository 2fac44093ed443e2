namespace Orleans.Cache.Core.Scripting;

/// <summary>
/// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, FCALL, FCALL_RO and FUNCTION: run in the partition that owns the declared keys,
/// atomically under its lock, on a VM the silo lends it (<see cref="ScriptVmPool"/>) or its own (<see cref="Keyspace.Scripts"/>,
/// also the one function libraries live on). The script's redis.call
/// reaches this partition's keyspace only; every write it makes is propagated as its own effect.
/// </summary>
internal static class ScriptCommands
{
    public static Reply Eval(Keyspace db, byte[][] a) => Run(db, a, readOnly: false, bySha: false);
    public static Reply EvalRo(Keyspace db, byte[][] a) => Run(db, a, readOnly: true, bySha: false);
    public static Reply EvalSha(Keyspace db, byte[][] a) => Run(db, a, readOnly: false, bySha: true);
    public static Reply EvalShaRo(Keyspace db, byte[][] a) => Run(db, a, readOnly: true, bySha: true);

    public static Reply FCall(Keyspace db, byte[][] a) => Call(db, a, readOnly: false);
    public static Reply FCallRo(Keyspace db, byte[][] a) => Call(db, a, readOnly: true);

    private static Reply Run(Keyspace db, byte[][] a, bool readOnly, bool bySha)
    {
        if (!SplitKeys(a, out var keys, out var args, out var error)) return error!;
        var options = Options(readOnly);
        if (db.ScriptVms is { } vms) return vms.Run(db, a[1], bySha, keys, args, options);
        return bySha ? db.Scripts.EvalSha(a[1], keys, args, db.ScriptHost, options) : db.Scripts.Eval(a[1], keys, args, db.ScriptHost, options);
    }

    private static Reply Call(Keyspace db, byte[][] a, bool readOnly)
    {
        if (!Args.TryLong(a[2], out _)) return Reply.Error("ERR Bad number of keys provided");
        if (!SplitKeys(a, out var keys, out var args, out var error)) return error!;
        return db.Scripts.FunctionCall(Args.Text(a[1]), keys, args, db.ScriptHost, Options(readOnly));
    }

    private static readonly ScriptOptions ReadWrite = new(), ReadOnly = new() { ReadOnly = true };

    private static ScriptOptions Options(bool readOnly) => readOnly ? ReadOnly : ReadWrite;

    /// <summary>numkeys at argument 2, then the keys, then the arguments; Redis's errors for a bad count.</summary>
    private static bool SplitKeys(byte[][] a, out byte[][] keys, out byte[][] args, out Reply? error)
    {
        keys = args = [];
        error = null;
        if (!Args.TryLong(a[2], out long n)) error = Errors.NotInteger;
        else if (n < 0) error = Reply.Error("ERR Number of keys can't be negative");
        else if (n > a.Length - 3) error = Reply.Error("ERR Number of keys can't be greater than number of args");
        if (error is not null) return false;
        keys = a[3..(3 + (int)n)];
        args = a[(3 + (int)n)..];
        return true;
    }

    /// <summary>
    /// FUNCTION: libraries are loaded into every partition (the command is broadcast), so FCALL finds them wherever its
    /// keys live.
    /// </summary>
    public static Reply Function(Keyspace db, byte[][] a)
    {
        var scripts = db.Scripts;
        var sub = a[1];
        if (Args.Is(sub, "LOAD"))
        {
            bool replace = a.Length == 4 && Args.Is(a[2], "REPLACE");
            if (a.Length != 3 && !replace) return a.Length < 3 ? Errors.WrongArity("function|load") : Errors.Syntax;
            return scripts.FunctionLoad(a[^1], replace);
        }
        if (Args.Is(sub, "LIST"))
        {
            bool withCode = false;
            string? pattern = null;
            for (int i = 2; i < a.Length; i++)
            {
                if (Args.Is(a[i], "WITHCODE")) withCode = true;
                else if (Args.Is(a[i], "LIBRARYNAME") && i + 1 < a.Length) pattern = Args.Text(a[++i]);
                else return Reply.Error("ERR Unknown argument " + Args.Text(a[i]));
            }
            return scripts.FunctionList(pattern, withCode);
        }
        if (Args.Is(sub, "DELETE")) return a.Length == 3 ? scripts.FunctionDelete(Args.Text(a[2])) : Errors.WrongArity("function|delete");
        if (Args.Is(sub, "FLUSH"))
        {
            if (a.Length > 3) return Errors.WrongArity("function|flush");
            if (a.Length == 3 && !Args.Is(a[2], "ASYNC") && !Args.Is(a[2], "SYNC"))
                return Reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            scripts.FunctionFlush();
            return Reply.Ok;
        }
        if (Args.Is(sub, "DUMP")) return a.Length == 2 ? Reply.Bulk(scripts.FunctionDump()) : Errors.WrongArity("function|dump");
        if (Args.Is(sub, "RESTORE"))
        {
            if (a.Length is < 3 or > 4) return Errors.WrongArity("function|restore");
            return scripts.FunctionRestore(a[2], a.Length == 4 ? Args.Text(a[3]).ToUpperInvariant() : "APPEND");
        }
        // Under the partition's lock no script runs; the front door sends FUNCTION KILL around the lock (PartitionEngine.KillScript).
        if (Args.Is(sub, "KILL")) return a.Length == 2 ? ScriptErrors.NotBusy : Errors.WrongArity("function|kill");
        if (Args.Is(sub, "STATS"))
        {
            var libraries = scripts.Libraries.Count;
            return Reply.Map([
                Reply.Bulk("running_script"), Reply.Nil,
                Reply.Bulk("engines"), Reply.Map([Reply.Bulk("LUA"), Reply.Map([
                    Reply.Bulk("libraries_count"), Reply.Int(libraries),
                    Reply.Bulk("functions_count"), Reply.Int(scripts.FunctionCount)])]),
            ]);
        }
        return Reply.Error($"ERR unknown subcommand '{Args.Text(sub)}'. Try FUNCTION HELP.");
    }
}

/// <summary>The reply to SCRIPT KILL / FUNCTION KILL sent to every partition: a kill that stopped a script wins, then UNKILLABLE, then BUSY.</summary>
internal static class ScriptKill
{
    public static Reply Merge(IEnumerable<Reply> replies)
    {
        Reply result = ScriptErrors.NotBusy;
        foreach (var reply in replies)
        {
            if (!reply.IsError) return reply;
            if (Rank(reply) > Rank(result)) result = reply;
        }
        return result;
    }

    private static int Rank(Reply reply) =>
        reply.Text!.StartsWith("UNKILLABLE", StringComparison.Ordinal) ? 2 : reply.Text.StartsWith("BUSY", StringComparison.Ordinal) ? 1 : 0;
}

/// <summary>redis.call inside a partition: keyspace commands on this partition's keys, run nested so each write is its own effect.</summary>
internal sealed class KeyspaceScriptHost(Keyspace db) : IScriptHost
{
    private static readonly Reply NotAllowed = Reply.Error("ERR This Redis command is not allowed from script");
    private static readonly Reply NonLocal = Reply.Error("ERR Script attempted to access a non local key in a cluster node");

    public Reply Call(CommandInfo command, byte[][] argv)
    {
        if (command.Name == "PING") return argv.Length > 1 ? Reply.Bulk(argv[1]) : Reply.Pong;
        if (command.Kind != CommandKind.Keyspace || command.Routing == Routing.AllPartitions) return NotAllowed;
        if (command.IsWrite && db.WritesRefused is { } refused) return refused;
        if (db.OwnsSlot is { } owns && !OwnsKeys(command, argv, owns)) return NonLocal;
        return db.ExecuteAtLastTick(command, argv);
    }

    private static bool OwnsKeys(CommandInfo command, byte[][] argv, Func<int, bool> owns)
    {
        if (command.HasFixedKeyPositions)
        {
            // Without KeyIndexes' enumerator, for the usual shape.
            var keys = command.Keys(argv.Length);
            for (int i = keys.First; !keys.IsEmpty && i <= keys.Last; i += keys.Step)
                if (!owns(HashSlot.Of(argv[i]))) return false;
            return true;
        }
        foreach (int i in command.KeyIndexes(argv))
            if (!owns(HashSlot.Of(argv[i]))) return false;
        return true;
    }
}
