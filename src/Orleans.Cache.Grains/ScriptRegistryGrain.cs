using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Orleans.Cache.Grains;

/// <summary>The scripts' bodies by sha, written through to the snapshot storage on every change.</summary>
[GenerateSerializer, Alias("Orleans.Cache.ScriptSet")]
internal sealed class ScriptSet
{
    [Id(0)] public Dictionary<string, byte[]> Scripts { get; set; } = [];
}

/// <summary>One activation in the cluster holds every script; silos cache what they use.</summary>
internal sealed class ScriptRegistryGrain : Grain, IScriptRegistryGrain
{
    private readonly GrainState<ScriptSet> _state = new(new ScriptSet());
    private IGrainStorage? _storage;

    private Dictionary<string, byte[]> Scripts => (_state.State ??= new ScriptSet()).Scripts;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storage = ServiceProvider.GetKeyedService<IGrainStorage>(SnapshotOptions.StorageName);
        if (_storage is not null) await _storage.ReadStateAsync("scripts", this.GetGrainId(), _state);
    }

    public async Task Add(string sha, byte[] body)
    {
        if (Scripts.ContainsKey(sha)) return;
        Scripts[sha] = body;
        await SaveAsync();
    }

    public Task<byte[]?> Get(string sha) => Task.FromResult(Scripts.GetValueOrDefault(sha));

    public Task<bool[]> Exists(string[] shas) => Task.FromResult(shas.Select(Scripts.ContainsKey).ToArray());

    public async Task Flush()
    {
        Scripts.Clear();
        await SaveAsync();
    }

    private Task SaveAsync() => _storage?.WriteStateAsync("scripts", this.GetGrainId(), _state) ?? Task.CompletedTask;
}
