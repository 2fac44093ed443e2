using System.Text;
using Orleans.Cache.Core.Scripting;

namespace Orleans.Cache.Core.Tests.Scripting;

/// <summary>The partition side for tests: redis.call runs on a real keyspace.</summary>
internal sealed class KeyspaceHost(Keyspace keyspace) : IScriptHost
{
    public List<string> Calls { get; } = [];

    /// <summary>How many commands the script has called so far (readable from another thread).</summary>
    public int CallCount => Volatile.Read(ref _callCount);
    private int _callCount;

    /// <summary>Runs before each call (on the script's thread), with the call as text.</summary>
    public Action<string>? BeforeCall { get; set; }

    public Reply Call(CommandInfo command, byte[][] argv)
    {
        var text = string.Join(' ', argv.Select(Encoding.UTF8.GetString));
        BeforeCall?.Invoke(text);
        Calls.Add(text);
        Interlocked.Increment(ref _callCount);
        return keyspace.Execute(command, argv);
    }
}

/// <summary>An engine over a keyspace, with redis-cli-like helpers: <c>Eval("return 1")</c> → "(integer) 1".</summary>
internal sealed class ScriptSession : IDisposable
{
    public Session Db { get; } = new();
    /// <summary>The clock the engine's RunningFor reads.</summary>
    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Time { get; } = new();
    public ScriptEngine Engine { get; }
    public KeyspaceHost Host { get; }

    public ScriptSession()
    {
        Engine = new ScriptEngine(Time);
        Host = new KeyspaceHost(Db.Db);
    }

    public static byte[][] Bytes(params string[] values) => values.Select(Encoding.UTF8.GetBytes).ToArray();

    public Reply EvalRaw(string body, string[]? keys = null, string[]? args = null, bool readOnly = false, int protocol = 2) =>
        Engine.Eval(Encoding.UTF8.GetBytes(body), Bytes(keys ?? []), Bytes(args ?? []), Host,
            new ScriptOptions { Protocol = protocol, ReadOnly = readOnly });

    public string Eval(string body, string[]? keys = null, string[]? args = null, bool readOnly = false) =>
        Show(EvalRaw(body, keys, args, readOnly));

    public Reply FcallRaw(string name, string[]? keys = null, string[]? args = null, bool readOnly = false) =>
        Engine.FunctionCall(name, Bytes(keys ?? []), Bytes(args ?? []), Host, new ScriptOptions { ReadOnly = readOnly });

    public string Fcall(string name, string[]? keys = null, string[]? args = null, bool readOnly = false) =>
        Show(FcallRaw(name, keys, args, readOnly));

    public string Load(string code, bool replace = false) => Show(Engine.FunctionLoad(Encoding.UTF8.GetBytes(code), replace));

    /// <summary>redis-cli's way of printing, plus the RESP3 kinds by name.</summary>
    public static string Show(Reply r) => r.Kind switch
    {
        ReplyKind.SimpleString => r.Text!,
        ReplyKind.Error => "(error) " + r.Text,
        ReplyKind.Integer => $"(integer) {r.Integer}",
        ReplyKind.Bulk => $"\"{r.Text}\"",
        ReplyKind.Null or ReplyKind.NullArray => "(nil)",
        ReplyKind.Array => "[" + string.Join(", ", r.Items!.Select(Show)) + "]",
        ReplyKind.Map => "{" + string.Join(", ", r.Items!.Chunk(2).Select(p => Show(p[0]) + ": " + Show(p[1]))) + "}",
        ReplyKind.Set => "~[" + string.Join(", ", r.Items!.Select(Show)) + "]",
        ReplyKind.Double => $"(double) {r.Double.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        ReplyKind.Boolean => r.Integer != 0 ? "(true)" : "(false)",
        _ => r.ToString(),
    };

    public void Dispose() => Engine.Dispose();
}
