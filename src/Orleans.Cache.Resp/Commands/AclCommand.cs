using System.Security.Cryptography;
using Orleans.Cache.Core;
using Orleans.Cache.Core.Acl;

namespace Orleans.Cache.Resp.Commands;

// ACL CAT | DELUSER | DRYRUN | GENPASS | GETUSER | LIST | LOAD | LOG | SAVE | SETUSER | USERS | WHOAMI | HELP, and the
// check every command of a connection passes (the rules are Core's: Orleans.Cache.Core.Acl).
internal sealed partial class ServerCommands
{
    private static readonly Reply NoAclFile = Reply.Error(
        "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER " +
        "command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users " +
        "in the Redis configuration.");

    /// <summary>
    /// The ACL check of one command (Redis's ACLCheckAllPerm in processCommand): null when <paramref name="client"/>'s user
    /// may run it, else the -NOPERM reply, logged in ACL LOG. The connection calls it only for a user that is not
    /// <see cref="AclUser.Unrestricted"/>.
    /// </summary>
    internal Reply? CheckAcl(RespSession client, CommandInfo command, byte[][] argv)
    {
        var user = CurrentUser(client);
        if (user.Unrestricted) return null;
        var denial = user.Check(command, argv, out var what, out _);
        if (denial == AclDenial.None) return null;
        node.LogAclFailure(client, AclLog.ReasonOf(denial), client.Multi is not null ? "multi" : "toplevel", what, user.Name);
        return AclErrors.NoPerm(denial, user.Name, what);
    }

    /// <summary>The client's user as the latest version of the users has it (after ACL SETUSER changed it).</summary>
    private AclUser CurrentUser(RespSession client)
    {
        var user = client.User;
        if (user.Superseded && node.Acl.Current.Find(user.Name) is { } latest) client.User = user = latest;
        return user;
    }

    /// <summary>
    /// EXEC checks the queued commands again, as Redis does (the user may have changed since they were queued): the
    /// reply for each command that is no longer allowed, or null when all are.
    /// </summary>
    internal Reply?[]? RecheckAcl(RespSession client, List<Command> commands)
    {
        var user = CurrentUser(client);
        if (user.Unrestricted) return null;
        Reply?[]? refused = null;
        for (int i = 0; i < commands.Count; i++)
        {
            var denial = user.Check(commands[i].Info, commands[i].Argv, out var what, out _);
            if (denial == AclDenial.None) continue;
            node.LogAclFailure(client, AclLog.ReasonOf(denial), "multi", what, user.Name);
            (refused ??= new Reply?[commands.Count])[i] = AclErrors.ChangedSinceQueued(denial);
        }
        return refused;
    }

    private Reply? AclSubcommand(RespSession client, byte[][] argv, ref AfterReply after)
    {
        var sub = argv[1];
        if (Args.Is(sub, "WHOAMI")) return argv.Length == 2 ? Reply.Bulk(CurrentUser(client).Name) : SubcommandArity("acl|whoami");
        if (Args.Is(sub, "CAT")) return argv.Length <= 3 ? Cat(argv) : AclSyntax(sub);
        if (Args.Is(sub, "USERS"))
            return argv.Length == 2 ? Reply.Array([.. node.Acl.Current.Users.Select(u => Reply.Bulk(u.Name))]) : SubcommandArity("acl|users");
        if (Args.Is(sub, "LIST"))
            return argv.Length == 2 ? Reply.Array([.. node.Acl.Current.Users.Select(u => Reply.Bulk(u.Describe()))]) : SubcommandArity("acl|list");
        if (Args.Is(sub, "GETUSER")) return argv.Length == 3 ? GetUser(Args.Text(argv[2])) : SubcommandArity("acl|getuser");
        if (Args.Is(sub, "GENPASS")) return argv.Length <= 3 ? GenPass(argv) : AclSyntax(sub);
        if (Args.Is(sub, "LOG")) return argv.Length <= 3 ? AclLogReply(argv) : AclSyntax(sub);
        if (Args.Is(sub, "DRYRUN")) return argv.Length >= 4 ? DryRun(argv) : SubcommandArity("acl|dryrun");
        if (Args.Is(sub, "SETUSER")) return argv.Length >= 3 ? Defer(ref after) : SubcommandArity("acl|setuser");
        if (Args.Is(sub, "DELUSER")) return argv.Length >= 3 ? Defer(ref after) : SubcommandArity("acl|deluser");
        if (Args.Is(sub, "LOAD") || Args.Is(sub, "SAVE"))
        {
            if (argv.Length != 2) return SubcommandArity(Args.Is(sub, "LOAD") ? "acl|load" : "acl|save");
            return node.Config.Get("aclfile") is { Length: > 0 } ? Defer(ref after) : NoAclFile;
        }
        if (Args.Is(sub, "HELP"))
            return argv.Length == 2 ? AclHelp() : SubcommandArity("acl|help");
        return UnknownSubcommand(sub, "ACL");
    }

    private static Reply AclSyntax(byte[] sub) =>
        Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{Args.Text(sub)}'. Try ACL HELP.");

    /// <summary>The second half of ACL SETUSER, DELUSER, LOAD and SAVE: they change (or read) the cluster's users.</summary>
    private async ValueTask<Reply> AclAsync(byte[][] argv)
    {
        var sub = argv[1];
        if (Args.Is(sub, "SETUSER"))
        {
            var error = await node.Acl.SetUserAsync(Args.Text(argv[2]), argv[3..]);
            return error is null ? Reply.Ok : Reply.Error(error);
        }
        if (Args.Is(sub, "DELUSER"))
        {
            var (error, deleted) = await node.Acl.DelUserAsync([.. argv[2..].Select(Args.Text)]);
            return error is null ? Reply.Int(deleted) : Reply.Error(error);
        }
        var path = node.Config.Get("aclfile")!;
        if (Args.Is(sub, "SAVE"))
        {
            try
            {
                var temp = path + ".tmp-" + Environment.ProcessId;
                await File.WriteAllLinesAsync(temp, node.Acl.Current.Users.Select(u => u.Describe()));
                File.Move(temp, path, overwrite: true);
                return Reply.Ok;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Reply.Error("ERR There was an error trying to save the ACLs. Please check the server logs for more information");
            }
        }
        string[] lines;
        try { lines = await File.ReadAllLinesAsync(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Reply.Error($"ERR Error loading ACLs, opening file '{path}': {e.Message}");
        }
        if (AclUsers.ParseFile(lines, out var records) is { } bad) return Reply.Error(bad);
        var loadError = await node.Acl.ReplaceAsync(records);
        return loadError is null ? Reply.Ok : Reply.Error(loadError);
    }

    private static Reply Cat(byte[][] argv)
    {
        if (argv.Length == 2) return Reply.Array([.. AclCategories.Names.Select(Reply.Bulk)]);
        var name = Args.Text(argv[2]);
        ulong category = AclCategories.Bit(name);
        if (category == 0) return Reply.Error($"ERR Unknown category '{name}'");
        return Reply.Array([.. AclCommands.All.Where(c => (c.Categories & category) != 0).Select(c => Reply.Bulk(c.FullName))]);
    }

    private Reply GetUser(string name)
    {
        if (node.Acl.Current.Find(name) is not { } user) return Reply.Nil;
        return Reply.Map([
            Reply.Bulk("flags"), Reply.Set([.. user.Flags().Select(Reply.Bulk)]),
            Reply.Bulk("passwords"), Reply.Array([.. user.Passwords.Select(Reply.Bulk)]),
            Reply.Bulk("commands"), Reply.Bulk(user.CommandRules()),
            Reply.Bulk("keys"), Reply.Bulk(user.KeyRules()),
            Reply.Bulk("channels"), Reply.Bulk(user.ChannelRules()),
            Reply.Bulk("selectors"), Reply.EmptyArray,
        ]);
    }

    private static Reply GenPass(byte[][] argv)
    {
        long bits = 256;
        if (argv.Length == 3 && !Args.TryLong(argv[2], out bits)) return Errors.NotInteger;
        if (bits <= 0 || bits > 4096)
            return Reply.Error("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096");
        int chars = (int)((bits + 3) / 4);
        return Reply.Bulk(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes((chars + 1) / 2))[..chars]);
    }

    private Reply AclLogReply(byte[][] argv)
    {
        long count = 10;
        if (argv.Length == 3)
        {
            if (Args.Is(argv[2], "RESET"))
            {
                node.AclLog.Reset();
                return Reply.Ok;
            }
            if (!Args.TryLong(argv[2], out count)) return Errors.NotInteger;
        }
        return node.AclLog.Entries(Math.Max(0, count), node.Time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>ACL DRYRUN user command [arg …]: OK, or why the user may not run it (a bulk string, naming the key or channel).</summary>
    private Reply DryRun(byte[][] argv)
    {
        var name = Args.Text(argv[2]);
        if (node.Acl.Current.Find(name) is not { } user) return Reply.Error($"ERR User '{name}' not found");
        var command = CommandTable.Find(argv[3]);
        if (command is null) return Reply.Error($"ERR Command '{Args.Text(argv[3])}' not found");
        var request = argv[3..];
        if (!command.AcceptsArgCount(request.Length)) return Errors.WrongArity(command.Name);
        var denial = user.Check(command, request, out var what, out _);
        return denial == AclDenial.None ? Reply.Ok : Reply.Bulk(AclErrors.Message(denial, user.Name, what, verbose: true));
    }

    private static Reply AclHelp() => Help("ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]", "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]", "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]", "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>", "    Get the user's details.",
        "GENPASS [<bits>]", "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST", "    Show users details in config file format.",
        "LOAD", "    Reload users from the ACL file.",
        "LOG [<count> | RESET]", "    Show the ACL log entries.",
        "SAVE", "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]", "    Create or modify a user with the specified attributes.",
        "USERS", "    List all the registered usernames.",
        "WHOAMI", "    Return the current connection username.",
        "HELP", "    Prints this help.");
}
