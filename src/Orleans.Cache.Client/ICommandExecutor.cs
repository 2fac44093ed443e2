using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

/// <summary>
/// Runs data commands (everything in the command table whose routing is not <see cref="Routing.Server"/>)
/// on the partitions that own their keys. The RESP endpoint and the typed client both sit on this.
/// </summary>
public interface ICommandExecutor
{
    /// <summary>Runs one command; <paramref name="argv"/>[0] is its name. Errors come back as error replies.</summary>
    ValueTask<Reply> ExecuteAsync(byte[][] argv, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a pipeline: commands are grouped per partition and sent as one batch each; the replies come back
    /// in request order. Commands on one partition run in request order.
    /// </summary>
    ValueTask<Reply[]> ExecuteAsync(IReadOnlyList<byte[][]> pipeline, CancellationToken cancellationToken = default);

    /// <summary>The slot → partition layout this executor routes with.</summary>
    PartitionMap Partitions { get; }
}
