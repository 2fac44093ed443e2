using Orleans.Cache.Core.Acl;

namespace Orleans.Cache.Execution;

/// <summary>
/// This process's view of the cluster's ACL users: the latest version it has seen (<see cref="Current"/>), read by every
/// connection; changes go to the cluster's <see cref="IAclGrain"/>, which stores them, and the new version is installed
/// here and announced to the other silos (<see cref="Announce"/>) before the change answers. Without Orleans (a bare
/// endpoint) the users live here only.
/// </summary>
internal sealed class AclStore(IGrainFactory? grains, string? requirePass = null)
{
    private AclUsers _current = AclUsers.Initial(requirePass);
    private readonly Lock _installing = new();

    private IAclGrain? Cluster => grains?.GetGrain<IAclGrain>(0);

    /// <summary>The users connections check against now.</summary>
    public AclUsers Current => Volatile.Read(ref _current);

    /// <summary>acl-pubsub-default is allchannels: new users may use every channel.</summary>
    public bool PubSubAllChannels { get; set; }

    /// <summary>Called after a new version is installed (previous, new): connections of deleted users are closed.</summary>
    public Action<AclUsers, AclUsers>? Changed { get; set; }

    /// <summary>Tells the other silos about a new version; the change answers once they have it.</summary>
    public Func<AclSnapshot, Task>? Announce { get; set; }

    /// <summary>At start: the cluster's stored users, when any were ever set.</summary>
    public async Task LoadAsync()
    {
        if (Cluster is { } cluster) Apply(await cluster.Get().ConfigureAwait(false));
    }

    /// <summary>ACL SETUSER: Redis's error text, or null once every silo has the new version.</summary>
    public async Task<string?> SetUserAsync(string name, byte[][] rules)
    {
        if (Cluster is not { } cluster)
        {
            lock (_installing)
            {
                var error = Current.SetUser(name, rules, PubSubAllChannels, out var next);
                if (error is null) Install(next);
                return error;
            }
        }
        var change = await cluster.SetUser(name, rules, PubSubAllChannels).ConfigureAwait(false);
        if (change.Error is null) await AdoptAsync(change.Snapshot).ConfigureAwait(false);
        return change.Error;
    }

    /// <summary>ACL DELUSER: Redis's error text, or how many users were deleted.</summary>
    public async Task<(string? Error, long Deleted)> DelUserAsync(string[] names)
    {
        if (Cluster is not { } cluster)
        {
            lock (_installing)
            {
                var error = Current.DelUser(names, out int deleted, out var next);
                if (error is null && deleted > 0) Install(next);
                return (error, deleted);
            }
        }
        var change = await cluster.DelUser(names).ConfigureAwait(false);
        if (change.Error is null && change.Count > 0) await AdoptAsync(change.Snapshot).ConfigureAwait(false);
        return (change.Error, change.Count);
    }

    /// <summary>ACL LOAD: every user replaced by <paramref name="records"/>; Redis's error text, or null.</summary>
    public async Task<string?> ReplaceAsync(IReadOnlyList<(string Name, string[] Rules)> records)
    {
        if (Cluster is not { } cluster)
        {
            lock (_installing)
            {
                var error = AclUsers.FromRecords(records, Current.Version + 1, PubSubAllChannels, out var next);
                if (error is null) Install(next);
                return error;
            }
        }
        var users = records.Select(r => new AclUserRecord { Name = r.Name, Rules = r.Rules }).ToArray();
        var change = await cluster.Replace(users, PubSubAllChannels).ConfigureAwait(false);
        if (change.Error is null) await AdoptAsync(change.Snapshot).ConfigureAwait(false);
        return change.Error;
    }

    /// <summary>requirepass: the default user's password (none: nopass), as Redis's CONFIG SET requirepass does.</summary>
    public Task SetDefaultPasswordAsync(string password) =>
        SetUserAsync(AclUsers.DefaultName, password.Length == 0
            ? ["nopass"u8.ToArray()]
            : ["resetpass"u8.ToArray(), [(byte)'>', .. System.Text.Encoding.UTF8.GetBytes(password)]]);

    private async Task AdoptAsync(AclSnapshot snapshot)
    {
        Apply(snapshot);
        if (Announce is { } announce) await announce(snapshot).ConfigureAwait(false);
    }

    /// <summary>A version from the cluster (its store, or another silo's change): installed when newer than ours.</summary>
    public bool Apply(AclSnapshot snapshot)
    {
        if (snapshot.Users.Length == 0) return false; // never set: keep this silo's own default
        lock (_installing)
        {
            if (snapshot.Version <= Current.Version) return false;
            if (Parse(snapshot, PubSubAllChannels) is not { } next) return false;
            Install(next);
            return true;
        }
    }

    private void Install(AclUsers next)
    {
        var previous = Current;
        Volatile.Write(ref _current, next);
        previous.SupersedeBy(next);
        Changed?.Invoke(previous, next);
    }

    /// <summary>The users of a stored or announced version, or null when it does not parse (a newer silo's rules).</summary>
    public static AclUsers? Parse(AclSnapshot snapshot, bool pubsubAllChannels) =>
        AclUsers.FromRecords(snapshot.Users.Select(u => (u.Name, u.Rules)), snapshot.Version, pubsubAllChannels, out var users) is null ? users : null;

    /// <summary>The stored and announced form of <paramref name="users"/>.</summary>
    public static AclSnapshot ToSnapshot(AclUsers users) => new()
    {
        Version = users.Version,
        Users = [.. users.Records().Select(r => new AclUserRecord { Name = r.Name, Rules = r.Rules })],
    };
}
