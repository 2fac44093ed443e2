using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Core.Acl;
using Orleans.Cache.Execution;
using Orleans.Storage;

namespace Orleans.Cache.Grains;

/// <summary>
/// The cluster's ACL users: the rules are Core's (<see cref="AclUsers"/>); this grain orders the changes, numbers the
/// versions and writes each through to the snapshot storage before it answers.
/// </summary>
internal sealed class AclGrain : Grain, IAclGrain
{
    private readonly GrainState<AclSnapshot> _state = new(new AclSnapshot());
    private IGrainStorage? _storage;
    private AclUsers _users = AclUsers.Initial();

    private AclSnapshot Stored => _state.State ??= new AclSnapshot();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storage = ServiceProvider.GetKeyedService<IGrainStorage>(SnapshotOptions.StorageName);
        if (_storage is not null) await _storage.ReadStateAsync("acl", this.GetGrainId(), _state);
        if (Stored.Users.Length > 0 && AclStore.Parse(Stored, pubsubAllChannels: false) is { } users) _users = users;
    }

    public Task<AclSnapshot> Get() => Task.FromResult(Stored);

    public async Task<AclChange> SetUser(string name, byte[][] rules, bool pubsubAllChannels)
    {
        var error = _users.SetUser(name, rules, pubsubAllChannels, out var next);
        if (error is not null) return new AclChange { Error = error, Snapshot = Stored };
        return await SaveAsync(next, 1);
    }

    public async Task<AclChange> DelUser(string[] names)
    {
        var error = _users.DelUser(names, out int deleted, out var next);
        if (error is not null) return new AclChange { Error = error, Snapshot = Stored };
        return deleted == 0 ? new AclChange { Snapshot = Stored } : await SaveAsync(next, deleted);
    }

    public async Task<AclChange> Replace(AclUserRecord[] users, bool pubsubAllChannels)
    {
        var error = AclUsers.FromRecords(users.Select(u => (u.Name, u.Rules)), _users.Version + 1, pubsubAllChannels, out var next);
        if (error is not null) return new AclChange { Error = error, Snapshot = Stored };
        return await SaveAsync(next, 0);
    }

    private async Task<AclChange> SaveAsync(AclUsers next, long count)
    {
        var previous = Stored;
        _state.State = AclStore.ToSnapshot(next);
        try
        {
            if (_storage is not null) await _storage.WriteStateAsync("acl", this.GetGrainId(), _state);
        }
        catch
        {
            _state.State = previous; // not stored: not applied
            throw;
        }
        _users = next;
        return new AclChange { Count = count, Snapshot = Stored };
    }
}
