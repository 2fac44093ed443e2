using System.Text;
using Orleans.Cache.Core;
using Orleans.Cache.Execution;

namespace Orleans.Cache.Client;

/// <summary>
/// A condition a transaction checks before it commits (as StackExchange.Redis's <c>Condition</c>): the keys are
/// WATCHed and read first, and EXEC fails if they change before the transaction runs.
/// </summary>
public sealed class CacheCondition
{
    private CacheCondition(string key, byte[][] read, Func<Reply, bool> holds) => (Key, Read, Holds) = (key, read, holds);

    internal string Key { get; }
    internal byte[][] Read { get; }
    internal Func<Reply, bool> Holds { get; }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The key exists.</summary>
    public static CacheCondition KeyExists(string key) => new(key, [B("EXISTS"), B(key)], r => r.Integer == 1);
    /// <summary>The key does not exist.</summary>
    public static CacheCondition KeyNotExists(string key) => new(key, [B("EXISTS"), B(key)], r => r.Integer == 0);
    /// <summary>The key holds the string <paramref name="value"/>.</summary>
    public static CacheCondition StringEqual(string key, string value) => new(key, [B("GET"), B(key)], r => r.Bytes is { } b && b.AsSpan().SequenceEqual(B(value)));
    /// <summary>The key does not hold the string <paramref name="value"/> (or is missing).</summary>
    public static CacheCondition StringNotEqual(string key, string value) => new(key, [B("GET"), B(key)], r => r.Bytes is not { } b || !b.AsSpan().SequenceEqual(B(value)));
    /// <summary>The hash field <paramref name="field"/> holds <paramref name="value"/>.</summary>
    public static CacheCondition HashEqual(string key, string field, string value) =>
        new(key, [B("HGET"), B(key), B(field)], r => r.Bytes is { } b && b.AsSpan().SequenceEqual(B(value)));
    /// <summary>The hash has no field <paramref name="field"/>.</summary>
    public static CacheCondition HashNotExists(string key, string field) => new(key, [B("HEXISTS"), B(key), B(field)], r => r.Integer == 0);
}

/// <summary>
/// MULTI/EXEC for the typed client: commands queued on it run as one atomic batch in their partition (their keys
/// must share a hash slot: use {hash tags}), only if every condition held and no watched key changed meanwhile.
/// </summary>
internal sealed class CacheTransaction(ICommandExecutor executor) : CacheCommands, ICacheTransaction
{
    private readonly List<Command> _commands = [];
    private readonly List<Action<Reply>> _complete = [];
    private readonly List<Action> _cancel = [];
    private readonly List<CacheCondition> _conditions = [];
    private Reply? _queueError;

    public void AddCondition(CacheCondition condition) => _conditions.Add(condition);

    protected override Task<T> SendAsync<T>(byte[][] argv, Func<Reply, T> read, CancellationToken cancellationToken)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (CommandRouter.Resolve(argv, out var error) is { } command) _commands.Add(command);
        else _queueError ??= error;
        _complete.Add(reply =>
        {
            try { result.SetResult(read(reply)); }
            catch (Exception e) { result.SetException(e); }
        });
        _cancel.Add(() => result.TrySetCanceled());
        return result.Task;
    }

    public async Task<bool> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        if (_queueError is not null) throw Fail(_queueError);
        int slot = -1;
        foreach (var key in _conditions.Select(c => Encoding.UTF8.GetBytes(c.Key)).Concat(_commands.SelectMany(KeysOf)))
        {
            int s = HashSlot.Of(key);
            if (slot >= 0 && s != slot) throw Fail(Errors.CrossSlot);
            slot = s;
        }

        var watches = new List<WatchedVersion>();
        foreach (var condition in _conditions)
        {
            watches.Add(await executor.WatchAsync(Encoding.UTF8.GetBytes(condition.Key), cancellationToken).ConfigureAwait(false));
            var value = await executor.ExecuteAsync(condition.Read, cancellationToken).ConfigureAwait(false);
            if (value.IsError || !condition.Holds(value))
            {
                executor.Unwatch(watches.Select(w => w.Key));
                return Cancelled();
            }
        }
        int partition = slot >= 0 ? executor.Partitions.PartitionOfSlot(slot) : 0;
        var reply = await executor.ExecuteTransactionAsync(partition, _commands, watches, cancellationToken).ConfigureAwait(false);
        if (reply.IsError) throw Fail(reply);
        if (reply.Kind == ReplyKind.NullArray) return Cancelled();
        for (int i = 0; i < _complete.Count; i++) _complete[i](reply.Items![i]);
        return true;
    }

    private static IEnumerable<byte[]> KeysOf(Command command) => command.Info.KeyIndexes(command.Argv).Select(i => command.Argv[i]);

    private bool Cancelled()
    {
        foreach (var cancel in _cancel) cancel();
        return false;
    }

    private CacheException Fail(Reply error)
    {
        Cancelled();
        return new CacheException(error.Text!);
    }
}
