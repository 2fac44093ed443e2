using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

// SCRIPT LOAD / EXISTS / FLUSH / KILL / HELP: the cluster-wide script cache (EVAL and EVALSHA run in the partitions).
internal sealed partial class ServerCommands
{
    /// <summary>SCRIPT: answered after the round's data commands (it may ask the cluster's script registry).</summary>
    private static Reply? Script(byte[][] argv, ref AfterReply after)
    {
        var sub = argv[1];
        if (Args.Is(sub, "KILL") && argv.Length != 2) return SubcommandArity("script|kill");
        if (Args.Is(sub, "HELP"))
            return Help("SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "EXISTS <sha1> [<sha1> ...]", "    Return information about the existence of the scripts in the script cache.",
                "FLUSH [ASYNC|SYNC]", "    Flush the Lua scripts cache.",
                "KILL", "    Kill the currently executing Lua script.",
                "LOAD <script>", "    Load a script into the scripts cache without executing it.",
                "HELP", "    Print this help.");
        if (!Args.Is(sub, "LOAD") && !Args.Is(sub, "EXISTS") && !Args.Is(sub, "FLUSH") && !Args.Is(sub, "KILL")) return UnknownSubcommand(sub, "SCRIPT");
        after = AfterReply.Deferred;
        return null;
    }

    internal async ValueTask<Reply> ScriptAsync(byte[][] argv)
    {
        var scripts = node.Executor.Scripts;
        var sub = argv[1];
        if (Args.Is(sub, "KILL")) return await node.Executor.KillScriptAsync(function: false);
        if (Args.Is(sub, "LOAD")) return argv.Length == 3 ? await scripts.LoadAsync(argv[2]) : SubcommandArity("script|load");
        if (Args.Is(sub, "EXISTS"))
        {
            if (argv.Length < 3) return SubcommandArity("script|exists");
            var found = await scripts.ExistsAsync([.. argv[2..].Select(Args.Text)]);
            return Reply.Array([.. found.Select(f => Reply.Int(f ? 1 : 0))]);
        }
        if (argv.Length > 3) return SubcommandArity("script|flush");
        if (argv.Length == 3 && !Args.Is(argv[2], "ASYNC") && !Args.Is(argv[2], "SYNC"))
            return Reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        await scripts.FlushAsync();
        return Reply.Ok;
    }
}
