using Microsoft.Extensions.Logging;
using Orleans.Cache.Core;

namespace Orleans.Cache.Grains;

/// <summary>
/// A primary partition's side of replication: one link per replica silo, each sending the effects the replica has not
/// acknowledged yet, in offset order, one call at a time (writes that arrive meanwhile go together in the next call), or
/// a full sync when the replica is new, diverged or further behind than the effect log keeps. Acknowledged offsets
/// answer WAIT. Sending runs on the thread pool, outside the partition's lock and the grain's turn.
/// </summary>
internal sealed partial class PartitionReplication(
    int partition, PartitionEngine engine, IGrainFactory grains, TimeProvider time, ILogger logger)
{
    /// <summary>Effects per call at most.</summary>
    private const int MaxBatch = 4096;

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100), MaxRetry = TimeSpan.FromSeconds(5);

    /// <summary>A replica whose calls failed this many times in a row is replaced, and its silo avoided for <see cref="AvoidFor"/>.</summary>
    private const int ReplaceAfterFailures = 5;
    private static readonly TimeSpan AvoidFor = TimeSpan.FromMinutes(1);

    private sealed class Link(string silo, IPartitionReplicaGrain grain, Backoff retry)
    {
        public readonly string Silo = silo;
        public readonly IPartitionReplicaGrain Grain = grain;
        public readonly Backoff Retry = retry;
        /// <summary>The offset the replica acknowledged; -1 until its full sync.</summary>
        public long Acked = -1;
        /// <summary>When the replica last acknowledged (the partition clock's timestamp).</summary>
        public long AckedAt;
        public bool Running, Pending, Removed;
    }

    private readonly Lock _lock = new();
    private readonly List<Link> _links = [];
    private readonly List<(long Offset, int Needed, TaskCompletionSource<int> Done)> _waiters = [];
    private readonly Dictionary<string, long> _avoided = new(StringComparer.Ordinal);
    private Action? _kick;

    /// <summary>Whether a replica on <paramref name="silo"/> kept failing lately (the silo is skipped when replicas are chosen).</summary>
    public bool Avoids(string silo)
    {
        lock (_lock)
        {
            if (!_avoided.TryGetValue(silo, out long since)) return false;
            if (time.GetElapsedTime(since) < AvoidFor) return true;
            _avoided.Remove(silo);
            return false;
        }
    }

    /// <summary>This primary activation: a replica takes effects of a new primary only where its copy stands exactly.</summary>
    public Guid Epoch { get; } = Guid.NewGuid();

    /// <summary>The silos replicas are on now, with their acknowledged offsets (-1: not synced yet).</summary>
    public IReadOnlyList<(string Silo, long Acked)> Replicas
    {
        get { lock (_lock) return [.. _links.Select(l => (l.Silo, l.Acked))]; }
    }

    /// <summary>New effects: every idle link starts sending. Called under the partition's lock; only signals.</summary>
    public void Kick()
    {
        lock (_lock)
        {
            foreach (var link in _links) Start(link);
        }
    }

    private void Start(Link link)
    {
        link.Pending = true;
        if (link.Running || link.Removed) return;
        link.Running = true;
        _ = Task.Run(() => PumpAsync(link));
    }

    /// <summary>Replicas go to exactly <paramref name="silos"/>: new ones are synced, others are told to drop their copy.</summary>
    public void SetReplicaSilos(IReadOnlyCollection<string> silos)
    {
        List<Link> dropped = [];
        lock (_lock)
        {
            foreach (var link in _links)
                if (!silos.Contains(link.Silo)) { link.Removed = true; dropped.Add(link); }
            _links.RemoveAll(l => l.Removed);
            foreach (var silo in silos)
            {
                if (_links.Exists(l => l.Silo == silo)) continue;
                var link = new Link(silo, grains.GetGrain<IPartitionReplicaGrain>(IPartitionReplicaGrain.Key(partition, silo)),
                    new Backoff(time, FirstRetry, MaxRetry));
                _links.Add(link);
                Start(link);
            }
            ResolveWaiters();
            CheckGoodReplicas();
            // Writes signal only while there is someone to send to (a partition without replicas pays nothing per write).
            engine.EffectsAppended = _links.Count > 0 ? _kick ??= Kick : null;
        }
        foreach (var link in dropped) _ = DropAsync(link);
    }

    private async Task DropAsync(Link link)
    {
        try { await link.Grain.Drop(); }
        catch (Exception e) { LogDropFailed(e, partition, link.Silo); }
    }

    private async Task PumpAsync(Link link)
    {
        var effects = new List<Effect>();
        while (true)
        {
            lock (_lock)
            {
                if (link.Removed || !link.Pending) { link.Running = false; return; }
                link.Pending = false;
            }
            try
            {
                while (true)
                {
                    effects.Clear();
                    long acked;
                    if (link.Acked < 0 || !engine.TryReadEffects(link.Acked, effects, MaxBatch, out _))
                    {
                        acked = await FullSyncAsync(link);
                    }
                    else if (effects.Count == 0) break;
                    else
                    {
                        var argv = new byte[effects.Count][][];
                        var at = new long[effects.Count];
                        for (int i = 0; i < effects.Count; i++) (argv[i], at[i]) = (effects[i].Argv, effects[i].At);
                        acked = await link.Grain.Apply(new ReplicationBatch(Epoch, effects[0].Offset, argv, at));
                    }
                    link.Retry.Succeeded();
                    lock (_lock)
                    {
                        link.Acked = acked;
                        link.AckedAt = time.GetTimestamp();
                        ResolveWaiters();
                        CheckGoodReplicas();
                        if (link.Removed) break;
                    }
                }
            }
            catch (Exception e)
            {
                link.Retry.Failed();
                if (link.Retry.Failures == 1) LogSendFailed(e, partition, link.Silo);
                if (link.Retry.Failures == ReplaceAfterFailures)
                {
                    lock (_lock) _avoided[link.Silo] = time.GetTimestamp();
                    LogReplacing(partition, link.Silo, ReplaceAfterFailures);
                }
                await Task.Delay(link.Retry.Delay, time).ConfigureAwait(false);
                lock (_lock) link.Pending = true;
            }
        }
    }

    /// <summary>The partition serialized now, sent one segment per call; the offset the replica then holds.</summary>
    private async Task<long> FullSyncAsync(Link link)
    {
        var (data, at) = engine.ForkForReplica();
        long acked = -1;
        for (int i = 0; i < data.Segments.Count; i++)
        {
            acked = await link.Grain.Sync(new ReplicaSync(Epoch, data.Segments[i].ToArray(), i, data.Segments.Count, at));
            if (acked < 0) throw new InvalidOperationException("the replica refused a full sync (out of order, or its copy was promoted)");
        }
        return acked;
    }

    /// <summary>
    /// WAIT: once at least <paramref name="needed"/> replicas acknowledged everything written so far (or
    /// <paramref name="timeout"/> passed; zero waits forever), how many did.
    /// </summary>
    public Task<int> WaitAsync(int needed, TimeSpan timeout) => WaitAsync(needed, timeout, time);

    private async Task<int> WaitAsync(int needed, TimeSpan timeout, TimeProvider clock)
    {
        long offset = engine.Locked(k => k.Effects.Offset);
        TaskCompletionSource<int> done;
        lock (_lock)
        {
            int count = AckedAt(offset);
            if (count >= needed) return count;
            done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((offset, needed, done));
        }
        if (timeout > TimeSpan.Zero)
        {
            try { return await done.Task.WaitAsync(timeout, clock).ConfigureAwait(false); }
            catch (TimeoutException) { }
            lock (_lock)
            {
                _waiters.RemoveAll(w => w.Done == done);
                return AckedAt(offset);
            }
        }
        return await done.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Replicas that are good for min-replicas-to-write: caught up with the partition, or acknowledged within
    /// min-replicas-max-lag (Redis counts replicas whose last ACK is that recent).
    /// </summary>
    public int GoodReplicas
    {
        get { lock (_lock) return CountGood(); }
    }

    private int CountGood()
    {
        long offset = engine.Keyspace.Effects.Offset;
        int good = 0;
        foreach (var link in _links)
            if (link.Acked >= 0 && (link.Acked >= offset || time.GetElapsedTime(link.AckedAt) <= engine.MinReplicasMaxLag)) good++;
        return good;
    }

    /// <summary>Refuses writes (NOREPLICAS) while fewer good replicas than min-replicas-to-write; called on every ack and each second.</summary>
    public void CheckGoodReplicas()
    {
        lock (_lock)
        {
            bool tooFew = engine.MinReplicasToWrite > 0 && CountGood() < engine.MinReplicasToWrite;
            if (tooFew != engine.TooFewReplicas) engine.TooFewReplicas = tooFew;
        }
    }

    /// <summary>Replicas that acknowledged <paramref name="offset"/>. Holds the lock.</summary>
    private int AckedAt(long offset)
    {
        int count = 0;
        foreach (var link in _links) if (link.Acked >= offset) count++;
        return count;
    }

    private void ResolveWaiters()
    {
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            var (offset, needed, done) = _waiters[i];
            int count = AckedAt(offset);
            if (count < needed) continue;
            done.TrySetResult(count);
            _waiters.RemoveAt(i);
        }
    }

    /// <summary>
    /// The primary is going away gracefully (no write comes any more): waits until one replica has everything, so that
    /// the next activation, placed on that replica's silo, loses nothing. At most <paramref name="timeout"/> of real time
    /// (it bounds a shutdown), and not at all when every replica's last call failed.
    /// </summary>
    public Task<int> CatchUpAsync(TimeSpan timeout)
    {
        lock (_lock)
        {
            if (!_links.Exists(l => l.Retry.Failures == 0)) return Task.FromResult(0); // a replica being synced counts: it may finish
        }
        Kick();
        return WaitAsync(1, timeout, TimeProvider.System);
    }

    /// <summary>Stops sending (the activation is gone); waiting WAITs answer what was acknowledged.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            engine.EffectsAppended = null;
            foreach (var link in _links) link.Removed = true;
            foreach (var (offset, _, done) in _waiters) done.TrySetResult(AckedAt(offset));
            _waiters.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} could not replicate to silo {Silo}; retrying")]
    private partial void LogSendFailed(Exception exception, int partition, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} replaces its replica on silo {Silo} after {Failures} failed calls in a row")]
    private partial void LogReplacing(int partition, string silo, int failures);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition} could not drop its replica on silo {Silo}")]
    private partial void LogDropFailed(Exception exception, int partition, string silo);
}
