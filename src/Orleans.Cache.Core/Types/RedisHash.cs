namespace Orleans.Cache.Core;

/// <summary>
/// A hash: field → value (Redis's t_hash.c), with optional per-field deadlines (Redis 7.4's hash field expiration).
/// Values are byte arrays never changed in place. Read fields through <see cref="Fields"/>; write them through
/// <see cref="Set"/>, <see cref="SetKeepTtl"/> and <see cref="Remove"/>, so a field's deadline follows its field.
/// </summary>
internal sealed class RedisHash : IRedisValue
{
    /// <summary>Below this size HSCAN answers in one step, as Redis does for its listpack encoding.</summary>
    public const int SmallSize = 128;

    public Dict<byte[]> Fields { get; }

    // Field → absolute deadline (Unix ms), only for fields that have one; null while none has.
    private Dict<long>? _deadlines;
    // The same deadlines, earliest first. A field persisted, re-timed or removed leaves a stale item here, recognised
    // on the way out because its deadline no longer matches _deadlines; the heap is rebuilt once mostly stale.
    private PriorityQueue<byte[], long>? _due;

    public RedisHash() => Fields = new Dict<byte[]>();
    private RedisHash(Dict<byte[]> fields) => Fields = fields;

    public string TypeName => "hash";

    /// <inheritdoc/>
    public long Charged { get; set; }
    public int Count => Fields.Count;

    /// <summary>The keyspace entry and deadline under which the keyspace's field-expiry index holds this hash (see <see cref="Keyspace"/>).</summary>
    internal Entry? IndexedEntry;
    internal long IndexedAt;

    /// <summary>True when some field has a deadline.</summary>
    public bool HasFieldDeadlines => _deadlines is { Count: > 0 };

    /// <summary>
    /// No later than the earliest field deadline (it may be a stale, earlier one); <see cref="long.MaxValue"/> when no
    /// field has a deadline. Fields are due once this is before now.
    /// </summary>
    public long NextDeadline => _due is not null && _due.TryPeek(out _, out long at) ? at : long.MaxValue;

    /// <summary>The deadline of <paramref name="field"/> in Unix ms, or 0 when it has none (or does not exist).</summary>
    public long DeadlineOf(byte[] field) => _deadlines is not null && _deadlines.TryGetValue(field, out long at) ? at : 0;

    /// <summary>Adds or replaces a field; a replaced field loses its deadline (HSET).</summary>
    public bool Set(byte[] field, byte[] value)
    {
        bool added = Fields.Set(field, value);
        if (!added) ClearDeadline(field);
        return added;
    }

    /// <summary>Adds or replaces a field, keeping the deadline of a replaced one (HINCRBY, HSETEX … KEEPTTL).</summary>
    public bool SetKeepTtl(byte[] field, byte[] value) => Fields.Set(field, value);

    public bool Remove(byte[] field)
    {
        if (!Fields.Remove(field)) return false;
        ClearDeadline(field);
        return true;
    }

    /// <summary>Gives an existing field a deadline (Unix ms, &gt; 0).</summary>
    public void SetDeadline(byte[] field, long at)
    {
        if (!Fields.TryGetValue(field, out _, out var stored)) throw new InvalidOperationException("no such field");
        (_deadlines ??= new Dict<long>()).Set(stored, at);
        (_due ??= new PriorityQueue<byte[], long>()).Enqueue(stored, at);
        if (_due.Count > 16 + 2 * _deadlines.Count) RebuildDue();
    }

    /// <summary>Removes the deadline of <paramref name="field"/>; false when it had none.</summary>
    public bool ClearDeadline(byte[] field)
    {
        if (_deadlines is null || !_deadlines.Remove(field)) return false;
        if (_deadlines.Count == 0) { _deadlines = null; _due = null; }
        return true;
    }

    /// <summary>Removes up to <paramref name="max"/> fields whose deadline is before <paramref name="now"/>, earliest first, and returns them.</summary>
    public List<byte[]> TakeDue(long now, int max)
    {
        var taken = new List<byte[]>();
        while (taken.Count < max && _due is not null && _due.TryPeek(out var field, out long at) && at < now)
        {
            _due.Dequeue();
            if (DeadlineOf(field) != at) continue; // stale: persisted, re-timed or removed since
            Fields.Remove(field);
            ClearDeadline(field);
            taken.Add(field);
        }
        return taken;
    }

    /// <summary>How many fields are live at <paramref name="now"/> (those whose deadline has not passed).</summary>
    public int CountLive(long now)
    {
        if (NextDeadline >= now) return Count;
        int expired = 0;
        foreach (var (_, at) in _deadlines!) if (at < now) expired++;
        return Count - expired;
    }

    private void RebuildDue()
    {
        _due!.Clear();
        foreach (var (field, at) in _deadlines!) _due.Enqueue(field, at);
    }

    public IRedisValue Clone()
    {
        var copy = new RedisHash(Fields.Clone());
        if (_deadlines is not null)
            foreach (var (field, at) in _deadlines) copy.SetDeadline(field, at);
        return copy;
    }

    /// <summary>
    /// The hash at <paramref name="key"/>, or null; WRONGTYPE for another type. Fields whose deadline passed are removed
    /// first (the key too once none is left), so no hash command ever sees an expired field.
    /// </summary>
    public static RedisHash? Get(Keyspace db, byte[] key) => Get(db, key, out _);

    /// <summary><see cref="Get(Keyspace, byte[])"/> that also gives the key's entry (null when missing).</summary>
    public static RedisHash? Get(Keyspace db, byte[] key, out Entry? entry)
    {
        entry = db.Find(key);
        if (entry is null) return null;
        if (entry.Value is not RedisHash hash) throw new CommandException(Errors.WrongType);
        if (hash.NextDeadline < db.Now)
        {
            db.ExpireFields(entry, hash, int.MaxValue);
            if (entry.Removed) { entry = null; return null; }
        }
        return hash;
    }

    /// <summary>The hash at <paramref name="key"/>, created empty and stored when missing.</summary>
    public static RedisHash GetOrCreate(Keyspace db, byte[] key) => GetOrCreate(db, key, out _);

    public static RedisHash GetOrCreate(Keyspace db, byte[] key, out Entry entry)
    {
        var hash = Get(db, key, out var found);
        if (hash is not null)
        {
            entry = found!;
            return hash;
        }
        hash = new RedisHash();
        entry = db.Set(key, hash);
        return hash;
    }

    /// <summary>Deletes the key once its hash is empty: Redis never keeps empty aggregates.</summary>
    public static void DeleteIfEmpty(Keyspace db, byte[] key, RedisHash hash)
    {
        if (hash.Count == 0 && db.Delete(key)) db.Notify(KeyspaceEventFlags.Generic, "del", key);
    }
}
