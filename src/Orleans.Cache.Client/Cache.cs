using System.Runtime.CompilerServices;
using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

/// <summary>The typed client over an <see cref="ICommandExecutor"/> (co-hosted in a silo or in an Orleans client app).</summary>
public sealed class Cache(ICommandExecutor executor) : CacheCommands, ICache
{
    protected override Task<Reply> SendAsync(byte[][] argv, CancellationToken cancellationToken) =>
        executor.ExecuteAsync(argv, cancellationToken).AsTask();

    public ICacheBatch CreateBatch() => new CacheBatch(executor);

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
public sealed class CacheBatch(ICommandExecutor executor) : CacheCommands, ICacheBatch
{
    private readonly List<byte[][]> _commands = [];
    private readonly List<TaskCompletionSource<Reply>> _results = [];

    protected override Task<Reply> SendAsync(byte[][] argv, CancellationToken cancellationToken)
    {
        // Completed inline by ExecuteAsync: the typed wrappers' continuations are short, and callers normally look at
        // the results after ExecuteAsync, when there is nothing left to run. A thread-pool hop each would cost more.
        var done = new TaskCompletionSource<Reply>();
        lock (_commands)
        {
            _commands.Add(argv);
            _results.Add(done);
        }
        return done.Task;
    }

    public async Task ExecuteAsync(CancellationToken cancellationToken = default)
    {
        byte[][][] commands;
        TaskCompletionSource<Reply>[] results;
        lock (_commands)
        {
            commands = [.. _commands];
            results = [.. _results];
            _commands.Clear();
            _results.Clear();
        }
        try
        {
            var replies = await executor.ExecuteAsync(commands, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < results.Length; i++) results[i].SetResult(replies[i]);
        }
        catch (Exception e)
        {
            foreach (var r in results) r.TrySetException(e);
            throw;
        }
    }
}
