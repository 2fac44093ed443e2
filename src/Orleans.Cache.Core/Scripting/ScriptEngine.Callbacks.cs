using System.Text;
using KeraLua;

namespace Orleans.Cache.Core.Scripting;

// The C# functions behind the prelude's redis.* table. None raises a Lua error (that would longjmp over managed
// frames): failures come back as (false, {err=...}) and the prelude's Lua code raises them.
internal sealed partial class ScriptEngine
{
    /// <summary>redis.call / redis.pcall: (true, converted reply) or (false, {err=...}).</summary>
    private int LuaCall(IntPtr state)
    {
        // Scripts run on _thread; FromIntPtr would allocate a wrapper for it on every call.
        var l = _thread is { } thread && thread.Handle == state ? thread : Lua.FromIntPtr(state);
        int n = l.GetTop();
        if (n == 0) return PushError(l, ScriptErrors.NoArguments);
        var argv = new byte[n][];
        for (int i = 1; i <= n; i++)
        {
            var arg = LuaReplies.ArgumentBytes(l, i);
            if (arg is null) return PushError(l, ScriptErrors.BadArgument);
            argv[i - 1] = arg;
        }
        var command = CommandTable.Find(argv[0]);
        if (command is null) return PushError(l, ScriptErrors.UnknownCommand);
        if (!command.AcceptsArgCount(n)) return PushError(l, ScriptErrors.WrongArity);
        if ((command.Flags & CommandFlags.NoScript) != 0) return PushError(l, ScriptErrors.NotAllowed);
        if (command.IsWrite)
        {
            if (_readOnly) return PushError(l, ScriptErrors.WriteInReadOnly);
            // A SCRIPT KILL that answered OK first wins: the script stops at its next hook and writes nothing.
            if (Volatile.Read(ref _writeState) != Wrote && Interlocked.CompareExchange(ref _writeState, Wrote, Clean) == Killing)
                return PushError(l, ScriptErrors.KilledBeforeWrite);
        }
        if (_host is null) return PushError(l, ScriptErrors.NotAllowed);
        Reply reply;
        try
        {
            reply = _host.Call(command, argv);
        }
        catch (CommandException e)
        {
            reply = e.Reply;
        }
        catch (Exception e)
        {
            reply = Reply.Error("ERR " + e.Message);
        }
        if (reply.IsError) return PushError(l, ScriptErrors.ForScript(reply.Text ?? ""));
        l.PushBoolean(true);
        LuaReplies.Push(l, reply, _resp);
        return 2;
    }

    /// <summary>
    /// P.index_of(t): the __index of a tracked table (redis, cjson, cmsgpack), a C closure over <c>t</c> that notes the
    /// line of the lookup before answering <c>t[k]</c>. Lua 5.4 drops the script's frame on <c>return redis.call(...)</c>
    /// (a tail call to a Lua wrapper; in Redis's 5.1 these are C functions, which keep it), so an error raised by the
    /// wrapper names the line noted here (<see cref="LuaSite"/>).
    /// </summary>
    private int LuaIndexOf(IntPtr state)
    {
        var l = Lua.FromIntPtr(state);
        l.PushCopy(1);
        l.PushCClosure(_trackedIndex, 1);
        return 1;
    }

    private int LuaTrackedIndex(IntPtr state)
    {
        // Level 0 is this function, level 1 the user code that looked the name up.
        if (LuaNative.Line(state, 1) is { } line) _siteLine = line;
        LuaNative.RawGetByKeyAt(state, Lua.UpValueIndex(1), 2);
        return 1;
    }

    /// <summary>P.site(): the line of the last tracked lookup, or nothing before the first one.</summary>
    private int LuaSite(IntPtr state)
    {
        if (_siteLine is not { } line) return 0;
        Lua.FromIntPtr(state).PushInteger(line);
        return 1;
    }

    private static int PushError(Lua l, string text)
    {
        l.PushBoolean(false);
        LuaReplies.PushErrorTable(l, text);
        return 2;
    }

    private static int LuaSha1Hex(IntPtr state)
    {
        var l = Lua.FromIntPtr(state);
        l.PushString(Sha1Hex(l.ToBuffer(1, false) ?? []));
        return 1;
    }

    /// <summary>redis.log: Redis writes to its log file; here the text goes to <see cref="Log"/> when one is set.</summary>
    private int LuaLog(IntPtr state)
    {
        var l = Lua.FromIntPtr(state);
        Log?.Invoke((int)l.ToInteger(1), Encoding.UTF8.GetString(l.ToBuffer(2, false) ?? []));
        return 0;
    }

    /// <summary>Where redis.log lines go (level 0..3 = LOG_DEBUG..LOG_WARNING, message); nowhere when null.</summary>
    public Action<int, string>? Log { get; set; }

    private int LuaSetResp(IntPtr state)
    {
        _resp = (int)Lua.FromIntPtr(state).ToInteger(1);
        return 0;
    }

    /// <summary>redis.acl_check_cmd: every known command is allowed (there are no ACL users here).</summary>
    private static int LuaAclCheck(IntPtr state)
    {
        var l = Lua.FromIntPtr(state);
        var name = LuaReplies.ArgumentBytes(l, 1);
        if (name is null || CommandTable.Find(name) is null)
            return PushError(l, "ERR Invalid command passed to redis.acl_check_cmd()");
        l.PushBoolean(true);
        l.PushBoolean(true);
        return 2;
    }
}
