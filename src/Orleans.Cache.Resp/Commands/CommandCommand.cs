using Orleans.Cache.Core;
using Orleans.Cache.Core.Acl;

namespace Orleans.Cache.Resp.Commands;

// COMMAND [COUNT | INFO | DOCS | LIST | GETKEYS | HELP]: everything generated from the one command table.
internal sealed partial class ServerCommands
{
    private static Reply? s_allInfo;

    private static Reply CommandCommand(byte[][] argv)
    {
        if (argv.Length == 1) return s_allInfo ??= AllInfo();
        var sub = argv[1];
        if (Args.Is(sub, "COUNT")) return argv.Length == 2 ? Reply.Int(CommandTable.All.Count) : SubcommandArity("command|count");
        if (Args.Is(sub, "INFO"))
        {
            if (argv.Length == 2) return s_allInfo ??= AllInfo();
            var infos = new Reply[argv.Length - 2];
            for (int i = 2; i < argv.Length; i++)
                infos[i - 2] = CommandTable.Find(argv[i]) is { } c ? Info(c) : Reply.NilArray;
            return Reply.Array(infos);
        }
        if (Args.Is(sub, "DOCS"))
        {
            var docs = new List<Reply>();
            if (argv.Length == 2) foreach (var c in CommandTable.All) AddDocs(docs, c.Name);
            else for (int i = 2; i < argv.Length; i++) AddDocs(docs, Args.Text(argv[i]));
            return Reply.Map([.. docs]);
        }
        if (Args.Is(sub, "LIST")) return CommandList(argv);
        if (Args.Is(sub, "GETKEYS") || Args.Is(sub, "GETKEYSANDFLAGS"))
        {
            if (argv.Length < 4) return SubcommandArity(Args.Is(sub, "GETKEYS") ? "command|getkeys" : "command|getkeysandflags");
            return GetKeys(argv[2..], withFlags: !Args.Is(sub, "GETKEYS"));
        }
        if (Args.Is(sub, "HELP"))
            return Help("COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "(no subcommand)", "    Return details about all commands.",
                "COUNT", "    Return the total number of commands in this server.",
                "LIST", "    Return a list of all commands in this server.",
                "INFO [<command-name> ...]", "    Return details about multiple commands.",
                "DOCS [<command-name> ...]", "    Return documentation details about multiple commands.",
                "GETKEYS <full-command>", "    Return the keys from a full command.",
                "GETKEYSANDFLAGS <full-command>", "    Return the keys and the access flags from a full command.",
                "HELP", "    Print this help.");
        return UnknownSubcommand(sub, "COMMAND");
    }

    private static Reply AllInfo()
    {
        var all = new Reply[CommandTable.All.Count];
        for (int i = 0; i < all.Length; i++) all[i] = Info(CommandTable.All[i]);
        return Reply.Array(all);
    }

    /// <summary>Redis 7's COMMAND INFO entry: name, arity, flags, first/last/step, ACL categories, tips, key specs, subcommands.</summary>
    private static Reply Info(CommandInfo c) => Reply.Array([
        Reply.Bulk(c.Name.ToLowerInvariant()),
        Reply.Int(c.Arity),
        Reply.Set(FlagNames(c)),
        Reply.Int(c.FirstKey),
        Reply.Int(c.LastKey),
        Reply.Int(c.Step),
        Reply.Set(Categories(c)),
        Reply.EmptyArray,
        KeySpecs(c),
        Reply.EmptyArray,
    ]);

    private static readonly (CommandFlags Flag, string Name)[] FlagTexts =
    [
        (CommandFlags.Write, "write"), (CommandFlags.ReadOnly, "readonly"), (CommandFlags.DenyOom, "denyoom"),
        (CommandFlags.Admin, "admin"), (CommandFlags.PubSub, "pubsub"), (CommandFlags.NoScript, "noscript"),
        (CommandFlags.Blocking, "blocking"), (CommandFlags.Loading, "loading"), (CommandFlags.Stale, "stale"),
        (CommandFlags.Fast, "fast"), (CommandFlags.NoAuth, "no_auth"), (CommandFlags.NoMulti, "no_multi"), (CommandFlags.AllowBusy, "allow_busy"),
    ];

    private static Reply[] FlagNames(CommandInfo c)
    {
        var names = new List<Reply>();
        foreach (var (flag, name) in FlagTexts) if ((c.Flags & flag) != 0) names.Add(Reply.Simple(name));
        return [.. names];
    }

    /// <summary>The row's ACL categories (the one table decides them: <see cref="AclCategories.Of"/>), in Redis's order.</summary>
    private static Reply[] Categories(CommandInfo c) => [.. AclCategories.NamesOf(AclCategories.Of(c)).Select(Reply.Simple)];

    /// <summary>One key spec from the first/last/step triple: index search, then a range of keys.</summary>
    private static Reply KeySpecs(CommandInfo c)
    {
        if (c.FirstKey == 0) return Reply.EmptyArray;
        return Reply.Array([Reply.Map([
            Reply.Bulk("flags"), Reply.Set([Reply.Simple(c.IsWrite ? "RW" : "RO"), Reply.Simple(c.IsWrite ? "UPDATE" : "ACCESS")]),
            Reply.Bulk("begin_search"), Reply.Map([
                Reply.Bulk("type"), Reply.Bulk("index"),
                Reply.Bulk("spec"), Reply.Map([Reply.Bulk("index"), Reply.Int(c.FirstKey)]),
            ]),
            Reply.Bulk("find_keys"), Reply.Map([
                Reply.Bulk("type"), Reply.Bulk("range"),
                Reply.Bulk("spec"), Reply.Map([
                    Reply.Bulk("lastkey"), Reply.Int(c.LastKey < 0 ? c.LastKey : c.LastKey - c.FirstKey),
                    Reply.Bulk("keystep"), Reply.Int(c.Step),
                    Reply.Bulk("limit"), Reply.Int(0),
                ]),
            ]),
        ])]);
    }

    /// <summary>
    /// One COMMAND DOCS entry: a command of the table (or "container|subcommand" of one) and Redis's docs for it. A row the
    /// docs data lacks still answers its group, so every command has an entry.
    /// </summary>
    private static void AddDocs(List<Reply> docs, string requested)
    {
        var name = requested.ToLowerInvariant();
        int bar = name.IndexOf('|');
        var row = CommandTable.Find(bar < 0 ? name : name[..bar]);
        if (row is null) return;
        var doc = CommandDocs.Of(name);
        if (doc is null && bar >= 0) return;
        docs.Add(Reply.Bulk(name));
        docs.Add(doc ?? Reply.Map([Reply.Bulk("summary"), Reply.Bulk(""), Reply.Bulk("since"), Reply.Bulk("1.0.0"), Reply.Bulk("group"), Reply.Bulk(row.Group)]));
    }

    private static Reply CommandList(byte[][] argv)
    {
        byte[]? pattern = null;
        string? category = null;
        if (argv.Length != 2)
        {
            if (argv.Length != 5 || !Args.Is(argv[2], "FILTERBY")) return Errors.Syntax;
            if (Args.Is(argv[3], "PATTERN")) pattern = argv[4];
            else if (Args.Is(argv[3], "ACLCAT")) category = "@" + Args.Text(argv[4]).ToLowerInvariant();
            else if (Args.Is(argv[3], "MODULE")) return Reply.EmptyArray;
            else return Errors.Syntax;
        }
        var names = new List<Reply>();
        foreach (var c in CommandTable.All)
        {
            var name = c.Name.ToLowerInvariant();
            if (pattern is not null && !Glob.IsMatch(pattern, Args.Bytes(name))) continue;
            if (category is not null && !HasCategory(c, category)) continue;
            names.Add(Reply.Bulk(name));
        }
        return Reply.Array([.. names]);
    }

    private static bool HasCategory(CommandInfo c, string category)
    {
        foreach (var r in Categories(c)) if (r.Text == category) return true;
        return false;
    }

    /// <summary>
    /// COMMAND GETKEYS / GETKEYSANDFLAGS: the key positions routing uses (<see cref="CommandInfo.KeyIndexes"/>: fixed
    /// ranges, key counts as in ZUNIONSTORE/BLMPOP/EVAL, keywords as in GEORADIUS … STORE), in argument order.
    /// </summary>
    private static Reply GetKeys(byte[][] command, bool withFlags)
    {
        var c = CommandTable.Find(command[0]);
        if (c is null) return Reply.Error("ERR Invalid command specified");
        if (!c.AcceptsArgCount(command.Length)) return Reply.Error("ERR Invalid number of arguments specified for command");
        if (c.Keys(command.Length).IsEmpty && c.HasFixedKeyPositions) return Reply.Error("ERR The command has no key arguments");
        if (c.NumKeysAt > 0)
        {
            if (!Args.TryLong(command[c.NumKeysAt], out long count) || count < 0 || count > command.Length - c.NumKeysAt - 1)
                return Reply.Error("ERR Invalid arguments specified for command");
            // A key count of 0 is a valid EVAL/FCALL, and an error of the command everywhere else.
            if (count == 0 && c.Group != "scripting") return Reply.Error("ERR Invalid number of arguments specified for command");
        }
        var result = new List<Reply>();
        foreach (int i in c.KeyIndexes(command).Distinct().Order())
        {
            var key = Reply.Bulk(command[i]);
            result.Add(withFlags ? Reply.Array([key, Reply.Set([Reply.Simple(c.IsWrite ? "RW" : "RO")])]) : key);
        }
        return Reply.Array([.. result]);
    }
}
