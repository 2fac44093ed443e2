using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Orleans.Cache.Grains;

/// <summary>Places a hub grain on the silo named in its key ("&lt;silo address&gt;|&lt;id&gt;"), where its hub lives.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("Orleans.Cache.HubPlacement")]
internal sealed class HubPlacement : PlacementStrategy
{
    internal static readonly HubPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class HubPlacementAttribute() : PlacementAttribute(HubPlacement.Instance);

internal sealed class HubPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        string key = target.GrainIdentity.Key.ToString();
        int bar = key.IndexOf('|');
        string silo = bar < 0 ? key : key[..bar];
        foreach (var s in silos) if (s.ToParsableString() == silo) return Task.FromResult(s);
        // The hub's silo is gone: activate anywhere; the grain refuses to subscribe for a hub that isn't local.
        return Task.FromResult(context.LocalSilo);
    }
}
