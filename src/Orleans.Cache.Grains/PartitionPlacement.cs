using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Orleans.Cache.Grains;

/// <summary>
/// Places partition N on the N-th compatible silo (mod the silo count, silos in address order), so that
/// partitions spread evenly instead of by chance. Existing activations stay where they are when silos come
/// and go; a partition whose silo died is re-placed by the same rule.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("Orleans.Cache.PartitionPlacement")]
public sealed class PartitionPlacement : PlacementStrategy
{
    internal static readonly PartitionPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class PartitionPlacementAttribute() : PlacementAttribute(PartitionPlacement.Instance);

internal sealed class PartitionPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0) throw new OrleansException("No silo can host partition grains");
        var ordered = silos.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToArray();
        long partition = target.GrainIdentity.GetIntegerKey();
        return Task.FromResult(ordered[(int)(partition % ordered.Length)]);
    }
}
