using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;

namespace Orleans.Cache.Resp;

/// <summary>
/// A connection in MONITOR mode: lines are queued here by whichever thread ran the command (or by the node grain for
/// another silo's commands) and a pump writes them to the socket under the connection's output lock, each as a simple
/// string. A monitor that stops reading is closed past the normal client class's output limit, or 64 MB.
/// </summary>
internal sealed class RespMonitor(RespSession client, RespNode node)
{
    private const long MaxQueued = 64L * 1024 * 1024;
    private readonly ConcurrentQueue<string> _queue = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private long _queued;
    private volatile bool _closed;

    public RespSession Session => client;

    public void Deliver(string line)
    {
        if (_closed) return;
        if (Interlocked.Add(ref _queued, line.Length + 3) > MaxQueued)
        {
            Close();
            client.Kill();
            return;
        }
        _queue.Enqueue(line);
        _signal.Release();
    }

    public void Close()
    {
        _closed = true;
        _signal.Release();
    }

    public async Task PumpAsync(PipeWriter output, SemaphoreSlim outputLock, CancellationToken cancellationToken)
    {
        try
        {
            while (!_closed)
            {
                await _signal.WaitAsync(cancellationToken);
                if (_closed) break;
                await outputLock.WaitAsync(cancellationToken);
                try
                {
                    long written = 0;
                    while (_queue.TryDequeue(out var line))
                    {
                        int size = Encoding.UTF8.GetByteCount(line) + 3;
                        var span = output.GetSpan(size);
                        span[0] = (byte)'+';
                        int n = Encoding.UTF8.GetBytes(line, span[1..]);
                        span[n + 1] = (byte)'\r';
                        span[n + 2] = (byte)'\n';
                        output.Advance(n + 3);
                        written += n + 3;
                        Interlocked.Add(ref _queued, -(line.Length + 3));
                    }
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
