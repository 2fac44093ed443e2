using Microsoft.Extensions.Options;

namespace Orleans.Cache.Client;

/// <summary>
/// When an external Orleans client starts: its <c>Cache:Partitions</c> must be the running cluster's, or the client
/// refuses to start (its keys would be sent to the wrong partitions). Co-hosted clients are covered by the silo's check.
/// </summary>
internal sealed class PartitionCountClientCheck(IOptions<CacheOptions> options, IServiceProvider services) : ILifecycleParticipant<IClusterClientLifecycle>
{
    public void Participate(IClusterClientLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PartitionCountClientCheck), ServiceLifecycleStage.Active, CheckAsync);

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        int partitions = options.Value.Partitions;
        var grains = (IGrainFactory)services.GetService(typeof(IGrainFactory))!;
        int cluster = await grains.GetGrain<IPartitionCountGrain>(0).Get();
        if (cluster != 0 && cluster != partitions) throw PartitionCountMismatchException.For(partitions, cluster, "the running cluster");
    }
}
