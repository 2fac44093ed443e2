using Microsoft.Extensions.Logging;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Grains;

// The hub's side of rebuilding a shard's directory after the shard's silo died (see the class comment in PubSubHub.cs).
internal sealed partial class PubSubHub
{
    /// <summary>
    /// Re-announces this hub's subscriptions to every shard whose activation no longer holds them (its silo died and it
    /// came back empty elsewhere): per shard, one call with the hub's count of each of its channels and shard channels
    /// and of each pattern; the restored subscriptions count from the sequence number it answers. Returns how many
    /// shards were restored. Safe to call at any time and repeatedly: shards that hold this hub's registrations are
    /// left alone, and a restore sets counts rather than adding them.
    /// </summary>
    public async Task<int> RestoreShardsAsync(CancellationToken cancellationToken = default)
    {
        await _restoreGate.WaitAsync(cancellationToken);
        try
        {
            lock (_lock)
            {
                if (_channels.Count == 0 && _patterns.Count == 0) return 0;
            }
            var epochs = await Task.WhenAll(Enumerable.Range(0, Shards).Select(i => Shard(i).Epoch().AsTask()));
            bool[] stale;
            lock (_lock) stale = StaleShards(epochs);
            int[] shards = [.. Enumerable.Range(0, Shards).Where(i => stale[i])];
            if (shards.Length == 0) return 0;
            // No join or leave of this hub may change what is being restored: take the pattern gate and the gates of the
            // stale shards' channels. Only a restore takes more than one gate, and restores run one at a time.
            var held = new List<SemaphoreSlim>();
            try
            {
                await _patternGate.WaitAsync(cancellationToken);
                held.Add(_patternGate);
                var locals = new List<LocalChannel>[Shards];
                lock (_lock)
                {
                    foreach (var local in _channels.Values)
                    {
                        int shard = ShardOf(local.Name);
                        if (stale[shard]) (locals[shard] ??= []).Add(local);
                    }
                }
                foreach (var list in locals)
                {
                    foreach (var local in list ?? [])
                    {
                        await local.Gate.WaitAsync(cancellationToken);
                        held.Add(local.Gate);
                    }
                }
                var restored = await Task.WhenAll(shards.Select(shard => RestoreShardAsync(shard, locals[shard] ?? [])));
                LogRestored(Id, shards.Length, restored.Sum());
                return shards.Length;
            }
            finally
            {
                foreach (var gate in held) gate.Release();
            }
        }
        finally
        {
            _restoreGate.Release();
        }
    }

    /// <summary>Per shard: some subscription of this hub there was registered with an activation other than the shard's current one.</summary>
    private bool[] StaleShards(long[] epochs)
    {
        var stale = new bool[epochs.Length];
        foreach (var local in _channels.Values)
        {
            int shard = ShardOf(local.Name);
            if (stale[shard]) continue;
            foreach (var sub in local.Subs)
                if (sub.Join >= 0 && sub.Epoch != epochs[shard]) stale[shard] = true;
        }
        foreach (var subs in _patterns.Values)
            foreach (var sub in subs)
                for (int i = 0; i < epochs.Length; i++)
                    if (sub.Epochs is not null && sub.Epochs[i] != epochs[i]) stale[i] = true;
        return stale;
    }

    /// <summary>Announces to one shard this hub's counts of the shard's channels (whose gates are held) and of every pattern; returns how many subscriptions.</summary>
    private async Task<int> RestoreShardAsync(int shard, List<LocalChannel> locals)
    {
        var counts = new List<SubscriptionCount>();
        long floor;
        int total = 0;
        lock (_lock)
        {
            floor = _patternSeen[shard];
            foreach (var local in locals)
            {
                if (local.Removed) continue;
                counts.Add(new SubscriptionCount(local.Space, local.Name, local.Subs.Count));
                total += local.Subs.Count;
                floor = Math.Max(floor, local.Seen);
            }
            foreach (var subs in _patterns.Values)
            {
                if (subs.Count == 0) continue;
                counts.Add(new SubscriptionCount(ChannelSpace.Pattern, subs[0].Pattern, subs.Count));
                total += subs.Count;
            }
        }
        var answer = await Shard(shard).Restore(Id, [.. counts], floor);
        lock (_lock)
        {
            // Messages the new activation numbers after its answer count the restored subscriptions; those of the old
            // activation, and those numbered before the answer, no longer reach them.
            foreach (var local in locals)
            {
                if (local.Removed) continue;
                foreach (var sub in local.Subs)
                {
                    if (sub.Epoch == answer.Epoch) continue; // joined the new activation: counted already
                    sub.Join = answer.Sequence;
                    sub.Epoch = answer.Epoch;
                }
            }
            foreach (var subs in _patterns.Values)
            {
                foreach (var sub in subs)
                {
                    if (sub.Join is null || sub.Epochs![shard] == answer.Epoch) continue;
                    sub.Join[shard] = answer.Sequence;
                    sub.Epochs[shard] = answer.Epoch;
                }
            }
            _epochs[shard] = answer.Epoch;
        }
        return total;
    }

    /// <summary>
    /// Notes the epoch a shard answered with; when it differs from the one the hub knew, the shard lost its directory
    /// (not only through a death that membership reported), so a restore runs in the background (one at a time).
    /// </summary>
    private void Observe(int shard, long epoch)
    {
        long known;
        lock (_lock)
        {
            known = _epochs[shard];
            _epochs[shard] = epoch;
        }
        if (known == 0 || known == epoch || Interlocked.Exchange(ref _restoreScheduled, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            Volatile.Write(ref _restoreScheduled, 0); // a change noticed from now on schedules another
            try
            {
                await RestoreShardsAsync();
            }
            catch (Exception e)
            {
                LogRestoreFailed(e, Id);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pub/sub hub {Hub} restored {Subscriptions} subscriptions on {Shards} shards that had lost their directory")]
    private partial void LogRestored(string hub, int shards, int subscriptions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pub/sub hub {Hub} could not restore its subscriptions on a shard that had lost its directory")]
    private partial void LogRestoreFailed(Exception exception, string hub);
}
