using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using KeraLua;

namespace Orleans.Cache.Core.Scripting;

// Redis 7 functions: libraries loaded with FUNCTION LOAD, their functions called with FCALL / FCALL_RO.
internal sealed partial class ScriptEngine
{
    private sealed record LuaFunctionInfo(string Name, int Ref, string[] Flags, string? Description)
    {
        public bool NoWrites => Flags.Contains("no-writes");
    }

    private sealed record Library(string Name, byte[] Code, List<LuaFunctionInfo> Functions);

    private readonly Dictionary<string, Library> _libraries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LuaFunctionInfo> _functions = new(StringComparer.Ordinal);

    /// <summary>Flags are listed in Redis's table order, whatever order they were declared in.</summary>
    private static int FlagOrder(string flag) => Array.IndexOf(["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"], flag);

    /// <summary>How many functions the loaded libraries register (FUNCTION STATS).</summary>
    public int FunctionCount => _functions.Count;

    /// <summary>The loaded libraries and their code, in load order, to persist with snapshots.</summary>
    public IReadOnlyList<(string Library, byte[] Code)> Libraries => [.. _libraries.Values.Select(lib => (lib.Name, lib.Code))];

    /// <summary>FUNCTION LOAD [REPLACE]: answers the library name, or Redis's error.</summary>
    public Reply FunctionLoad(byte[] code, bool replace)
    {
        var error = CompileLibrary(code, out var library);
        if (error is not null) return error;
        error = Install([library!], replace ? Conflict.Replace : Conflict.Refuse);
        return error ?? Reply.Bulk(library!.Name);
    }

    private enum Conflict { Refuse, Replace }

    /// <summary>Compiles a library and runs its registrations, without installing it.</summary>
    private Reply? CompileLibrary(byte[] body, out Library? library)
    {
        library = null;
        var error = Shebang.ParseLibrary(body, out string name, out byte[] code);
        if (error is not null) return error;
        var l = _lua;
        int top = l.GetTop();
        try
        {
            l.RawGetInteger(LuaRegistry.Index, _compileLibraryRef);
            l.PushBuffer(code);
            if (l.PCall(1, 2, 0) != LuaStatus.OK || l.Type(-2) != LuaType.Function)
                return Reply.Error("ERR Error compiling function: " + LuaText.CompileError(l.ToString(-1, false) ?? ""));
            l.Pop(1);
            int registrar = l.Ref(LuaRegistry.Index);
            var thread = l.NewThread();
            try
            {
                thread.RawGetInteger(LuaRegistry.Index, _runRef);
                thread.RawGetInteger(LuaRegistry.Index, registrar);
                thread.SetHook(_hook, LuaHookMask.Count, HookInstructions);
                BeginRun(null, readOnly: true, function: true);
                LuaStatus status;
                try
                {
                    status = thread.Resume(l, 1, out _);
                }
                finally
                {
                    EndRun();
                }
                if (status == LuaStatus.Yield) return Reply.Error("ERR Error registering functions: ERR Script killed by user with SCRIPT KILL...");
                if (status != LuaStatus.OK) return Reply.Error("ERR Error registering functions: ERR " + thread.ToString(-1, false));
                if (!thread.ToBoolean(1))
                {
                    thread.RawGetInteger(2, 1);
                    return Reply.Error("ERR Error registering functions: " + thread.ToString(-1, false));
                }
                var functions = ReadRegistrations(thread, 2);
                if (functions.Count == 0) return Reply.Error("ERR No functions registered");
                library = new Library(name, body, functions);
                return null;
            }
            finally
            {
                thread.SetHook(null!, 0, 0);
                l.Unref(LuaRegistry.Index, registrar);
            }
        }
        finally
        {
            l.SetTop(top);
        }
    }

    /// <summary>The registrar's list of {name, callback, flags, description}; each callback gets a registry ref.</summary>
    private static List<LuaFunctionInfo> ReadRegistrations(Lua l, int index)
    {
        var result = new List<LuaFunctionInfo>();
        for (long i = 1; l.RawGetInteger(index, i) == LuaType.Table; i++)
        {
            int entry = l.GetTop();
            l.GetField(entry, "name");
            string name = l.ToString(-1, false) ?? "";
            l.GetField(entry, "description");
            string? description = l.Type(-1) == LuaType.String ? l.ToString(-1, false) : null;
            l.GetField(entry, "flags");
            var flags = new List<string>();
            for (long f = 1; l.RawGetInteger(-1, f) == LuaType.String; f++)
            {
                flags.Add(l.ToString(-1, false) ?? "");
                l.Pop(1);
            }
            l.Pop(4);
            l.GetField(entry, "callback");
            int callback = l.Ref(LuaRegistry.Index);
            l.Pop(1);
            result.Add(new LuaFunctionInfo(name, callback, [.. flags], description));
        }
        l.Pop(1);
        return result;
    }

    /// <summary>
    /// Installs compiled libraries all or nothing: a library name already taken (unless replacing) or a function name
    /// owned by a library that stays is Redis's error, and then none of them is installed.
    /// </summary>
    private Reply? Install(IReadOnlyList<Library> libraries, Conflict conflict)
    {
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        var incoming = new HashSet<string>(StringComparer.Ordinal);
        Reply? error = null;
        foreach (var library in libraries)
        {
            if (_libraries.ContainsKey(library.Name))
            {
                if (conflict == Conflict.Refuse)
                {
                    error = Reply.Error($"ERR Library '{library.Name}' already exists");
                    break;
                }
                replaced.Add(library.Name);
            }
        }
        if (error is null)
        {
            foreach (var function in libraries.SelectMany(lib => lib.Functions))
            {
                bool takenHere = _functions.TryGetValue(function.Name, out _) && !replaced.Contains(OwnerOf(function.Name)!);
                if (takenHere || !incoming.Add(function.Name))
                {
                    error = Reply.Error($"ERR Function {function.Name} already exists");
                    break;
                }
            }
        }
        if (error is not null)
        {
            foreach (var library in libraries) Release(library);
            return error;
        }
        foreach (var name in replaced) RemoveLibrary(name);
        foreach (var library in libraries)
        {
            _libraries[library.Name] = library;
            foreach (var function in library.Functions) _functions[function.Name] = function;
        }
        return null;
    }

    private string? OwnerOf(string function) =>
        _libraries.Values.FirstOrDefault(lib => lib.Functions.Any(f => f.Name == function))?.Name;

    private void Release(Library library)
    {
        foreach (var function in library.Functions) _lua.Unref(LuaRegistry.Index, function.Ref);
    }

    private void RemoveLibrary(string name)
    {
        if (!_libraries.Remove(name, out var library)) return;
        foreach (var function in library.Functions) _functions.Remove(function.Name);
        Release(library);
    }

    /// <summary>
    /// FCALL / FCALL_RO: runs a function with its keys and arguments. A function flagged no-writes runs read-only;
    /// FCALL_RO of one without that flag is refused.
    /// </summary>
    public Reply FunctionCall(string name, byte[][] keys, byte[][] args, IScriptHost host, ScriptOptions options)
    {
        if (!_functions.TryGetValue(name, out var function)) return ScriptErrors.FunctionNotFound;
        if (options.ReadOnly && !function.NoWrites) return ScriptErrors.WriteFlagWithRo;
        // Functions get their keys and arguments as parameters; KEYS and ARGV are an EVAL thing.
        var l = _lua;
        l.RawGetInteger(LuaRegistry.Index, _globalsRef);
        l.PushNil();
        l.SetField(-2, "KEYS");
        l.PushNil();
        l.SetField(-2, "ARGV");
        l.Pop(1);
        return Run(function.Ref, keys, args, function.Name, host, options.ReadOnly || function.NoWrites, function: true);
    }

    /// <summary>FUNCTION DELETE.</summary>
    public Reply FunctionDelete(string library)
    {
        if (!_libraries.ContainsKey(library)) return ScriptErrors.LibraryNotFound;
        RemoveLibrary(library);
        return Reply.Ok;
    }

    /// <summary>FUNCTION FLUSH: drops every library.</summary>
    public void FunctionFlush()
    {
        foreach (var name in _libraries.Keys.ToList()) RemoveLibrary(name);
        _lua.GarbageCollector(LuaGC.Collect, 0);
    }

    /// <summary>FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE], in Redis's reply shape (maps and sets in RESP3).</summary>
    public Reply FunctionList(string? libraryPattern, bool withCode)
    {
        var pattern = libraryPattern is null ? null : Encoding.UTF8.GetBytes(libraryPattern);
        var result = new List<Reply>();
        foreach (var library in _libraries.Values)
        {
            if (pattern is not null && !Glob.IsMatch(pattern, Encoding.UTF8.GetBytes(library.Name))) continue;
            var functions = library.Functions.Select(f => Reply.Map(
            [
                Reply.Bulk("name"), Reply.Bulk(f.Name),
                Reply.Bulk("description"), f.Description is null ? Reply.Nil : Reply.Bulk(f.Description),
                Reply.Bulk("flags"), Reply.Set([.. f.Flags.OrderBy(FlagOrder).Select(Reply.Simple)]),
            ])).ToArray();
            var fields = new List<Reply>
            {
                Reply.Bulk("library_name"), Reply.Bulk(library.Name),
                Reply.Bulk("engine"), Reply.Bulk("LUA"),
                Reply.Bulk("functions"), Reply.Array(functions),
            };
            if (withCode)
            {
                fields.Add(Reply.Bulk("library_code"));
                fields.Add(Reply.Bulk(library.Code));
            }
            result.Add(Reply.Map([.. fields]));
        }
        return Reply.Array([.. result]);
    }

    // FUNCTION DUMP payload: magic, version, then each library's code (length-prefixed), then an XxHash64 of it all.
    private static ReadOnlySpan<byte> DumpMagic => "OCFN"u8;
    private const byte DumpVersion = 1;

    /// <summary>FUNCTION DUMP: every library's code in this engine's own payload format.</summary>
    public byte[] FunctionDump()
    {
        var output = new List<byte>();
        output.AddRange(DumpMagic);
        output.Add(DumpVersion);
        Span<byte> length = stackalloc byte[4];
        foreach (var library in _libraries.Values)
        {
            BinaryPrimitives.WriteInt32LittleEndian(length, library.Code.Length);
            output.AddRange(length);
            output.AddRange(library.Code);
        }
        var body = output.ToArray();
        Span<byte> hash = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(hash, XxHash64.HashToUInt64(body));
        return [.. body, .. hash];
    }

    /// <summary>FUNCTION RESTORE payload [APPEND|REPLACE|FLUSH]: all libraries or none.</summary>
    public Reply FunctionRestore(byte[] payload, string policy)
    {
        Conflict conflict;
        bool flush = false;
        if (policy.Equals("APPEND", StringComparison.OrdinalIgnoreCase)) conflict = Conflict.Refuse;
        else if (policy.Equals("REPLACE", StringComparison.OrdinalIgnoreCase)) conflict = Conflict.Replace;
        else if (policy.Equals("FLUSH", StringComparison.OrdinalIgnoreCase)) { conflict = Conflict.Replace; flush = true; }
        else return ScriptErrors.BadRestorePolicy;

        if (!TryReadDump(payload, out var codes)) return ScriptErrors.BadPayload;
        var compiled = new List<Library>();
        foreach (var code in codes)
        {
            var error = CompileLibrary(code, out var library);
            if (error is not null)
            {
                foreach (var done in compiled) Release(done);
                return error;
            }
            compiled.Add(library!);
        }
        if (flush)
        {
            // FLUSH swaps the whole set: install into an empty engine, so nothing old can conflict.
            foreach (var name in _libraries.Keys.ToList()) RemoveLibrary(name);
        }
        return Install(compiled, conflict) ?? Reply.Ok;
    }

    private static bool TryReadDump(byte[] payload, out List<byte[]> codes)
    {
        codes = [];
        if (payload.Length < DumpMagic.Length + 1 + 8) return false;
        var body = payload.AsSpan(0, payload.Length - 8);
        if (!body.StartsWith(DumpMagic) || body[DumpMagic.Length] != DumpVersion) return false;
        if (XxHash64.HashToUInt64(body) != BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(payload.Length - 8))) return false;
        int pos = DumpMagic.Length + 1;
        while (pos < body.Length)
        {
            if (pos + 4 > body.Length) return false;
            int length = BinaryPrimitives.ReadInt32LittleEndian(body[pos..]);
            pos += 4;
            if (length < 0 || pos + length > body.Length) return false;
            codes.Add(body.Slice(pos, length).ToArray());
            pos += length;
        }
        return true;
    }
}
