using System.Security.Cryptography;
using System.Text;

namespace Orleans.Cache.Core.Acl;

/// <summary>What an ACL key pattern grants: <c>%R~</c>, <c>%W~</c>, or both (<c>~</c>, <c>%RW~</c>).</summary>
[Flags]
internal enum AclKeyAccess : byte
{
    None = 0,
    Read = 1,
    Write = 2,
    ReadWrite = Read | Write,
}

/// <summary>Why a user may not run a command (Redis's ACL_DENIED_*), or None.</summary>
internal enum AclDenial
{
    None,
    Command,
    Key,
    Channel,
}

/// <summary>
/// One ACL user with Redis 7's rules (one root selector): on/off, passwords (SHA-256, as ACL LIST shows them), allowed
/// commands and categories, key patterns with read/write permissions, channel patterns. Built by applying rules
/// (<see cref="Apply"/>) to a fresh or copied user, then frozen: the <see cref="AclUsers"/> that holds it never changes it.
/// </summary>
internal sealed class AclUser
{
    private readonly List<string> _passwords = [];
    private readonly List<(string Pattern, byte[] Bytes, AclKeyAccess Access)> _keys = [];
    private readonly List<(string Pattern, byte[] Bytes)> _channels = [];
    private CommandBits _commands = new();
    // 0: neither flag, 1: sanitize-payload, 2: skip-sanitize-payload.
    private int _sanitize;
    private bool _allCommands;
    private volatile bool _unrestricted;
    private volatile bool _superseded;

    /// <summary>A new user as ACL SETUSER creates it: off, no password, no commands, no keys, channels as acl-pubsub-default.</summary>
    public AclUser(string name, bool allChannels = false)
    {
        Name = name;
        AllChannels = allChannels;
    }

    /// <summary>The <c>default</c> user of a fresh server: <c>on nopass ~* &amp;* +@all</c>, or with <paramref name="password"/>.</summary>
    public static AclUser CreateDefault(string? password = null)
    {
        var user = new AclUser(AclUsers.DefaultName, allChannels: true) { Enabled = true, AllKeys = true };
        user._commands.SetAll(true);
        user._allCommands = true;
        if (string.IsNullOrEmpty(password)) user.NoPass = true;
        else user._passwords.Add(Hash(Encoding.UTF8.GetBytes(password)));
        user.Freeze();
        return user;
    }

    public string Name { get; }
    public bool Enabled { get; private set; }
    /// <summary><c>nopass</c>: any password logs in (and a new connection is this user without AUTH, for <c>default</c>).</summary>
    public bool NoPass { get; private set; }
    /// <summary>SHA-256 hashes of the passwords, lower-case hex, in the order they were added.</summary>
    public IReadOnlyList<string> Passwords => _passwords;
    public bool AllKeys { get; private set; }
    public bool AllChannels { get; private set; }

    /// <summary>Enabled with <c>nopass</c>: a connection is logged in as this user without AUTH (for <c>default</c>).</summary>
    public bool LogsInWithoutPassword => Enabled && NoPass;

    /// <summary>Has a password: what protected mode asks.</summary>
    public bool HasPassword => !NoPass && _passwords.Count > 0;

    /// <summary>
    /// Every command on every key and channel: the check a connection makes for each command is this one flag (false
    /// once a newer version of the user replaced this one, so the connection looks the user up again).
    /// </summary>
    public bool Unrestricted => _unrestricted;

    /// <summary>A newer set of users replaced this user (changed or deleted): connections must look it up again.</summary>
    public bool Superseded => _superseded;

    internal void Supersede()
    {
        _superseded = true;
        _unrestricted = false;
    }

    internal void Freeze()
    {
        _allCommands = _commands.AllSet; // "+@all -get +get" allows everything too
        _unrestricted = _allCommands && AllKeys && AllChannels;
    }

    internal AclUser Clone()
    {
        var copy = new AclUser(Name, AllChannels)
        {
            Enabled = Enabled, NoPass = NoPass, AllKeys = AllKeys, _sanitize = _sanitize, _allCommands = _allCommands,
            _commands = _commands.Clone(),
        };
        copy._passwords.AddRange(_passwords);
        copy._keys.AddRange(_keys);
        copy._channels.AddRange(_channels);
        return copy;
    }

    /// <summary>SHA-256 of a password, lower-case hex, as Redis stores it.</summary>
    public static string Hash(ReadOnlySpan<byte> password) => Convert.ToHexStringLower(SHA256.HashData(password));

    /// <summary>AUTH: true when the user is on and <paramref name="password"/> is one of its passwords (any, with nopass).</summary>
    public bool CheckPassword(ReadOnlySpan<byte> password)
    {
        if (!Enabled) return false;
        if (NoPass) return true;
        var hash = Encoding.ASCII.GetBytes(Hash(password));
        bool match = false;
        foreach (var stored in _passwords)
            match |= CryptographicOperations.FixedTimeEquals(hash, Encoding.ASCII.GetBytes(stored));
        return match;
    }

    // ---- rules ----

    private const string SyntaxError = "Syntax error";
    private const string UnknownCommand = "Unknown command or category name in ACL";
    private const string KeysAfterAll = "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    private const string ChannelsAfterAll = "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    private const string NoSuchPassword = "The password you are trying to remove from the user does not exist";
    private const string BadHash = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";

    /// <summary>
    /// Applies one ACL SETUSER rule (Redis's ACLSetUser); the reason Redis gives when it is refused (the caller wraps it in
    /// "ERR Error in ACL SETUSER modifier …"), else null. <paramref name="pubsubAllChannels"/>: acl-pubsub-default, for reset.
    /// </summary>
    internal string? Apply(ReadOnlySpan<byte> rule, bool pubsubAllChannels = false)
    {
        var text = Encoding.UTF8.GetString(rule);
        if (rule.Length == 0) return SyntaxError;
        switch (text.ToLowerInvariant())
        {
            case "on": Enabled = true; return null;
            case "off": Enabled = false; return null;
            case "skip-sanitize-payload": _sanitize = 2; return null;
            case "sanitize-payload": _sanitize = 1; return null;
            case "nopass": NoPass = true; _passwords.Clear(); return null;
            case "resetpass": NoPass = false; _passwords.Clear(); return null;
            case "allkeys" or "~*": AllKeys = true; _keys.Clear(); return null;
            case "resetkeys": AllKeys = false; _keys.Clear(); return null;
            case "allchannels" or "&*": AllChannels = true; _channels.Clear(); return null;
            case "resetchannels": AllChannels = false; _channels.Clear(); return null;
            case "allcommands" or "+@all": _commands.SetAll(true); _allCommands = true; return null;
            case "nocommands" or "-@all": _commands.SetAll(false); _allCommands = false; return null;
            case "clearselectors": return null;
            case "reset":
                NoPass = false; _passwords.Clear();
                AllKeys = false; _keys.Clear();
                AllChannels = pubsubAllChannels; _channels.Clear();
                Enabled = false;
                _sanitize = 1;
                _commands.SetAll(false); _allCommands = false;
                return null;
        }
        switch (rule[0])
        {
            case (byte)'>':
            {
                var hash = Hash(rule[1..]);
                if (!_passwords.Contains(hash)) _passwords.Add(hash);
                NoPass = false;
                return null;
            }
            case (byte)'#':
                if (!IsHash(text[1..])) return BadHash;
                if (!_passwords.Contains(text[1..])) _passwords.Add(text[1..]);
                NoPass = false;
                return null;
            case (byte)'<':
                NoPass = false;
                return _passwords.Remove(Hash(rule[1..])) ? null : NoSuchPassword;
            case (byte)'!':
                if (!IsHash(text[1..])) return BadHash;
                NoPass = false;
                return _passwords.Remove(text[1..]) ? null : NoSuchPassword;
            case (byte)'~' or (byte)'%':
                return AddKeyPattern(text);
            case (byte)'&':
                if (AllChannels) return ChannelsAfterAll;
                if (!_channels.Exists(c => c.Pattern == text[1..])) _channels.Add((text[1..], Encoding.UTF8.GetBytes(text[1..])));
                return null;
            case (byte)'+' or (byte)'-':
                return ApplyCommandRule(text[1..], rule[0] == '+');
            case (byte)'(':
                return SyntaxError; // selectors are not built
        }
        return SyntaxError;
    }

    private static bool IsHash(string text)
    {
        if (text.Length != 64) return false;
        foreach (char c in text) if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        return true;
    }

    private string? AddKeyPattern(string text)
    {
        if (AllKeys) return KeysAfterAll;
        var access = AclKeyAccess.ReadWrite;
        int offset = 1;
        if (text[0] == '%')
        {
            access = AclKeyAccess.None;
            for (; ; offset++)
            {
                if (offset >= text.Length) return SyntaxError;
                char c = char.ToUpperInvariant(text[offset]);
                if (c == 'R' && (access & AclKeyAccess.Read) == 0) access |= AclKeyAccess.Read;
                else if (c == 'W' && (access & AclKeyAccess.Write) == 0) access |= AclKeyAccess.Write;
                else if (c == '~' && access != AclKeyAccess.None) { offset++; break; }
                else return SyntaxError;
            }
        }
        var pattern = text[offset..];
        if (pattern == "*" && access == AclKeyAccess.ReadWrite)
        {
            AllKeys = true;
            _keys.Clear();
            return null;
        }
        int at = _keys.FindIndex(k => k.Pattern == pattern);
        if (at >= 0) _keys[at] = _keys[at] with { Access = _keys[at].Access | access };
        else _keys.Add((pattern, Encoding.UTF8.GetBytes(pattern), access));
        return null;
    }

    private string? ApplyCommandRule(string name, bool allow)
    {
        if (name.StartsWith('@'))
        {
            ulong category = AclCategories.Bit(name[1..]);
            if (category == 0) return UnknownCommand;
            _commands.SetCategory(category, allow);
            if (!allow) _allCommands = false;
            return null;
        }
        int bar = name.IndexOf('|');
        if (bar < 0)
        {
            if (CommandTable.Find(name) is not { } row) return UnknownCommand;
            _commands.Change(AclCommands.Of(row), allow);
            if (!allow) _allCommands = false;
            return null;
        }
        if (CommandTable.Find(name[..bar]) is not { } parent) return UnknownCommand;
        var command = AclCommands.Of(parent);
        var arg = name[(bar + 1)..];
        if (command.Subcommands.Count > 0)
        {
            if (AclCommands.Find(name) is not { } sub) return UnknownCommand;
            _commands.Set(sub.Id, allow);
            if (!allow) _allCommands = false;
            return null;
        }
        // "+select|0": a first argument allowed for an otherwise denied command (no subcommands).
        if (!allow || arg.Length == 0 || arg.Contains('|')) return SyntaxError;
        if (!_commands.Get(command.Id)) _commands.AddFirstArg(command.Id, arg.ToLowerInvariant());
        return null;
    }

    // ---- what ACL GETUSER and ACL LIST show ----

    /// <summary>ACL GETUSER's flags: on or off, nopass, sanitize-payload or skip-sanitize-payload.</summary>
    public IEnumerable<string> Flags()
    {
        yield return Enabled ? "on" : "off";
        if (NoPass) yield return "nopass";
        if (_sanitize == 2) yield return "skip-sanitize-payload";
        if (_sanitize == 1) yield return "sanitize-payload";
    }

    /// <summary>The command rules, e.g. "-@all +@string +client|id".</summary>
    public string CommandRules() => _commands.Describe();

    /// <summary>The key patterns, e.g. "~app:* %R~ro:*", or "~*".</summary>
    public string KeyRules() => AllKeys ? "~*" : string.Join(' ', _keys.Select(DescribeKey));

    private static string DescribeKey((string Pattern, byte[] Bytes, AclKeyAccess Access) key) => key.Access switch
    {
        AclKeyAccess.Read => "%R~" + key.Pattern,
        AclKeyAccess.Write => "%W~" + key.Pattern,
        _ => "~" + key.Pattern,
    };

    /// <summary>The channel patterns, e.g. "&amp;news.*", or "&amp;*".</summary>
    public string ChannelRules() => AllChannels ? "&*" : string.Join(' ', _channels.Select(c => "&" + c.Pattern));

    /// <summary>The rules that rebuild this user from a new one, in ACL LIST's order (after "user name").</summary>
    public IReadOnlyList<string> Rules()
    {
        var rules = new List<string>(Flags());
        foreach (var hash in _passwords) rules.Add("#" + hash);
        if (AllKeys) rules.Add("~*");
        else rules.AddRange(_keys.Select(DescribeKey));
        if (AllChannels) rules.Add("&*");
        else
        {
            rules.Add("resetchannels");
            rules.AddRange(_channels.Select(c => "&" + c.Pattern));
        }
        rules.AddRange(CommandRules().Split(' '));
        return rules;
    }

    /// <summary>One line of ACL LIST: "user default on nopass ~* &amp;* +@all".</summary>
    public string Describe() => "user " + Name + " " + string.Join(' ', Rules());

    public override string ToString() => Describe();

    // ---- checks ----

    /// <summary>
    /// Whether this user may run <paramref name="row"/> with <paramref name="argv"/> (Redis's ACLCheckAllUserCommandPerm):
    /// the command (or subcommand, or allowed first argument), then each key against the patterns with the access the
    /// command needs, then each channel. On a denial, <paramref name="what"/> is the command's full name, the key or the
    /// channel, and <paramref name="position"/> the argument's index (0 for the command).
    /// </summary>
    public AclDenial Check(CommandInfo row, byte[][] argv, out string what, out int position)
    {
        what = "";
        position = 0;
        if (!_allCommands && (row.Flags & CommandFlags.NoAuth) == 0)
        {
            var command = AclCommands.Of(row);
            if (command.Subcommands.Count > 0 && argv.Length > 1 && AclCommands.Subcommand(command, argv[1]) is { } sub) command = sub;
            if (!_commands.Get(command.Id) && !FirstArgAllowed(command, argv))
            {
                what = command.FullName;
                return AclDenial.Command;
            }
        }
        if (!AllKeys && row.FirstKey > 0 && row.Group != "pubsub")
        {
            var (first, rest) = KeyAccessOf(row);
            if (row.Name == "SET" && HasGetOption(argv)) first = rest = AclKeyAccess.ReadWrite;
            foreach (int i in row.KeyIndexes(argv))
            {
                if (i >= argv.Length || CanAccessKey(argv[i], i == row.FirstKey ? first : rest)) continue;
                what = Encoding.UTF8.GetString(argv[i]);
                position = i;
                return AclDenial.Key;
            }
        }
        if (!AllChannels && ChannelsOf(row) is var (from, pattern) && from > 0)
        {
            int last = row.Name is "PUBLISH" or "SPUBLISH" ? Math.Min(1, argv.Length - 1) : argv.Length - 1;
            for (int i = from; i <= last; i++)
            {
                if (CanAccessChannel(argv[i], pattern)) continue;
                what = Encoding.UTF8.GetString(argv[i]);
                position = i;
                return AclDenial.Channel;
            }
        }
        return AclDenial.None;
    }

    private bool FirstArgAllowed(AclCommand command, byte[][] argv)
    {
        if (argv.Length < 2 || command.Subcommand is not null || _commands.FirstArgs is null
            || !_commands.FirstArgs.TryGetValue(command.Id, out var args)) return false;
        var first = Encoding.UTF8.GetString(argv[1]);
        foreach (var arg in args) if (string.Equals(arg, first, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static bool HasGetOption(byte[][] argv)
    {
        for (int i = 3; i < argv.Length; i++) if (Args.Is(argv[i], "GET")) return true;
        return false;
    }

    /// <summary>Redis's ACLSelectorCheckKey: some pattern grants at least <paramref name="needed"/> and matches the key.</summary>
    public bool CanAccessKey(ReadOnlySpan<byte> key, AclKeyAccess needed)
    {
        if (AllKeys) return true;
        foreach (var (_, pattern, access) in _keys)
            if ((access & needed) == needed && Glob.IsMatch(pattern, key)) return true;
        return false;
    }

    /// <summary>
    /// Redis's ACLCheckChannelAgainstList: a channel must match a pattern; a pattern (PSUBSCRIBE) must equal one, as
    /// written, so a user allowed "news.*" cannot subscribe to "*".
    /// </summary>
    public bool CanAccessChannel(ReadOnlySpan<byte> channel, bool isPattern)
    {
        if (AllChannels) return true;
        foreach (var (_, pattern) in _channels)
            if (isPattern ? channel.SequenceEqual(pattern) : Glob.IsMatch(pattern, channel)) return true;
        return false;
    }

    /// <summary>The channels a pub/sub command names: from which argument, and whether they are patterns; (0, false) for none.</summary>
    private static (int From, bool Pattern) ChannelsOf(CommandInfo row) => row.Name switch
    {
        "PUBLISH" or "SPUBLISH" or "SUBSCRIBE" or "SSUBSCRIBE" => (1, false),
        "PSUBSCRIBE" => (1, true),
        _ => (0, false),
    };

    private static readonly (AclKeyAccess First, AclKeyAccess Others)[] KeyAccessByRow = [.. CommandTable.Rows.Select(ParseKeyAccess)];

    /// <summary>What each key of <paramref name="row"/> needs: the key at FirstKey, and the others.</summary>
    public static (AclKeyAccess First, AclKeyAccess Others) KeyAccessOf(CommandInfo row) => KeyAccessByRow[row.Id];

    private static (AclKeyAccess, AclKeyAccess) ParseKeyAccess(CommandInfo row)
    {
        if (row.KeyAccess is not { } spec)
        {
            var access = row.IsWrite ? AclKeyAccess.ReadWrite : (row.Flags & CommandFlags.ReadOnly) != 0 ? AclKeyAccess.Read : AclKeyAccess.None;
            return (access, access);
        }
        var parts = spec.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ParseOne).ToArray();
        return parts.Length == 0 ? (AclKeyAccess.None, AclKeyAccess.None) : (parts[0], parts[^1]);

        static AclKeyAccess ParseOne(string part) =>
            (part.Contains('R') ? AclKeyAccess.Read : 0) | (part.Contains('W') ? AclKeyAccess.Write : 0);
    }
}
