using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Orleans.Cache.Grains;

/// <summary>
/// Places partition N on the silo that holds its most up-to-date replica, when one does (failover and graceful handover
/// then promote that copy in process); otherwise on the N-th compatible silo (mod the silo count, silos in address
/// order), so that partitions spread evenly instead of by chance. Existing activations stay where they are when silos
/// come and go.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("Orleans.Cache.PartitionPlacement")]
public sealed class PartitionPlacement : PlacementStrategy
{
    internal static readonly PartitionPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class PartitionPlacementAttribute() : PlacementAttribute(PartitionPlacement.Instance);

internal sealed class PartitionPlacementDirector(IGrainFactory grains) : IPlacementDirector
{
    /// <summary>How long placement waits for a silo to say what copy it holds.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0) throw new OrleansException("No silo can host partition grains");
        var ordered = silos.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToArray();
        int partition = (int)target.GrainIdentity.GetIntegerKey();
        var home = ordered[partition % ordered.Length];
        if (ordered.Length == 1) return home;
        // Off the caller's context: these are plain grain calls to every silo's replica catalog.
        var offsets = await Task.Run(() => Task.WhenAll(ordered.Select(s => OffsetAsync(s, partition))));
        long best = offsets.Max();
        if (best < 0) return home;
        int at = Array.IndexOf(offsets, best);
        return ordered[at];
    }

    private async Task<long> OffsetAsync(SiloAddress silo, int partition)
    {
        try
        {
            return await grains.GetGrain<IReplicaCatalogGrain>(IReplicaCatalogGrain.Key(silo.ToParsableString()))
                .OffsetOf(partition).AsTask().WaitAsync(AskTimeout);
        }
        catch (Exception)
        {
            return -1; // a silo that cannot answer holds no copy placement can use
        }
    }
}
