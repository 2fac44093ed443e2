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
internal sealed class PartitionPlacement : PlacementStrategy
{
    internal static readonly PartitionPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class PartitionPlacementAttribute() : PlacementAttribute(PartitionPlacement.Instance);

internal sealed partial class PartitionPlacementDirector(IGrainFactory grains, Microsoft.Extensions.Logging.ILogger<PartitionPlacementDirector> logger)
    : IPlacementDirector
{
    /// <summary>How long placement waits for a silo to say what copy it holds.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Rounds of asking while some silo does not answer (right after a death its directory may still recover).</summary>
    private const int AskRounds = 20;
    private static readonly TimeSpan AskPause = TimeSpan.FromMilliseconds(250);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0) throw new OrleansException("No silo can host partition grains");
        var ordered = silos.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToArray();
        int partition = (int)target.GrainIdentity.GetIntegerKey();
        var home = ordered[partition % ordered.Length];
        if (ordered.Length == 1) return home;
        // An activation on a silo without the best copy would start from the last snapshot and drop acknowledged writes:
        // every silo must have answered before placement settles for less than a copy it may hold.
        for (int round = 1; ; round++)
        {
            // Off the caller's context: these are plain grain calls to every silo's replica catalog.
            var offsets = await Task.Run(() => Task.WhenAll(ordered.Select(s => OffsetAsync(s, partition))));
            long best = offsets.Max(o => o ?? -1);
            bool allAnswered = offsets.All(o => o is not null);
            if (allAnswered || round == AskRounds && best >= 0)
            {
                var chosen = best < 0 ? home : ordered[Array.FindIndex(offsets, o => o == best)];
                LogPlaced(partition, chosen, best);
                return chosen;
            }
            if (round == AskRounds)
                throw new OrleansException($"Partition {partition} is not placed: some silos did not say which copy of it they hold");
            await Task.Delay(AskPause);
        }
    }

    /// <summary>The offset of the copy <paramref name="silo"/> holds (-1: none), or null when it did not answer.</summary>
    private async Task<long?> OffsetAsync(SiloAddress silo, int partition)
    {
        try
        {
            return await grains.GetGrain<IReplicaCatalogGrain>(IReplicaCatalogGrain.Key(silo.ToParsableString()))
                .OffsetOf(partition).AsTask().WaitAsync(AskTimeout);
        }
        catch (Exception e)
        {
            LogAskFailed(e, silo, partition);
            return null;
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug,
        Message = "Partition {Partition} placed on {Silo} (best replica offset {Offset})")]
    private partial void LogPlaced(int partition, SiloAddress silo, long offset);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "Placement could not ask silo {Silo} which copy of partition {Partition} it holds")]
    private partial void LogAskFailed(Exception exception, SiloAddress silo, int partition);
}
