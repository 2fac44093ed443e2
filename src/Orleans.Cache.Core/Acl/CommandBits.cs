namespace Orleans.Cache.Core.Acl;

/// <summary>
/// The commands a user may run (Redis's allowed_commands bitmap plus allowed_firstargs): one bit per
/// <see cref="AclCommand"/>, the "future commands" bit that only <c>+@all</c> sets, and first arguments allowed for
/// commands that are otherwise denied (<c>+select|0</c>).
/// </summary>
internal sealed class CommandBits
{
    private readonly ulong[] _bits = new ulong[(AclCommands.Count + 63) / 64];

    /// <summary>Set by <c>+@all</c> (and <c>allcommands</c>), cleared by <c>-@all</c>: ACL GETUSER starts from "+@all".</summary>
    public bool Future;

    /// <summary>Lower-case first arguments allowed per command id, for commands whose bit is off.</summary>
    public Dictionary<int, List<string>>? FirstArgs;

    public bool Get(int id) => (_bits[id >> 6] & (1UL << (id & 63))) != 0;

    public void Set(int id, bool on)
    {
        if (on) _bits[id >> 6] |= 1UL << (id & 63);
        else _bits[id >> 6] &= ~(1UL << (id & 63));
    }

    /// <summary>Redis's ACLChangeSelectorPerm: the command, and a container's every subcommand; its first args are forgotten.</summary>
    public void Change(AclCommand command, bool allow)
    {
        Set(command.Id, allow);
        FirstArgs?.Remove(command.Id);
        foreach (var sub in command.Subcommands) Set(sub.Id, allow);
    }

    /// <summary><c>+@category</c> / <c>-@category</c>: every command and subcommand in it.</summary>
    public void SetCategory(ulong category, bool allow)
    {
        foreach (var command in AclCommands.All)
            if ((command.Categories & category) != 0) Change(command, allow);
    }

    /// <summary><c>+@all</c> / <c>-@all</c>.</summary>
    public void SetAll(bool allow)
    {
        Array.Fill(_bits, allow ? ulong.MaxValue : 0);
        Future = allow;
        FirstArgs = null;
    }

    /// <summary>Every command and subcommand is allowed.</summary>
    public bool AllSet
    {
        get
        {
            for (int id = 0; id < AclCommands.Count; id++) if (!Get(id)) return false;
            return true;
        }
    }

    public void CountCategory(ulong category, out int on, out int off)
    {
        on = off = 0;
        foreach (var command in AclCommands.All)
        {
            if ((command.Categories & category) == 0) continue;
            if (Get(command.Id)) on++;
            else off++;
        }
    }

    public void AddFirstArg(int id, string arg)
    {
        FirstArgs ??= [];
        if (!FirstArgs.TryGetValue(id, out var args)) FirstArgs[id] = args = [];
        if (!args.Contains(arg)) args.Add(arg);
    }

    public CommandBits Clone()
    {
        var copy = new CommandBits { Future = Future };
        Array.Copy(_bits, copy._bits, _bits.Length);
        if (FirstArgs is not null) copy.FirstArgs = FirstArgs.ToDictionary(p => p.Key, p => new List<string>(p.Value));
        return copy;
    }

    /// <summary>
    /// The rules ACL GETUSER shows (Redis 7.0's ACLDescribeSelectorCommandRules): "+@all" or "-@all", then, one at a time,
    /// the category that best fits the allowed (or, from +@all, the denied) commands not yet covered, then single commands
    /// and subcommands in table order until the bits are exactly these, then allowed first args. Replaying the result gives
    /// the same bits. (Which category fits best depends on the commands in it, so where this table's commands differ from
    /// redis-server's, two categories may come in another order.)
    /// </summary>
    public string Describe()
    {
        var rules = new System.Text.StringBuilder();
        bool additive = !Future;
        var fake = new CommandBits();
        fake.SetAll(!additive);
        rules.Append(additive ? "-@all " : "+@all ");
        var temp = Clone();
        while (true)
        {
            // The best category this round: more in common with the user than not, the fewest differences, then the most in common.
            int best = -1, minDiff = int.MaxValue, maxSame = 0;
            for (int j = 0; j < AclCategories.Names.Count; j++)
            {
                temp.CountCategory(1UL << j, out int on, out int off);
                int diff = additive ? off : on, same = additive ? on : off;
                if (same > diff && (diff < minDiff || diff == minDiff && same > maxSame))
                {
                    best = j;
                    minDiff = diff;
                    maxSame = same;
                }
            }
            if (best < 0) break;
            ulong category = 1UL << best;
            rules.Append(additive ? "+@" : "-@").Append(AclCategories.Names[best]).Append(' ');
            fake.SetCategory(category, additive);
            temp.SetCategory(category, !additive);
        }
        foreach (var command in AclCommands.All)
        {
            if (command.Subcommand is not null) continue;
            bool mine = Get(command.Id);
            if (mine != fake.Get(command.Id))
            {
                rules.Append(mine ? '+' : '-').Append(command.FullName).Append(' ');
                fake.Change(command, mine);
            }
            foreach (var sub in command.Subcommands)
            {
                bool subMine = Get(sub.Id);
                if (subMine == fake.Get(sub.Id)) continue;
                rules.Append(subMine ? '+' : '-').Append(sub.FullName).Append(' ');
                fake.Set(sub.Id, subMine);
            }
            if (!mine && FirstArgs is not null && FirstArgs.TryGetValue(command.Id, out var args))
                foreach (var arg in args) rules.Append('+').Append(command.FullName).Append('|').Append(arg).Append(' ');
        }
        rules.Length--; // the last space
        return rules.ToString();
    }
}
