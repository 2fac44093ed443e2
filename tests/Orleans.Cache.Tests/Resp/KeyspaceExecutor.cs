using Orleans.Cache.Client;
using Orleans.Cache.Core;

namespace Orleans.Cache.Tests.Resp;

/// <summary>Test-only executor: one keyspace behind a lock, with the Slot-routing CROSSSLOT rule of the real one.</summary>
public sealed class KeyspaceExecutor : ICommandExecutor
{
    private readonly Keyspace _db = new();
    private readonly CommandRouter _router = new(new PartitionMap(1));
    private readonly Lock _lock = new();

    public PartitionMap Partitions => _router.Partitions;

    /// <summary>Executor calls seen, to check that a pipeline is one call.</summary>
    public int Calls;

    public ValueTask<Reply> ExecuteAsync(byte[][] argv, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        lock (_lock) return ValueTask.FromResult(Run(argv));
    }

    public ValueTask<Reply[]> ExecuteAsync(IReadOnlyList<byte[][]> pipeline, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        var replies = new Reply[pipeline.Count];
        lock (_lock)
            for (int i = 0; i < replies.Length; i++) replies[i] = Run(pipeline[i]);
        return ValueTask.FromResult(replies);
    }

    private Reply Run(byte[][] argv)
    {
        var command = CommandTable.Find(argv[0]);
        if (command?.Handler is null) return _db.Execute(argv);
        if (command.Routing == Routing.Slot && command.AcceptsArgCount(argv.Length))
        {
            _router.PartitionOf(command, argv, out var error);
            if (error is not null) return error;
        }
        return _db.Execute(command, argv);
    }
}
