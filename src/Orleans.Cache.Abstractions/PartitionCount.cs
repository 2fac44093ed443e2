namespace Orleans.Cache;

/// <summary>
/// The cluster's partition count, held by one grain: the first silo to start sets it, and every silo and client that
/// starts afterwards compares its own <c>Cache:Partitions</c> with it and refuses to start on a mismatch (the keys would
/// be looked for in the wrong partitions).
/// </summary>
[Alias("Orleans.Cache.IPartitionCountGrain")]
internal interface IPartitionCountGrain : IGrainWithIntegerKey
{
    /// <summary>The cluster's count; <paramref name="partitions"/> becomes it when none is set yet.</summary>
    [Alias("Join")]
    ValueTask<int> Join(int partitions);

    /// <summary>The cluster's count; 0 while no silo has joined.</summary>
    [Alias("Get")]
    ValueTask<int> Get();
}

/// <summary>The partition count stored beside the snapshots (one record in the snapshot storage).</summary>
[GenerateSerializer, Alias("Orleans.Cache.PartitionLayout")]
internal sealed class PartitionLayout
{
    [Id(0)] public int Partitions { get; set; }
}

/// <summary>A silo or client whose <c>Cache:Partitions</c> is not the cluster's or the stored snapshots'.</summary>
public sealed class PartitionCountMismatchException(string message) : InvalidOperationException(message)
{
    /// <summary>The error for <paramref name="configured"/> partitions where <paramref name="where"/> has <paramref name="actual"/>.</summary>
    public static PartitionCountMismatchException For(int configured, int actual, string where) => new(
        $"Cache:Partitions is {configured}, but {where} has {actual} partitions: with a different count, keys would be looked for " +
        $"in the wrong partitions and seem to vanish. Start with --partitions {actual} (Cache:Partitions={actual}), or, to change the " +
        "count, start a new cluster with empty snapshot storage.");
}
