using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

/// <summary>
/// The durable queue of a write-behind <see cref="CacheStore{T}"/>, held in the cache itself (so it is snapshotted
/// and replicated like any key, and survives a silo's restart): a list of the keys waiting, a list of the keys being
/// written, and a hash of each key's latest pending write, all under the hash tag <c>{wb:name}</c> so every step is one
/// atomic script in one partition. Writes to one key coalesce: the store gets its latest value once. One worker per
/// queue in the cluster writes at a time (a lease); a write the store refuses is retried, first in line, with a back-off
/// that doubles up to <see cref="CacheStoreOptions.MaxRetryDelay"/>.
/// </summary>
public sealed class WriteBehindWorker<T>
{
    // A pending write is its kind (S: set, D: delete) and, for a set, the value's bytes.
    private const byte SetKind = (byte)'S', DeleteKind = (byte)'D';

    private const string EnqueueScript =
        "if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[1]) end return 1";
    private const string TakeScript =
        "local k = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') if not k then return nil end " +
        "return {k, redis.call('HGET', KEYS[3], k)}";
    // Written: the key leaves the processing list, and its pending write too unless a newer one came meanwhile (queued again).
    private const string DoneScript =
        "redis.call('LREM', KEYS[1], 1, ARGV[1]) " +
        "if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[2], ARGV[1]) " +
        "else redis.call('RPUSH', KEYS[3], ARGV[1]) end return 1";
    // Refused: back to the head of the queue, to be tried first.
    private const string FailedScript = "redis.call('LREM', KEYS[1], 1, ARGV[1]) redis.call('LPUSH', KEYS[2], ARGV[1]) return 1";
    // A new worker: what a dead one was writing goes back to the head of the queue, in order.
    private const string RecoverScript =
        "local n = 0 while redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT') do n = n + 1 end return n";
    private const string RenewScript =
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end " +
        "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0";

    private readonly ICache _cache;
    private readonly ICacheWriter<T> _writer;
    private readonly CacheStoreOptions _options;
    private readonly ICacheSerializer _serializer;
    private readonly TimeProvider _time;
    private readonly string _queue, _processing, _values, _lease;
    private readonly string _worker = Guid.NewGuid().ToString("N");
    // Woken by writes queued in this process, so an idle worker need not wait for its poll.
    private readonly SemaphoreSlim _queued = new(0);
    private long _written, _failures, _renewedAt;

    internal WriteBehindWorker(ICache cache, ICacheWriter<T> writer, CacheStoreOptions options, TimeProvider? time)
    {
        _cache = cache;
        _writer = writer;
        _options = options;
        _serializer = options.Serializer ?? new JsonCacheSerializer();
        _time = time ?? TimeProvider.System;
        string tag = "{wb:" + options.QueueName + "}:";
        (_queue, _processing, _values, _lease) = (tag + "queue", tag + "processing", tag + "values", tag + "worker");
    }

    /// <summary>Writes this process's worker handed to the store.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Writes the store refused (each is retried).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>How many keys have a write not yet in the store (queued or being written), cluster-wide.</summary>
    public async Task<long> DepthAsync() => (await _cache.ExecuteAsync("HLEN", _values).ConfigureAwait(false)).Integer;

    /// <summary>A write of <paramref name="key"/> not yet in the store: (true, its value, or default for a delete); (false, default) when none is.</summary>
    internal async Task<(bool Pending, T? Value)> PendingAsync(string key)
    {
        var pending = Checked(await _cache.ExecuteAsync("HGET", _values, key).ConfigureAwait(false)).Bytes;
        return pending switch
        {
            [SetKind, ..] => (true, _serializer.Deserialize<T>(pending[1..])),
            [DeleteKind] => (true, default),
            _ => (false, default),
        };
    }

    internal Task EnqueueWriteAsync(string key, byte[] value) => EnqueueAsync(key, [SetKind, .. value]);

    internal Task EnqueueDeleteAsync(string key) => EnqueueAsync(key, [DeleteKind]);

    private async Task EnqueueAsync(string key, byte[] pending)
    {
        Checked(await _cache.ExecuteAsync("EVAL", EnqueueScript, 2, _values, _queue, key, pending).ConfigureAwait(false));
        if (_queued.CurrentCount == 0) _queued.Release();
    }

    /// <summary>
    /// The worker: while it holds the queue's lease, hands each queued write to the store, retrying a refused one with
    /// back-off; idle, it waits for a write queued here or its poll. Runs until <paramref name="cancellationToken"/> ends it
    /// (then it throws <see cref="OperationCanceledException"/>, as a BackgroundService expects).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        bool holding = false;
        var retry = _options.RetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await RenewLeaseAsync(holding).ConfigureAwait(false))
            {
                holding = false;
                await WaitAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (!holding)
            {
                Checked(await _cache.ExecuteAsync("EVAL", RecoverScript, 2, _processing, _queue).ConfigureAwait(false));
                holding = true;
            }
            switch (await WriteNextAsync(cancellationToken).ConfigureAwait(false))
            {
                case Outcome.Written:
                    retry = _options.RetryDelay;
                    break;
                case Outcome.Empty:
                    await WaitAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
                    break;
                case Outcome.Refused:
                    await Task.Delay(retry, _time, cancellationToken).ConfigureAwait(false);
                    retry = retry * 2 < _options.MaxRetryDelay ? retry * 2 : _options.MaxRetryDelay;
                    break;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    private enum Outcome { Empty, Written, Refused }

    /// <summary>Takes the first queued key and hands its latest write to the store.</summary>
    private async Task<Outcome> WriteNextAsync(CancellationToken cancellationToken)
    {
        var taken = Checked(await _cache.ExecuteAsync("EVAL", TakeScript, 3, _queue, _processing, _values).ConfigureAwait(false));
        if (taken.Items is not [var keyReply, var pendingReply]) return Outcome.Empty;
        string key = System.Text.Encoding.UTF8.GetString(keyReply.Bytes!);
        var pending = pendingReply.Bytes;
        try
        {
            if (pending is [SetKind, ..]) await _writer.WriteAsync(key, _serializer.Deserialize<T>(pending[1..]), cancellationToken).ConfigureAwait(false);
            else if (pending is [DeleteKind]) await _writer.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failures);
            Checked(await _cache.ExecuteAsync("EVAL", FailedScript, 2, _processing, _queue, key).ConfigureAwait(false));
            return Outcome.Refused;
        }
        Checked(await _cache.ExecuteAsync("EVAL", DoneScript, 3, _processing, _values, _queue, key, pending ?? []).ConfigureAwait(false));
        Interlocked.Increment(ref _written);
        return Outcome.Written;
    }

    /// <summary>Takes or keeps the queue's lease (renewed once a third of it has passed); false while another worker holds it.</summary>
    private async Task<bool> RenewLeaseAsync(bool holding)
    {
        if (holding && _time.GetElapsedTime(_renewedAt) < _options.WorkerLease / 3) return true;
        long ms = (long)_options.WorkerLease.TotalMilliseconds;
        long at = _time.GetTimestamp();
        if (Checked(await _cache.ExecuteAsync("EVAL", RenewScript, 1, _lease, _worker, ms).ConfigureAwait(false)).Integer != 1) return false;
        _renewedAt = at;
        return true;
    }

    private async Task WaitAsync(TimeSpan poll, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(poll, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try { await _queued.WaitAsync(either.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
    }

    private static Reply Checked(Reply reply) =>
        reply.Kind == ReplyKind.Error ? throw new InvalidOperationException(System.Text.Encoding.UTF8.GetString(reply.Bytes ?? [])) : reply;
}
