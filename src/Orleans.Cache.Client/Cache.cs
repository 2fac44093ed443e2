using System.Runtime.CompilerServices;
using System.Text;
using Orleans.Cache.Core;
using Orleans.Cache.Execution;

namespace Orleans.Cache.Client;

/// <summary>The typed client over an <see cref="ICommandExecutor"/> (co-hosted in a silo or in an Orleans client app).</summary>
internal sealed class Cache(ICommandExecutor executor, TimeProvider? time = null) : CacheCommands, ICache
{
    private CacheAside? _aside;

    public Task<T> GetOrSetAsync<T>(string key, Func<CancellationToken, Task<T>> factory, TimeSpan ttl, CacheAsideOptions? options = null, CancellationToken cancellationToken = default) =>
        LazyInitializer.EnsureInitialized(ref _aside, () => new CacheAside(this, time ?? TimeProvider.System)).GetOrSetAsync(key, factory, ttl, options, cancellationToken);

    protected override Task<T> SendAsync<T>(byte[][] argv, Func<Reply, T> read, CancellationToken cancellationToken)
    {
        var pending = executor.ExecuteAsync(argv, cancellationToken);
        if (!pending.IsCompletedSuccessfully) return Await(pending, read);
        try { return Completed(read(pending.Result)); } // a partition in this silo answered at once
        catch (Exception e) { return Task.FromException<T>(e); }

        static async Task<T> Await(ValueTask<Reply> pending, Func<Reply, T> read) => read(await pending.ConfigureAwait(false));
    }

    private static readonly Task<bool> True = Task.FromResult(true), False = Task.FromResult(false);

    /// <summary>A completed task; the two of a <see cref="bool"/> (SET, EXPIRE, DEL of one key…) are shared.</summary>
    private static Task<T> Completed<T>(T value)
    {
        if (typeof(T) == typeof(bool)) return (Task<T>)(object)((bool)(object)value! ? True : False);
        return Task.FromResult(value);
    }

    public ICacheBatch CreateBatch() => new CacheBatch(executor);

    public ICacheTransaction CreateTransaction() => new CacheTransaction(executor);

    public async IAsyncEnumerable<string> ScanAsync(string pattern = "*", int pageSize = 250, string? type = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var cursor = B("0");
        do
        {
            var argv = new List<byte[]> { Word("SCAN"), cursor, Word("MATCH"), B(pattern), Word("COUNT"), B(pageSize) };
            if (type is not null) { argv.Add(Word("TYPE")); argv.Add(B(type)); }
            var reply = await executor.ExecuteAsync([.. argv], cancellationToken).ConfigureAwait(false);
            if (reply.IsError) throw new CacheException(reply.Text!);
            cursor = reply.Items![0].Bytes!;
            foreach (var key in reply.Items[1].Items!) yield return Encoding.UTF8.GetString(key.Bytes!);
        } while (cursor is not [(byte)'0']);
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken = default) =>
        (await executor.ExecuteAsync([Word("DBSIZE")], cancellationToken).ConfigureAwait(false)).Integer;

    public async Task<string?> RandomKeyAsync(CancellationToken cancellationToken = default) =>
        (await executor.ExecuteAsync([Word("RANDOMKEY")], cancellationToken).ConfigureAwait(false)).Text;

    public Task FlushAsync(CancellationToken cancellationToken = default) =>
        executor.ExecuteAsync([Word("FLUSHDB")], cancellationToken).AsTask();
}

/// <summary>Queues commands and sends them as one pipeline (one batch per partition) on <see cref="ExecuteAsync"/>.</summary>
internal sealed class CacheBatch(ICommandExecutor executor) : CacheCommands, ICacheBatch
{
    private List<byte[][]> _commands = [];
    private List<IResult> _results = [];
    private readonly Lock _lock = new();

    /// <summary>A queued command's task, completed with its reply already read into the caller's type.</summary>
    private interface IResult
    {
        void Complete(Reply reply);
        void Fail(Exception error);
    }

    // Completed inline by ExecuteAsync: callers normally look at the results after ExecuteAsync, when there is
    // nothing left to run; a thread-pool hop each would cost more than the command.
    private sealed class Result<T>(Func<Reply, T> read) : TaskCompletionSource<T>, IResult
    {
        public void Complete(Reply reply)
        {
            try { SetResult(read(reply)); }
            catch (Exception e) { SetException(e); }
        }

        public void Fail(Exception error) => TrySetException(error);
    }

    protected override Task<T> SendAsync<T>(byte[][] argv, Func<Reply, T> read, CancellationToken cancellationToken)
    {
        var result = new Result<T>(read);
        lock (_lock)
        {
            _commands.Add(argv);
            _results.Add(result);
        }
        return result.Task;
    }

    public async Task ExecuteAsync(CancellationToken cancellationToken = default)
    {
        List<byte[][]> commands;
        List<IResult> results;
        lock (_lock)
        {
            // The queued lists go as they are; the batch starts new ones, so it can be filled again meanwhile.
            (commands, _commands) = (_commands, []);
            (results, _results) = (_results, []);
        }
        try
        {
            var replies = await executor.ExecuteAsync(commands, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < results.Count; i++) results[i].Complete(replies[i]);
        }
        catch (Exception e)
        {
            foreach (var r in results) r.Fail(e);
            throw;
        }
    }
}
