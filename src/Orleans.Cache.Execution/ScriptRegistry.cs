using System.Collections.Concurrent;
using Orleans.Cache.Core;
using Orleans.Cache.Core.Scripting;

namespace Orleans.Cache.Execution;

/// <summary>
/// This process's view of the cluster's script cache: SCRIPT LOAD and EVAL add to it (and to the cluster's
/// <see cref="IScriptRegistryGrain"/>), EVALSHA finds a body here or asks the cluster. The executor sends EVALSHA to its
/// partition with the body, so a partition never needs to have seen the script before.
/// </summary>
internal sealed class ScriptRegistry(IGrainFactory? grains)
{
    private readonly ConcurrentDictionary<string, byte[]> _bySha = new(StringComparer.Ordinal);
    // Compiles scripts for SCRIPT LOAD's errors; one VM, used under its lock.
    private readonly Lazy<ScriptEngine> _compiler = new(() => new ScriptEngine());

    private IScriptRegistryGrain? Cluster => grains?.GetGrain<IScriptRegistryGrain>(0);

    /// <summary>SCRIPT LOAD: compiles (Redis's compile error, or the sha) and stores the body cluster-wide.</summary>
    public async ValueTask<Reply> LoadAsync(byte[] body)
    {
        Reply reply;
        var compiler = _compiler.Value;
        lock (compiler) reply = compiler.Load(body);
        if (reply.IsError) return reply;
        await RememberAsync(reply.Text!, body).ConfigureAwait(false);
        return reply;
    }

    /// <summary>After an EVAL: the body becomes runnable by its sha everywhere.</summary>
    public void Remember(byte[] body)
    {
        var sha = ScriptEngine.Sha1Hex(body);
        if (!_bySha.ContainsKey(sha)) _ = RememberAsync(sha, body);
    }

    private async Task RememberAsync(string sha, byte[] body)
    {
        _bySha[sha] = body;
        if (Cluster is { } cluster) await cluster.Add(sha, body).ConfigureAwait(false);
    }

    /// <summary>The body of <paramref name="sha"/> (any case), or null when the cluster does not know it.</summary>
    public async ValueTask<byte[]?> FindAsync(string sha)
    {
        sha = sha.ToLowerInvariant();
        if (_bySha.TryGetValue(sha, out var body)) return body;
        if (sha.Length != 40 || Cluster is not { } cluster) return null;
        body = await cluster.Get(sha).ConfigureAwait(false);
        if (body is not null) _bySha[sha] = body;
        return body;
    }

    /// <summary>The body of a sha (any case) this process knows, found without allocating; null otherwise.</summary>
    private byte[]? Known(byte[] sha)
    {
        if (sha.Length != 40) return null;
        Span<char> text = stackalloc char[40];
        for (int i = 0; i < text.Length; i++) text[i] = (char)(sha[i] is >= (byte)'A' and <= (byte)'Z' ? sha[i] + 32 : sha[i]);
        return _bySha.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var body) ? body : null;
    }

    private static readonly Reply NoScript = Reply.Error("NOSCRIPT No matching script. Please use EVAL.");

    private static readonly CommandInfo Eval = CommandTable.Find("EVAL")!, EvalRo = CommandTable.Find("EVAL_RO")!,
        EvalSha = CommandTable.Find("EVALSHA")!, EvalShaRo = CommandTable.Find("EVALSHA_RO")!;

    private static readonly bool[] ScriptRows = [.. CommandTable.Rows.Select(c => c == Eval || c == EvalRo || c == EvalSha || c == EvalShaRo)];

    /// <summary>True for EVAL, EVAL_RO, EVALSHA and EVALSHA_RO, which <see cref="PrepareAsync"/> must see before they are sent.</summary>
    public static bool Concerns(Command command) => ScriptRows[command.Info.Id];

    private static readonly CommandInfo Function = CommandTable.Find("FUNCTION")!;

    /// <summary>FUNCTION KILL: it goes around the partitions' locks (<see cref="ICommandExecutor.KillScriptAsync"/>).</summary>
    public static bool IsFunctionKill(Command command) =>
        command.Info == Function && command.Argv.Length == 2 && Args.Is(command.Argv[1], "KILL");

    /// <summary>
    /// Before sending: an EVAL's body is remembered by its sha; an EVALSHA becomes the EVAL of its body (-NOSCRIPT when the
    /// cluster does not know the sha), so the partition that runs it needs nothing cached.
    /// </summary>
    public async ValueTask<(Command Command, Reply? Error)> PrepareAsync(Command command)
    {
        var (info, argv) = command;
        if (info == Eval || info == EvalRo)
        {
            Remember(argv[1]);
            return (command, null);
        }
        // The key count is checked before the sha, as Redis does.
        if (!Args.TryLong(argv[2], out long keys)) return (command, Errors.NotInteger);
        if (keys < 0) return (command, Reply.Error("ERR Number of keys can't be negative"));
        if (keys > argv.Length - 3) return (command, Reply.Error("ERR Number of keys can't be greater than number of args"));
        var body = Known(argv[1]) ?? await FindAsync(Args.Text(argv[1])).ConfigureAwait(false);
        if (body is null) return (command, NoScript);
        var rewritten = (byte[][])argv.Clone();
        rewritten[1] = body;
        return (new Command(info == EvalShaRo ? EvalRo : Eval, rewritten), null);
    }

    /// <summary>SCRIPT EXISTS.</summary>
    public async ValueTask<bool[]> ExistsAsync(string[] shas)
    {
        var lower = shas.Select(s => s.ToLowerInvariant()).ToArray();
        if (Cluster is { } cluster) return await cluster.Exists(lower).ConfigureAwait(false);
        return [.. lower.Select(_bySha.ContainsKey)];
    }

    /// <summary>SCRIPT FLUSH: forgets every script here and in the cluster's cache.</summary>
    public async ValueTask FlushAsync()
    {
        _bySha.Clear();
        if (_compiler.IsValueCreated)
        {
            var compiler = _compiler.Value;
            lock (compiler) compiler.Flush(); // it compiled every script SCRIPT LOAD checked
        }
        if (Cluster is { } cluster) await cluster.Flush().ConfigureAwait(false);
    }
}
