using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Orleans.Cache.Core;
using Orleans.Cache.PubSub;
using Orleans.Cache.Resp.Protocol;

namespace Orleans.Cache.Resp;

/// <summary>
/// A RESP connection as a pub/sub subscriber. The hub hands it messages without waiting (they queue here); a pump
/// writes the queue to the socket under the connection's output lock. The queue is the client's pub/sub output
/// buffer: past <c>client-output-buffer-limit pubsub</c> (hard, or soft for the given seconds) the client is closed,
/// as Redis closes it, so a subscriber that stops reading never slows the publisher or the other subscribers.
/// </summary>
internal sealed class RespSubscriber(RespSession client, RespNode node, ILogger logger) : PubSubSubscriber
{
    private readonly ConcurrentQueue<(Reply Push, int Size)> _queue = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private long _queuedBytes;
    private long _softSince;

    public RespSession Session => client;

    /// <summary>Bytes waiting to be written (CLIENT LIST's omem, roughly).</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    public override void Deliver(Reply push, int size)
    {
        if (Closed) return;
        long queued = Interlocked.Add(ref _queuedBytes, size);
        _queue.Enqueue((push, size));
        if (OverLimit(queued))
        {
            Close();
            Log.OutputBufferLimit(logger, client.Id, client.Address, queued);
            client.Kill();
            return;
        }
        _signal.Release();
    }

    private bool OverLimit(long queued)
    {
        var (hard, soft, seconds) = node.Config.PubSubOutputLimit;
        if (hard > 0 && queued > hard) return true;
        if (soft <= 0 || queued <= soft) { _softSince = 0; return false; }
        long now = node.NowMs;
        if (_softSince == 0) { _softSince = now; return false; }
        return now - _softSince > seconds * 1000;
    }

    /// <summary>Stops delivery and drops what is queued (the client is going away).</summary>
    public void Close()
    {
        Closed = true;
        while (_queue.TryDequeue(out _)) { }
        Interlocked.Exchange(ref _queuedBytes, 0);
        _signal.Release();
    }

    /// <summary>Writes what is queued (call with the output lock held); returns the bytes written.</summary>
    public long Drain(PipeWriter output)
    {
        long before = output.UnflushedBytes;
        while (!Closed && _queue.TryDequeue(out var item))
        {
            RespWriter.Write(output, item.Push, client.Protocol);
            Interlocked.Add(ref _queuedBytes, -item.Size);
        }
        return output.CanGetUnflushedBytes ? output.UnflushedBytes - before : 0;
    }

    /// <summary>Writes messages as they come until the connection ends.</summary>
    public async Task PumpAsync(PipeWriter output, SemaphoreSlim outputLock, CancellationToken cancellationToken)
    {
        try
        {
            while (!Closed)
            {
                await _signal.WaitAsync(cancellationToken);
                if (Closed) break;
                await outputLock.WaitAsync(cancellationToken);
                try
                {
                    long written = Drain(output);
                    if (written == 0) continue;
                    node.CountOutput(written);
                    var flush = await output.FlushAsync(cancellationToken);
                    if (flush.IsCompleted || flush.IsCanceled) break;
                }
                finally
                {
                    outputLock.Release();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException) { }
    }
}
