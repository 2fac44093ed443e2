using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Orleans.Cache.Grains;

/// <summary>Places a replica or replica-catalog grain on the silo named after the '@' of its key, and nowhere else.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("Orleans.Cache.ReplicaPlacement")]
internal sealed class ReplicaPlacement : PlacementStrategy
{
    internal static readonly ReplicaPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class ReplicaPlacementAttribute() : PlacementAttribute(ReplicaPlacement.Instance);

internal sealed class ReplicaPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string silo = SiloOf(target.GrainIdentity.Key.ToString()!);
        foreach (var s in context.GetCompatibleSilos(target))
            if (s.ToParsableString() == silo) return Task.FromResult(s);
        // A copy anywhere else would not be where failover looks for it (nor on a silo apart from the primary's).
        throw new OrleansException($"Silo {silo} is not active: no replica can be placed there");
    }

    public static string SiloOf(string key) => key[(key.IndexOf('@') + 1)..];
}
