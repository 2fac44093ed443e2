using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using KeraLua;

namespace Orleans.Cache.Core.Scripting;

/// <summary>
/// A Lua VM (Redis's script cache + function libraries): a partition's own, or one of the silo's that partitions borrow
/// for a run (<see cref="ScriptVmPool"/>); used by one thread at a time.
/// </summary>
internal sealed partial class ScriptEngine : IDisposable
{
    /// <summary>Instructions between two looks at the kill flag, on threads that carry the hook from their start.</summary>
    private const int HookInstructions = 100_000;

    private readonly Lua _lua;
    private readonly int _globalsRef, _runRef, _runScriptRef, _compileLibraryRef, _directGlobalsRef;
    private readonly Dictionary<string, CachedScript> _scripts = new(StringComparer.Ordinal);
    // EVALSHA's lookup by the sha's characters, so the sha named on the wire is not made a string first.
    private readonly Dictionary<string, CachedScript>.AlternateLookup<ReadOnlySpan<char>> _scriptsBySpan;
    // EVAL's body → its sha, so a cached body is not hashed again (EVALSHA arrives here as the EVAL of its body).
    private readonly Dictionary<byte[], string> _shaByBody = new(BytesComparer.Instance);
    // The last EVAL's body array and its script: the front door hands a pipeline of EVALSHA of one script the same
    // body array (its script registry's), which then needs neither hashing nor a lookup.
    private byte[]? _lastBody;
    private CachedScript? _lastScript;
    // The Lua thread scripts run on, reused while runs end normally (a new one after an error or a kill); and its registry ref.
    private Lua? _thread;
    private int _threadRef;

    // The C# side of the sandbox; fields so the delegates outlive every native pointer to them.
    private readonly LuaFunction _call, _sha1hex, _log, _setresp, _aclCheck, _jsonEncode, _jsonDecode, _mpPack, _mpUnpack, _indexOf, _trackedIndex, _site, _hookSwitch;
    // The line of the last lookup in a tracked table (see LuaIndexOf); null before the first.
    private int? _siteLine;
    private readonly LuaHookFunction _hook;

    // The current run: set by Run, read by the callbacks (same thread) and by Kill / IsRunning (other threads). The host
    // also says whose script runs (a borrowed VM serves many partitions): set before _running, cleared under _hookLock.
    private volatile IScriptHost? _host;
    private bool _readOnly;
    private int _resp = 2;
    private volatile bool _running, _runningFunction, _killRequested, _killed;
    // Whether the running script wrote, or was promised to a SCRIPT KILL first: the two race (KILL comes from another
    // thread), and exactly one wins, so a script that was killed never writes and one that wrote is never killed.
    private const int Clean = 0, Wrote = 1, Killing = 2;
    private int _writeState;
    private long _startedAt;
    // The clock RunningFor reads (the partition's, so a busy threshold is testable on a fake clock).
    private readonly TimeProvider _time;
    private string _killSource = "?", _killLine = "?";
    // The run thread carries no hook (a hooked Lua traces every instruction, a tenth of a short script's time); a kill
    // arms one on it from the killing thread, as lua.c does from its signal handler. Coroutines the script creates carry
    // one from their start (P.hook), so a loop inside one stops too. Under this lock: arming, and disarming at the end.
    private readonly Lock _hookLock = new();
    private bool _hooked;
    private bool _disposed;

    private sealed record CachedScript(string Sha, int Ref, bool HasShebang, bool NoWrites);

    // KEYS and ARGV: one pair of tables reused from script to script while each script leaves them as it got them
    // (the prelude's run_script checks), so a run allocates no table for them; a new pair after any other run.
    private const int NoRef = -2; // LUA_NOREF
    private struct ScriptArguments(int reference, int count)
    {
        public int Ref = reference;
        // How many of the table's slots 1..Count the last script got (the rest were cleared).
        public int Count = count;
    }
    private ScriptArguments _keys = new(NoRef, 0), _argv = new(NoRef, 0);

    public ScriptEngine(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _scriptsBySpan = _scripts.GetAlternateLookup<ReadOnlySpan<char>>();
        _call = LuaCall; _sha1hex = LuaSha1Hex; _log = LuaLog; _setresp = LuaSetResp; _aclCheck = LuaAclCheck;
        _jsonEncode = LuaJson.Encode; _jsonDecode = LuaJson.Decode; _mpPack = LuaMsgPack.Pack; _mpUnpack = LuaMsgPack.Unpack;
        _indexOf = LuaIndexOf; _trackedIndex = LuaTrackedIndex; _site = LuaSite;
        _hookSwitch = LuaHook;
        _hook = CountHook;

        _lua = new Lua(openLibs: true);
        var l = _lua;
        if (l.LoadBuffer(Encoding.UTF8.GetBytes(LuaPrelude.Code), LuaPrelude.ChunkName, "t") != LuaStatus.OK)
            throw new InvalidOperationException("Lua prelude: " + l.ToString(-1, false));
        l.NewTable();
        SetFunction(l, "call", _call);
        SetFunction(l, "sha1hex", _sha1hex);
        SetFunction(l, "log", _log);
        SetFunction(l, "setresp", _setresp);
        SetFunction(l, "acl_check", _aclCheck);
        SetFunction(l, "json_encode", _jsonEncode);
        SetFunction(l, "json_decode", _jsonDecode);
        SetFunction(l, "mp_pack", _mpPack);
        SetFunction(l, "mp_unpack", _mpUnpack);
        SetFunction(l, "index_of", _indexOf);
        SetFunction(l, "site", _site);
        SetFunction(l, "hook", _hookSwitch);
        l.PushLightUserData(IntPtr.Zero);
        l.SetField(-2, "json_null");
        if (l.PCall(1, 1, 0) != LuaStatus.OK)
            throw new InvalidOperationException("Lua prelude: " + l.ToString(-1, false));
        l.GetField(-1, "globals");
        _globalsRef = l.Ref(LuaRegistry.Index);
        l.GetField(-1, "run");
        _runRef = l.Ref(LuaRegistry.Index);
        l.GetField(-1, "run_script");
        _runScriptRef = l.Ref(LuaRegistry.Index);
        l.GetField(-1, "compile_library");
        _compileLibraryRef = l.Ref(LuaRegistry.Index);
        l.GetField(-1, "direct_globals");
        _directGlobalsRef = l.Ref(LuaRegistry.Index);
        l.Pop(1);
        // Generational: what a script run allocates (KEYS, ARGV, key strings, reply tables) dies young, and a minor
        // collection does not walk the sandbox's long-lived tables again as each incremental cycle does.
        LuaNative.Generational(l.Handle);
    }

    private static void SetFunction(Lua l, string name, LuaFunction f)
    {
        l.PushCFunction(f);
        l.SetField(-2, name);
    }

    /// <summary>The SHA1 of a script body in lower-case hex, as SCRIPT LOAD answers.</summary>
    public static string Sha1Hex(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA1.HashData(body));

    /// <summary>A script or function is running now (readable from other threads).</summary>
    public bool IsRunning => _running;

    /// <summary>A script of <paramref name="owner"/>'s (the host it calls) is running now (readable from other threads).</summary>
    public bool IsRunningFor(IScriptHost owner) => _running && _host == owner;

    /// <summary>The running script has called a write command (then it cannot be killed: KILL answers -UNKILLABLE).</summary>
    public bool RunningScriptWrote => _running && Volatile.Read(ref _writeState) == Wrote;

    /// <summary>How long the current script has been running (zero when none is).</summary>
    public TimeSpan RunningFor => _running ? _time.GetElapsedTime(Interlocked.Read(ref _startedAt)) : TimeSpan.Zero;

    /// <summary>
    /// SCRIPT KILL (<paramref name="function"/> false) or FUNCTION KILL from another thread, with Redis's replies: OK when
    /// the running script will stop at its next hook with the killed error; NOTBUSY when none runs; UNKILLABLE when it
    /// wrote; BUSY when the other kind runs (SCRIPT KILL does not stop a function, nor FUNCTION KILL an EVAL).
    /// </summary>
    /// <remarks>
    /// With <paramref name="owner"/>, only a script of that host's is stopped: under the hook lock, which the end of a run
    /// takes too, so a kill never lands on the next run of a VM that went on to another partition.
    /// </remarks>
    public Reply Kill(bool function, IScriptHost? owner = null)
    {
        lock (_hookLock)
        {
            if (!_running || owner is not null && _host != owner) return ScriptErrors.NotBusy;
            if (Volatile.Read(ref _writeState) == Wrote) return ScriptErrors.Unkillable;
            if (_runningFunction != function) return Busy(_runningFunction);
            if (Interlocked.CompareExchange(ref _writeState, Killing, Clean) == Wrote) return ScriptErrors.Unkillable;
            _killRequested = true;
            ArmHook();
            return Reply.Ok;
        }
    }

    /// <summary>Stops the running script even if it wrote (what SHUTDOWN NOSAVE does to it in Redis); with <paramref name="owner"/>, only that host's.</summary>
    public void Abort(IScriptHost? owner = null)
    {
        lock (_hookLock)
        {
            if (!_running || owner is not null && _host != owner) return;
            _killRequested = true;
            ArmHook();
        }
    }

    /// <summary>Under the hook lock, from the killing thread: the run thread looks at the kill flag from its next instruction on.</summary>
    private void ArmHook()
    {
        if (_thread is not { } thread) return;
        thread.SetHook(_hook, LuaHookMask.Count, 1);
        _hooked = true;
    }

    /// <summary>
    /// Redis's BUSY reply while a script of <paramref name="owner"/>'s has run for <paramref name="threshold"/> or longer
    /// (busy-reply-threshold); else null.
    /// </summary>
    public Reply? BusyReply(TimeSpan threshold, IScriptHost owner) =>
        _running && _host == owner && RunningFor >= threshold ? Busy(_runningFunction) : null;

    private static Reply Busy(bool function) => function ? ScriptErrors.BusyFunction : ScriptErrors.BusyScript;

    /// <summary>SCRIPT LOAD: compiles and caches the body by sha; answers the sha, or Redis's compile error.</summary>
    public Reply Load(byte[] body)
    {
        string sha = Sha1Hex(body);
        var error = LoadScript(sha, body, out _);
        return error ?? Reply.Bulk(sha);
    }

    /// <summary>How many script bodies this engine has compiled (a cached one is not compiled again).</summary>
    internal int Compilations { get; private set; }

    /// <summary>SCRIPT EXISTS for one sha (any case).</summary>
    public bool Exists(string sha) => _scripts.ContainsKey(sha.ToLowerInvariant());

    /// <summary>SCRIPT FLUSH: drops the cached scripts (not the function libraries).</summary>
    public void Flush()
    {
        foreach (var script in _scripts.Values) _lua.Unref(LuaRegistry.Index, script.Ref);
        _scripts.Clear();
        _shaByBody.Clear();
        _lastBody = null;
        _lastScript = null;
        _lua.GarbageCollector(LuaGC.Collect, 0);
    }

    /// <summary>EVAL: loads the body if it is not cached yet, then runs it.</summary>
    public Reply Eval(byte[] body, byte[][] keys, byte[][] args, IScriptHost host, ScriptOptions options)
    {
        if (ReferenceEquals(body, _lastBody)) return RunScript(_lastScript!.Sha, _lastScript, keys, args, host, options);
        if (!_shaByBody.TryGetValue(body, out var sha)) sha = Sha1Hex(body);
        var error = LoadScript(sha, body, out var script);
        if (error is not null) return error;
        (_lastBody, _lastScript) = (body, script);
        return RunScript(sha, script!, keys, args, host, options);
    }

    /// <summary>EVALSHA: runs a cached script; -NOSCRIPT when the sha is unknown.</summary>
    public Reply EvalSha(ReadOnlySpan<byte> sha, byte[][] keys, byte[][] args, IScriptHost host, ScriptOptions options)
    {
        if (sha.Length != 40) return ScriptErrors.NoScript;
        Span<char> name = stackalloc char[40];
        Encoding.Latin1.GetChars(sha, name);
        if (!_scriptsBySpan.TryGetValue(name, out var script))
        {
            Ascii.ToLowerInPlace(name, out _);
            if (!_scriptsBySpan.TryGetValue(name, out script)) return ScriptErrors.NoScript;
        }
        return RunScript(script.Sha, script, keys, args, host, options);
    }

    private Reply? LoadScript(string sha, byte[] body, out CachedScript? script)
    {
        if (_scripts.TryGetValue(sha, out script)) return null;
        var shebang = Shebang.ParseScript(body, out bool noWrites, out byte[] code);
        if (shebang is not null) return shebang;
        if (_lua.LoadBuffer(code, "@user_script", "t") != LuaStatus.OK)
        {
            string message = LuaText.CompileError(_lua.ToString(-1, false) ?? "");
            _lua.Pop(1);
            return Reply.Error("ERR Error compiling script (new function): " + message);
        }
        if (TailCalls.TryRewrite(code, out var direct) && (direct == code || ReplaceCompiled(direct)))
        {
            // Runs with the plain redis table (see TailCalls): its globals are the direct ones.
            _lua.RawGetInteger(LuaRegistry.Index, _directGlobalsRef);
            _lua.SetUpValue(-2, 1);
        }
        Compilations++;
        script = new CachedScript(sha, _lua.Ref(LuaRegistry.Index), code != body, noWrites);
        _scripts[sha] = script;
        _shaByBody[body] = sha;
        return null;
    }

    /// <summary>Compiles <paramref name="code"/> in place of the function on top of the stack; false (the stack as it was) when it does not compile.</summary>
    private bool ReplaceCompiled(byte[] code)
    {
        if (_lua.LoadBuffer(code, "@user_script", "t") != LuaStatus.OK)
        {
            _lua.Pop(1);
            return false;
        }
        _lua.Remove(-2);
        return true;
    }

    private Reply RunScript(string sha, CachedScript script, byte[][] keys, byte[][] args, IScriptHost host, ScriptOptions options)
    {
        if (options.ReadOnly && script.HasShebang && !script.NoWrites) return ScriptErrors.WriteFlagWithRo;
        // KEYS and ARGV go to the runner, which makes them the script's globals.
        return Run(script.Ref, keys, args, sha, host, options.ReadOnly || script.NoWrites, function: false);
    }

    private static void PushStrings(Lua l, byte[][] values)
    {
        l.CreateTable(values.Length, 0);
        for (int i = 0; i < values.Length; i++)
        {
            l.PushBuffer(values[i]);
            l.RawSetInteger(-2, i + 1);
        }
    }

    /// <summary>
    /// A script's KEYS or ARGV: the table the last script left as it got it (see <see cref="ScriptArguments"/>), filled
    /// with <paramref name="values"/>, or a new one.
    /// </summary>
    private static void PushArguments(Lua l, ref ScriptArguments table, byte[][] values)
    {
        if (table.Ref == NoRef)
        {
            PushStrings(l, values);
            l.PushCopy(-1);
            table = new ScriptArguments(l.Ref(LuaRegistry.Index), values.Length);
            return;
        }
        l.RawGetInteger(LuaRegistry.Index, table.Ref);
        for (int i = 0; i < values.Length; i++)
        {
            l.PushBuffer(values[i]);
            l.RawSetInteger(-2, i + 1);
        }
        for (int i = values.Length; i < table.Count; i++)
        {
            l.PushNil();
            l.RawSetInteger(-2, i + 1);
        }
        table.Count = values.Length;
    }

    /// <summary>Arguments not worth keeping alive until the next script (its KEYS and ARGV hold them till then).</summary>
    private static bool Large(byte[][] values)
    {
        if (values.Length > 32) return true;
        long bytes = 0;
        foreach (var value in values) bytes += value.Length;
        return bytes > 64 * 1024;
    }

    /// <summary>Drops the reused KEYS and ARGV tables: the next script gets new ones.</summary>
    private void DropArguments()
    {
        if (_keys.Ref != NoRef) _lua.Unref(LuaRegistry.Index, _keys.Ref);
        if (_argv.Ref != NoRef) _lua.Unref(LuaRegistry.Index, _argv.Ref);
        _keys = _argv = new ScriptArguments(NoRef, 0);
    }

    /// <summary>
    /// Runs a function (a registry ref) on a fresh Lua thread under the prelude's runner, with a count hook that
    /// honours <see cref="Kill"/>. A kill yields the thread out of the hook rather than raising an error, so no
    /// longjmp crosses managed frames and no pcall in the script can catch it.
    /// </summary>
    private Reply Run(int functionRef, byte[][] keys, byte[][] args, string name, IScriptHost? host, bool readOnly, bool function)
    {
        var l = _lua;
        var thread = Thread();
        bool reusable = false;
        // A script's runner answers first whether its KEYS and ARGV may be reused; a function's hands them to its
        // library's code, which may keep them, so it always gets new ones.
        int first = 1;
        try
        {
            thread.RawGetInteger(LuaRegistry.Index, function ? _runRef : _runScriptRef);
            thread.RawGetInteger(LuaRegistry.Index, functionRef);
            int nargs;
            if (function)
            {
                PushStrings(thread, keys);
                PushStrings(thread, args);
                nargs = 3;
            }
            else
            {
                PushArguments(thread, ref _keys, keys);
                PushArguments(thread, ref _argv, args);
                thread.PushInteger(keys.Length);
                thread.PushInteger(args.Length);
                nargs = 5;
                first = 2;
            }
            BeginRun(host, readOnly, function);
            LuaStatus status;
            try
            {
                status = thread.Resume(l, nargs, out _);
            }
            finally
            {
                EndRun();
            }
            if (status == LuaStatus.Yield)
            {
                if (_killed) return Reply.Error($"ERR Script killed by user with SCRIPT KILL... script: {name}, on {_killSource}:{_killLine}.");
                return Reply.Error($"ERR attempt to yield across a C-call boundary script: {name}, on @user_script:?.");
            }
            if (status != LuaStatus.OK) return Reply.Error("ERR " + (thread.ToString(-1, false) ?? "unknown error"));
            reusable = true;
            if (!function && (!thread.ToBoolean(1) || Large(keys) || Large(args))) DropArguments();
            if (thread.ToBoolean(first))
            {
                if (thread.GetTop() < first + 1) return Reply.Nil;
                return LuaReplies.ToReply(thread, first + 1, _resp);
            }
            return ErrorFromHandler(thread, first + 1, name);
        }
        finally
        {
            if (reusable) thread.SetTop(0);
            else
            {
                DropThread();
                DropArguments();
            }
        }
    }

    /// <summary>
    /// The thread scripts run on. A thread whose last run returned is clean (no call left on it) and takes the next
    /// run, so a script costs no new thread and no hook set-up; one that errored or was stopped is dropped.
    /// </summary>
    private Lua Thread()
    {
        if (_thread is { } thread) return thread;
        thread = _lua.NewThread();
        _threadRef = _lua.Ref(LuaRegistry.Index);
        return _thread = thread;
    }

    private void DropThread()
    {
        if (_thread is null) return;
        _thread.SetHook(null!, 0, 0);
        _lua.Unref(LuaRegistry.Index, _threadRef);
        _thread = null;
    }

    /// <summary>The reply for the runner's error triple {message, source, line}: Redis 7's "... script: name, on @source:line.".</summary>
    private static Reply ErrorFromHandler(Lua l, int index, string name)
    {
        if (l.Type(index) != LuaType.Table) return Reply.Error("ERR unknown error script: " + name);
        l.RawGetInteger(index, 1);
        string message = l.ToString(-1, false) ?? "ERR unknown error";
        l.RawGetInteger(index, 2);
        string source = l.ToString(-1, false) ?? "?";
        l.RawGetInteger(index, 3);
        string line = l.Type(-1) == LuaType.Number ? l.ToInteger(-1).ToString() : "?";
        l.Pop(3);
        return Reply.Error($"{message} script: {name}, on {source}:{line}.");
    }

    private void BeginRun(IScriptHost? host, bool readOnly, bool function)
    {
        _host = host;
        _readOnly = readOnly;
        _runningFunction = function;
        _resp = 2;
        Volatile.Write(ref _writeState, Clean);
        _killed = false;
        _killRequested = false;
        _killSource = _killLine = "?";
        Interlocked.Exchange(ref _startedAt, _time.GetTimestamp());
        _running = true;
    }

    private void EndRun()
    {
        lock (_hookLock)
        {
            _killRequested = false;
            _running = false;
            _host = null;
            if (!_hooked) return;
            _hooked = false;
            _thread?.SetHook(null!, 0, 0);
        }
    }

    /// <summary>
    /// P.hook(on): the prelude's coroutine.create / wrap turn the count hook on around the creation (a new Lua thread
    /// takes its creator's hook) and off after it; only the run thread is switched, a coroutine keeps its own.
    /// </summary>
    private int LuaHook(IntPtr state)
    {
        if (_thread is not { } thread || thread.Handle != state) return 0;
        bool on = thread.ToBoolean(1);
        lock (_hookLock)
        {
            if (on) thread.SetHook(_hook, LuaHookMask.Count, HookInstructions);
            else if (!_killRequested) thread.SetHook(null!, 0, 0);
            _hooked = on || _killRequested;
        }
        return 0;
    }

    private void CountHook(IntPtr state, IntPtr ar)
    {
        if (!_killRequested) return;
        var l = Lua.FromIntPtr(state);
        if (!_killed)
        {
            // Where the script was when it was stopped, for the error text: the innermost frame of user code.
            var debug = new LuaDebug();
            for (int level = 0; l.GetStack(level, ref debug) != 0; level++)
            {
                l.GetInfo("Sl", ref debug);
                if (debug.Source is "@user_script" or "@user_function")
                {
                    _killSource = debug.Source;
                    _killLine = debug.CurrentLine.ToString();
                    break;
                }
            }
            _killed = true;
        }
        // From now on the hook runs at every instruction, so the script cannot get far, even in its own coroutines.
        l.SetHook(_hook, LuaHookMask.Count, 1);
        if (l.IsYieldable) l.Yield(0);
    }

    /// <summary>Releases the native Lua state.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _lua.Dispose();
    }
}
