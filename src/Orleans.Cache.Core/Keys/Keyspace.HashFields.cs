namespace Orleans.Cache.Core;

/// <summary>
/// Hash field expiration in the keyspace: an index of the hashes whose fields have deadlines, by their earliest one,
/// drained by the active expire cycle, and the one place expired fields leave a hash (lazily or by the sweep).
/// </summary>
internal sealed partial class Keyspace
{
    // Hashes with field deadlines (HEXPIRE …), by their earliest one, at most one live item per hash: the one named by
    // the hash's IndexedEntry/IndexedAt; other items are stale and dropped when popped or at a compaction.
    private readonly PriorityQueue<Entry, long> _fieldDeadlines = new();
    private int _fieldDeadlinesCompactAt = 1024;

    /// <summary>Hash fields removed because their deadline passed (INFO stats' <c>expired_subkeys</c>).</summary>
    public long ExpiredFieldsTotal { get; private set; }

    /// <summary>The hash-field part of the active expire cycle: at most <paramref name="maxFields"/> fields, earliest hashes first.</summary>
    private int ActiveExpireFields(int maxFields)
    {
        int reclaimed = 0, examined = 0;
        while (examined < maxFields * 2 && reclaimed < maxFields && _fieldDeadlines.TryPeek(out var entry, out long deadline))
        {
            if (deadline >= Now) break;
            _fieldDeadlines.Dequeue();
            examined++;
            if (!IsLiveFieldIndexItem(entry, deadline, out var hash)) continue;
            hash.IndexedEntry = null; // this item is gone: ExpireFields indexes the hash again at its next deadline
            if (entry.ExpireAt != 0 && entry.ExpireAt < Now) { Expire(entry); continue; }
            reclaimed += ExpireFields(entry, hash, maxFields - reclaimed);
        }
        return reclaimed;
    }

    private static bool IsLiveFieldIndexItem(Entry entry, long deadline, out RedisHash hash)
    {
        hash = (entry.Value as RedisHash)!;
        return !entry.Removed && hash is not null && ReferenceEquals(hash.IndexedEntry, entry) && hash.IndexedAt == deadline;
    }

    /// <summary>
    /// Makes sure the field-expiry index will visit the hash at <paramref name="entry"/> by its earliest field deadline;
    /// called whenever a field deadline may have moved earlier, or the hash moved to another entry.
    /// </summary>
    internal void WatchFieldDeadlines(Entry entry, RedisHash hash)
    {
        long next = hash.NextDeadline;
        if (next == long.MaxValue) return;
        if (ReferenceEquals(hash.IndexedEntry, entry) && hash.IndexedAt <= next) return; // an item at least as early is queued
        hash.Index(entry, next);
        _fieldDeadlines.Enqueue(entry, next);
        if (_fieldDeadlines.Count > _fieldDeadlinesCompactAt)
        {
            var live = new List<(Entry, long)>();
            foreach (var (e, at) in _fieldDeadlines.UnorderedItems)
                if (IsLiveFieldIndexItem(e, at, out _)) live.Add((e, at));
            _fieldDeadlines.Clear();
            _fieldDeadlines.EnqueueRange(live);
            _fieldDeadlinesCompactAt = Math.Max(1024, 2 * live.Count);
        }
    }

    /// <summary>
    /// Removes up to <paramref name="max"/> fields of the hash at <paramref name="entry"/> whose deadline passed, as Redis
    /// expires hash fields: each becomes an HDEL effect, the hash raises one "hexpired" event, and a hash left empty is
    /// deleted with a "del" event. Returns how many fields went.
    /// </summary>
    internal int ExpireFields(Entry entry, RedisHash hash, int max)
    {
        if (ReadingReplica) throw new ReplicaReadRefused();
        var expired = hash.TakeDue(Now, max);
        if (expired.Count > 0)
        {
            foreach (var field in expired) Effects.Append([EffectWords.HDel, entry.Key, field]);
            ExpiredFieldsTotal += expired.Count;
            Events?.OnKeyspaceEvent(KeyspaceEventFlags.Hash, "hexpired", entry.Key);
            if (hash.Count == 0)
            {
                Remove(entry);
                Events?.OnKeyspaceEvent(KeyspaceEventFlags.Generic, "del", entry.Key);
            }
            KeyChanges?.OnKeyChanged(entry.Key);
        }
        if (!entry.Removed)
        {
            if (expired.Count > 0) Recharge(entry);
            WatchFieldDeadlines(entry, hash);
        }
        return expired.Count;
    }
}
