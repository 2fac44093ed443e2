using Microsoft.Extensions.Options;
using Orleans.Cache.Core.Config;

namespace Orleans.Cache.Grains;

/// <summary>
/// Holds the cluster-wide <see cref="PartitionSettings"/> set with CONFIG SET and pushes them to every partition.
/// Reentrant: a partition activating during a push asks for the settings, and must not wait for the push to finish.
/// </summary>
[Orleans.Concurrency.Reentrant]
internal sealed class PartitionSettingsGrain(IOptions<CacheOptions> cache) : Grain, IPartitionSettingsGrain
{
    private PartitionSettings? _settings;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Keep the settings for as long as the silo runs: a collected activation would forget them.
        this.RegisterGrainTimer(() => Task.CompletedTask, new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public ValueTask<PartitionSettings?> Get() => ValueTask.FromResult(_settings);

    public async ValueTask Set(PartitionSettings settings)
    {
        _settings = settings;
        var tasks = new List<Task>();
        for (int i = 0; i < cache.Value.Partitions; i++) tasks.Add(GrainFactory.GetGrain<IPartitionGrain>(i).ApplySettings(settings).AsTask());
        await Task.WhenAll(tasks);
    }
}

/// <summary>The silo's <see cref="IClusterSettings"/>: one call to the settings grain, which reaches every partition.</summary>
internal sealed class ClusterSettings(IGrainFactory grains) : IClusterSettings
{
    public Task SetPartitionSettingsAsync(PartitionSettings settings) => grains.GetGrain<IPartitionSettingsGrain>(0).Set(settings).AsTask();
}

/// <summary>
/// The partition settings this silo last received, kept by the silo's partitions: a partition activating here after the
/// settings grain lost them (its silo stopped) still starts with the cluster's last CONFIG SET rather than the defaults.
/// </summary>
internal sealed class LastPartitionSettings
{
    private PartitionSettings? _latest;

    public PartitionSettings? Latest
    {
        get => Volatile.Read(ref _latest);
        set => Volatile.Write(ref _latest, value);
    }
}
