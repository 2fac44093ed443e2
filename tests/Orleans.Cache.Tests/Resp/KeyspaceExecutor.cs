using Orleans.Cache.Core;
using Orleans.Cache.Execution;

namespace Orleans.Cache.Tests.Resp;

/// <summary>Test-only executor: one <see cref="PartitionEngine"/> in process, with the Slot-routing CROSSSLOT rule of the real one.</summary>
internal sealed class KeyspaceExecutor : ICommandExecutor
{
    private readonly PartitionEngine _engine = new();

    public CommandRouter Router { get; } = new(new PartitionMap(1));

    public ScriptRegistry Scripts { get; } = new(null);

    /// <summary>Executor calls seen, to check that a pipeline is one call.</summary>
    public int Calls;

    public ValueTask<Reply> ExecuteAsync(Command command, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        return ValueTask.FromResult(Run(command));
    }

    public async ValueTask<Reply?> ExecuteBlockingAsync(Command command, CancellationToken unblock, CancellationToken cancellationToken = default) =>
        await ExecuteAsync(command, cancellationToken);

    public ValueTask<Reply[]> ExecuteAsync(IReadOnlyList<Command> pipeline, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        var replies = new Reply[pipeline.Count];
        for (int i = 0; i < replies.Length; i++) replies[i] = Run(pipeline[i]);
        return ValueTask.FromResult(replies);
    }

    private Reply Run(Command command)
    {
        if (ScriptRegistry.Concerns(command))
        {
            var (prepared, error) = Scripts.PrepareAsync(command).AsTask().GetAwaiter().GetResult();
            if (error is not null) return error;
            command = prepared;
        }
        var plan = Router.Plan(command);
        if (plan.Reply is not null) return plan.Reply;
        return command.Info.Kind == CommandKind.Keyspace ? _engine.TryExecute(command)! : Reply.Error("ERR snapshots are not configured");
    }

    public ValueTask<WatchedVersion> WatchAsync(byte[] key, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new WatchedVersion(key, _engine.Watch(key)));

    public void Unwatch(IEnumerable<byte[]> keys) => _engine.Unwatch(keys);

    public ValueTask<Reply> KillScriptAsync(bool function) => ValueTask.FromResult(_engine.KillScript(function));

    public ValueTask<Reply> ExecuteTransactionAsync(int partition, IReadOnlyList<Command> commands, IReadOnlyList<WatchedVersion> watches,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_engine.TryExecuteTransaction(commands, watches)!);
}
