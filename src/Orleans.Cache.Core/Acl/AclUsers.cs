using System.Text;

namespace Orleans.Cache.Core.Acl;

/// <summary>
/// A version of the server's ACL users (Redis's Users rax): never changed once built; ACL SETUSER, DELUSER and LOAD make
/// the next version. <see cref="Records"/> and <see cref="FromRecords"/> turn it into name + rules pairs and back, which
/// is what is stored and sent between silos.
/// </summary>
internal sealed class AclUsers
{
    public const string DefaultName = "default";

    private readonly SortedDictionary<string, AclUser> _users;

    private AclUsers(SortedDictionary<string, AclUser> users, long version)
    {
        _users = users;
        Version = version;
        Default = users[DefaultName];
    }

    /// <summary>A fresh server's users: only <c>default</c>, with <paramref name="requirePass"/> as its password when given.</summary>
    public static AclUsers Initial(string? requirePass = null) =>
        new(new SortedDictionary<string, AclUser>(StringComparer.Ordinal) { [DefaultName] = AclUser.CreateDefault(requirePass) }, 0);

    /// <summary>Grows with every change; a silo keeps the highest it has seen.</summary>
    public long Version { get; }

    public AclUser Default { get; }

    /// <summary>Every user, ordered by name (ACL USERS, ACL LIST).</summary>
    public IEnumerable<AclUser> Users => _users.Values;

    public int Count => _users.Count;

    public AclUser? Find(string name) => _users.GetValueOrDefault(name);

    /// <summary>Some user has a password (protected mode lets other hosts in only then).</summary>
    public bool AnyPassword => _users.Values.Any(u => u.HasPassword);

    /// <summary>"ERR Usernames can't contain spaces or null characters", or null.</summary>
    public static string? CheckName(string name) =>
        name.Contains(' ') || name.Contains('\0') ? "ERR Usernames can't contain spaces or null characters" : null;

    /// <summary>
    /// ACL SETUSER: <paramref name="rules"/> applied in order to the user (a new one when it does not exist); all or none.
    /// The error reply's text when one is refused, else null and <paramref name="next"/> the new version.
    /// </summary>
    public string? SetUser(string name, IReadOnlyList<byte[]> rules, bool pubsubAllChannels, out AclUsers next)
    {
        next = this;
        if (CheckName(name) is { } bad) return bad;
        var user = _users.TryGetValue(name, out var existing) ? existing.Clone() : new AclUser(name, pubsubAllChannels);
        foreach (var rule in rules)
        {
            if (user.Apply(rule, pubsubAllChannels) is { } error)
                return $"ERR Error in ACL SETUSER modifier '{Encoding.UTF8.GetString(rule)}': {error}";
        }
        user.Freeze();
        var users = new SortedDictionary<string, AclUser>(_users, StringComparer.Ordinal) { [name] = user };
        next = new AclUsers(users, Version + 1);
        return null;
    }

    /// <summary>ACL DELUSER: how many of <paramref name="names"/> existed; <c>default</c> cannot be removed.</summary>
    public string? DelUser(IReadOnlyList<string> names, out int deleted, out AclUsers next)
    {
        next = this;
        deleted = 0;
        if (names.Contains(DefaultName)) return "ERR The 'default' user cannot be removed";
        var users = new SortedDictionary<string, AclUser>(_users, StringComparer.Ordinal);
        foreach (var name in names.Distinct()) if (users.Remove(name)) deleted++;
        next = deleted == 0 ? this : new AclUsers(users, Version + 1);
        return null;
    }

    /// <summary>Every user as its name and the rules that rebuild it (ACL LIST without "user name").</summary>
    public (string Name, string[] Rules)[] Records() => [.. _users.Values.Select(u => (u.Name, u.Rules().ToArray()))];

    /// <summary>
    /// Users rebuilt from <see cref="Records"/> (or an ACL file's lines); the first error's text when a record does not
    /// parse. A set without <c>default</c> gets a fresh one, as Redis does.
    /// </summary>
    public static string? FromRecords(IEnumerable<(string Name, string[] Rules)> records, long version, bool pubsubAllChannels, out AclUsers users)
    {
        var all = new SortedDictionary<string, AclUser>(StringComparer.Ordinal);
        foreach (var (name, rules) in records)
        {
            if (CheckName(name) is { } bad)
            {
                users = Initial();
                return bad;
            }
            if (all.ContainsKey(name))
            {
                users = Initial();
                return $"ERR Duplicate user '{name}' found";
            }
            var user = new AclUser(name, pubsubAllChannels);
            foreach (var rule in rules)
            {
                if (user.Apply(Encoding.UTF8.GetBytes(rule), pubsubAllChannels) is { } error)
                {
                    users = Initial();
                    return $"ERR Error in user declaration '{name}': {error}";
                }
            }
            user.Freeze();
            all[name] = user;
        }
        if (!all.ContainsKey(DefaultName)) all[DefaultName] = AclUser.CreateDefault();
        users = new AclUsers(all, version);
        return null;
    }

    /// <summary>These users with a different version number (the cluster's store numbers them).</summary>
    public AclUsers WithVersion(long version) => new(new SortedDictionary<string, AclUser>(_users, StringComparer.Ordinal), version);

    /// <summary>Marks every user of this version as replaced by <paramref name="next"/> (connections look theirs up again).</summary>
    public void SupersedeBy(AclUsers next)
    {
        foreach (var user in _users.Values)
            if (!ReferenceEquals(next.Find(user.Name), user)) user.Supersede();
    }

    /// <summary>
    /// An ACL file's lines ("user name rules…"; blank lines and # comments skipped) as records; the error text of the
    /// first line that is not a user line.
    /// </summary>
    public static string? ParseFile(IEnumerable<string> lines, out List<(string Name, string[] Rules)> records)
    {
        records = [];
        int number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || parts[0] != "user")
                return $"ERR /{number}: line should start with user keyword";
            records.Add((parts[1], parts[2..]));
        }
        return null;
    }
}
