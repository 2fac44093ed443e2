namespace Orleans.Cache.Core.Acl;

/// <summary>
/// Redis's ACL categories (ACL CAT, COMMAND INFO, <c>+@category</c> rules). A command's categories come from its row of
/// the one command table: those its flags imply (as Redis's setImplicitACLCategories), the one its group names, and any
/// the row adds (<see cref="CommandInfo.AclCategories"/>). A container's subcommands get theirs from
/// <see cref="CommandInfo.AclSubcommands"/>.
/// </summary>
internal static class AclCategories
{
    /// <summary>Every category, in Redis's order (ACL CAT's, and the order COMMAND INFO lists a command's categories in).</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo", "stream",
        "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ];

    /// <summary>The bit of category <paramref name="name"/> (any case, without "@"), or 0 when there is none.</summary>
    public static ulong Bit(string name)
    {
        for (int i = 0; i < Names.Count; i++)
            if (string.Equals(Names[i], name, StringComparison.OrdinalIgnoreCase)) return 1UL << i;
        return 0;
    }

    private static ulong B(string name) => Bit(name) is var bit && bit != 0 ? bit : throw new ArgumentException($"no ACL category {name}");

    private static readonly ulong Write = B("write"), Read = B("read"), Admin = B("admin"), Dangerous = B("dangerous"),
        PubSub = B("pubsub"), Fast = B("fast"), Slow = B("slow"), Blocking = B("blocking");

    /// <summary>"@a @b" → their bits (a programming error throws: the table's own strings).</summary>
    internal static ulong Parse(string? categories)
    {
        ulong mask = 0;
        foreach (var name in (categories ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)) mask |= B(name.TrimStart('@'));
        return mask;
    }

    /// <summary>The category a command group implies: "@keyspace" for generic, none for server and cluster commands.</summary>
    private static ulong OfGroup(string group) => group switch
    {
        "generic" => B("keyspace"),
        "sorted-set" => B("sortedset"),
        "transactions" => B("transaction"),
        "server" or "cluster" => 0,
        var other => Bit(other),
    };

    /// <summary>Redis's setImplicitACLCategories: what the flags imply (scripting commands are never @read).</summary>
    internal static ulong Implied(CommandFlags flags, bool scripting)
    {
        ulong mask = 0;
        if ((flags & CommandFlags.Write) != 0) mask |= Write;
        if ((flags & CommandFlags.ReadOnly) != 0 && !scripting) mask |= Read;
        if ((flags & CommandFlags.Admin) != 0) mask |= Admin | Dangerous;
        if ((flags & CommandFlags.PubSub) != 0) mask |= PubSub;
        if ((flags & CommandFlags.Fast) != 0) mask |= Fast;
        if ((flags & CommandFlags.Blocking) != 0) mask |= Blocking;
        if ((mask & Fast) == 0) mask |= Slow;
        return mask;
    }

    private static readonly ulong[] ByRow = [.. CommandTable.Rows.Select(Compute)];

    private static ulong Compute(CommandInfo c)
    {
        // A container (CONFIG, CLIENT …) is only @slow itself, plus what its row adds; its subcommands carry the rest.
        if (c.AclSubcommands is not null) return Slow | Parse(c.AclCategories);
        return Implied(c.Flags, c.Group == "scripting") | OfGroup(c.Group) | Parse(c.AclCategories);
    }

    /// <summary>The categories of a row of the command table.</summary>
    public static ulong Of(CommandInfo command) => ByRow[command.Id];

    /// <summary>The names of the categories in <paramref name="mask"/>, "@"-prefixed, in Redis's order.</summary>
    public static IEnumerable<string> NamesOf(ulong mask)
    {
        for (int i = 0; i < Names.Count; i++)
            if ((mask & (1UL << i)) != 0) yield return "@" + Names[i];
    }
}

/// <summary>A command as ACL rules name it: a row of the command table, or one subcommand of a container ("config|get").</summary>
internal sealed class AclCommand
{
    internal AclCommand(int id, CommandInfo row, string? subcommand, ulong categories)
    {
        Id = id;
        Row = row;
        Subcommand = subcommand;
        SubcommandUpper = subcommand?.ToUpperInvariant();
        Categories = categories;
        FullName = subcommand is null ? row.Name.ToLowerInvariant() : row.Name.ToLowerInvariant() + "|" + subcommand;
    }

    /// <summary>Its bit in a user's allowed-commands set.</summary>
    public int Id { get; }
    public CommandInfo Row { get; }
    /// <summary>The lower-case subcommand name, or null for a command.</summary>
    public string? Subcommand { get; }
    internal string? SubcommandUpper { get; }
    public ulong Categories { get; }
    /// <summary>"get", "config|get": what NOPERM, ACL LOG and ACL GETUSER call it.</summary>
    public string FullName { get; }
    /// <summary>A container's subcommands; empty for other commands and for subcommands.</summary>
    public IReadOnlyList<AclCommand> Subcommands { get; internal set; } = [];

    public override string ToString() => FullName;
}

/// <summary>Every command and container subcommand as ACL rules see them, numbered once.</summary>
internal static class AclCommands
{
    private static readonly AclCommand[] ByRow;

    /// <summary>Commands (in table order), each followed by its subcommands.</summary>
    public static IReadOnlyList<AclCommand> All { get; }

    static AclCommands()
    {
        var all = new List<AclCommand>();
        ByRow = new AclCommand[CommandTable.All.Count];
        foreach (var row in CommandTable.All)
        {
            var command = new AclCommand(all.Count, row, null, AclCategories.Of(row));
            all.Add(command);
            ByRow[row.Id] = command;
            if (row.AclSubcommands is not { } spec) continue;
            var subs = new List<AclCommand>();
            ulong common = 0;
            foreach (var part in spec.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (part[0] == '@')
                {
                    common |= AclCategories.Parse(part);
                    continue;
                }
                int colon = part.IndexOf(':');
                var flags = CommandFlags.None;
                foreach (char f in colon < 0 ? "" : part[(colon + 1)..])
                    flags |= f switch
                    {
                        'A' => CommandFlags.Admin,
                        'W' => CommandFlags.Write,
                        'R' => CommandFlags.ReadOnly,
                        'P' => CommandFlags.PubSub,
                        _ => throw new InvalidOperationException($"bad subcommand flag in {row.Name}: {part}"),
                    };
                var sub = new AclCommand(all.Count, row, colon < 0 ? part : part[..colon], AclCategories.Implied(flags, false) | common);
                all.Add(sub);
                subs.Add(sub);
            }
            command.Subcommands = subs;
        }
        All = all;
    }

    public static int Count => All.Count;

    /// <summary>The ACL entry of a row of <see cref="CommandTable.All"/>.</summary>
    public static AclCommand Of(CommandInfo row) => ByRow[row.Id];

    /// <summary>A subcommand of <paramref name="container"/> by its name as sent (any case), or null.</summary>
    public static AclCommand? Subcommand(AclCommand container, ReadOnlySpan<byte> name)
    {
        foreach (var sub in container.Subcommands)
            if (Args.Is(name, sub.SubcommandUpper!)) return sub;
        return null;
    }

    /// <summary>"get" or "config|get" (any case), or null when there is no such command or subcommand.</summary>
    public static AclCommand? Find(string name)
    {
        int bar = name.IndexOf('|');
        var row = CommandTable.Find(bar < 0 ? name : name[..bar]);
        if (row is null) return null;
        var command = Of(row);
        if (bar < 0) return command;
        var subName = name[(bar + 1)..];
        foreach (var sub in command.Subcommands)
            if (string.Equals(sub.Subcommand, subName, StringComparison.OrdinalIgnoreCase)) return sub;
        return null;
    }
}
