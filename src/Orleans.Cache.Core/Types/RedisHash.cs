using System.Collections;
using Orleans.Cache.Core.Config;

namespace Orleans.Cache.Core;

/// <summary>
/// A hash: field → value (Redis's t_hash.c), with optional per-field deadlines (Redis 7.4's hash field expiration).
/// Two encodings, as Redis has: a small hash is a <see cref="Listpack"/> of field-value pairs in insertion order
/// (linear lookups in one array), converted once and for good to a <see cref="Dict{TValue}"/> table when it passes
/// hash-max-listpack-entries fields, is given a field or value longer than hash-max-listpack-value bytes, or a field
/// gets a deadline (where Redis 7.4 has its listpackex). Commands never see the difference: they read through
/// <see cref="TryGetValue"/>, <see cref="ContainsKey"/>, enumeration, <see cref="Scan"/> and <see cref="Pick"/>, and
/// write through <see cref="Set"/>, <see cref="SetKeepTtl"/> and <see cref="Remove"/>, so a field's deadline follows
/// its field. Values read from the listpack are copies; table values are arrays never changed in place.
/// </summary>
internal sealed class RedisHash : IRedisValue, IEnumerable<KeyValuePair<byte[], byte[]>>
{
    /// <summary>Tables of at most this many fields answer HSCAN in one step (a listpack always does, as in Redis).</summary>
    public const int SmallSize = 128;

    // The listpack (byte[]: field, value, field, value … in its first _packedLength bytes) or the table (Dict<byte[]>).
    private object _store;
    private int _packedLength, _packedCount;
    // Deadlines and the field-expiry index's bookkeeping, only while some field has a deadline (table form only).
    private FieldDeadlines? _ttls;

    public RedisHash() => _store = Array.Empty<byte>();

    /// <summary>
    /// An empty hash that will hold about <paramref name="expected"/> fields (a snapshot's count, so the room made for
    /// them is bounded): a table at once when they cannot fit a listpack.
    /// </summary>
    public RedisHash(int expected, EncodingThresholds limits) =>
        _store = expected > limits.HashMaxListpackEntries ? new Dict<byte[]>(Math.Min(expected, 1 << 16)) : Array.Empty<byte>();

    private RedisHash(object store, int packedLength, int packedCount)
    {
        _store = store;
        _packedLength = packedLength;
        _packedCount = packedCount;
    }

    public string TypeName => "hash";

    /// <inheritdoc/>
    public long Charged { get; set; }

    public int Count => _store is Dict<byte[]> table ? table.Count : _packedCount;

    /// <summary>True while the hash is a listpack (OBJECT ENCODING "listpack"), false once it is a table ("hashtable").</summary>
    public bool IsListpack => _store is byte[];

    /// <summary>The listpack's allocated bytes (0 for a table), for MEMORY USAGE.</summary>
    public int ListpackCapacity => _store is byte[] packed ? packed.Length : 0;

    /// <summary>The table once the hash is one (null while a listpack), for MEMORY USAGE's sampling.</summary>
    internal Dict<byte[]>? Table => _store as Dict<byte[]>;

    /// <summary>The keyspace entry and deadline under which the keyspace's field-expiry index holds this hash (see <see cref="Keyspace"/>).</summary>
    internal Entry? IndexedEntry
    {
        get => _ttls?.IndexedEntry;
        set { if (_ttls is not null) _ttls.IndexedEntry = value; }
    }

    internal long IndexedAt => _ttls?.IndexedAt ?? 0;

    internal void Index(Entry entry, long at)
    {
        _ttls!.IndexedEntry = entry;
        _ttls.IndexedAt = at;
    }

    // ---- reads ----

    public bool TryGetValue(byte[] field, out byte[] value)
    {
        if (_store is Dict<byte[]> table) return table.TryGetValue(field, out value);
        var packed = (byte[])_store;
        int at = Listpack.Find(packed, _packedLength, field, 2);
        if (at < 0)
        {
            value = null!;
            return false;
        }
        at = Listpack.Skip(packed, at);
        value = Listpack.Read(packed, ref at).ToArray();
        return true;
    }

    public bool ContainsKey(byte[] field) =>
        _store is Dict<byte[]> table ? table.ContainsKey(field) : Listpack.Find((byte[])_store, _packedLength, field, 2) >= 0;

    /// <summary>The length of <paramref name="field"/>'s value, or 0 when it does not exist (HSTRLEN), without copying it.</summary>
    public int ValueLength(byte[] field)
    {
        if (_store is Dict<byte[]> table) return table.TryGetValue(field, out var value) ? value.Length : 0;
        var packed = (byte[])_store;
        int at = Listpack.Find(packed, _packedLength, field, 2);
        if (at < 0) return 0;
        at = Listpack.Skip(packed, at);
        return Listpack.Read(packed, ref at).Length;
    }

    /// <summary>Fields and values in the hash's order (insertion order, holes squeezed out).</summary>
    public IEnumerator<KeyValuePair<byte[], byte[]>> GetEnumerator()
    {
        if (_store is Dict<byte[]> table)
        {
            foreach (var pair in table) yield return pair;
            yield break;
        }
        var packed = (byte[])_store;
        for (int at = 0; at < _packedLength;)
        {
            var field = Listpack.Read(packed, ref at).ToArray();
            var value = Listpack.Read(packed, ref at).ToArray();
            yield return new(field, value);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// One HSCAN step from <paramref name="cursor"/>: adds about <paramref name="count"/> fields to <paramref name="into"/>
    /// and returns the next cursor (0 when done). A listpack is returned whole whatever the cursor, as Redis does.
    /// </summary>
    public ulong Scan(ulong cursor, int count, List<KeyValuePair<byte[], byte[]>> into)
    {
        if (_store is Dict<byte[]> table) return table.Scan(cursor, count, SmallSize, into);
        into.AddRange(this);
        return 0;
    }

    /// <summary>A uniformly random field and its value; the hash must not be empty.</summary>
    public KeyValuePair<byte[], byte[]> Random(Random random) =>
        _store is Dict<byte[]> table ? table.Random(random) : this.ElementAt(random.Next(_packedCount));

    /// <summary>HRANDFIELD's picks: <paramref name="count"/> distinct fields when positive, |count| with repetition when negative.</summary>
    public List<KeyValuePair<byte[], byte[]>> Pick(long count, Random random) =>
        _store is Dict<byte[]> table ? RandomReplies.Pick(table, count, random) : RandomReplies.Pick(this.ToList(), count, random);

    // ---- writes ----

    /// <summary>Adds or replaces a field; a replaced field loses its deadline (HSET).</summary>
    public bool Set(byte[] field, byte[] value, EncodingThresholds limits)
    {
        bool added = SetKeepTtl(field, value, limits);
        if (!added) ClearDeadline(field);
        return added;
    }

    /// <summary>
    /// Adds or replaces a field, keeping the deadline of a replaced one (HINCRBY, HSETEX … KEEPTTL). A listpack becomes
    /// a table when the field or value is too long for it, or when it then has too many fields (checked after every
    /// write, as Redis's hashTypeSet does, so a lowered threshold applies at the next write).
    /// </summary>
    public bool SetKeepTtl(byte[] field, byte[] value, EncodingThresholds limits)
    {
        if (_store is byte[] && (field.Length > limits.HashMaxListpackValue || value.Length > limits.HashMaxListpackValue))
            ConvertToTable();
        if (_store is Dict<byte[]> table) return table.Set(field, value);
        bool added = SetPacked(field, value);
        if (_packedCount > limits.HashMaxListpackEntries) ConvertToTable();
        return added;
    }

    private bool SetPacked(byte[] field, byte[] value)
    {
        var packed = (byte[])_store;
        int at = Listpack.Find(packed, _packedLength, field, 2);
        if (at >= 0)
        {
            int valueAt = Listpack.Skip(packed, at);
            int oldSize = Listpack.Skip(packed, valueAt) - valueAt;
            _packedLength = Listpack.Splice(ref packed, _packedLength, valueAt, oldSize, Listpack.Size(value.Length));
            Listpack.Write(packed, valueAt, value);
            _store = packed;
            return false;
        }
        at = _packedLength;
        _packedLength = Listpack.Splice(ref packed, _packedLength, at, 0, Listpack.Size(field.Length) + Listpack.Size(value.Length));
        Listpack.Write(packed, Listpack.Write(packed, at, field), value);
        _store = packed;
        _packedCount++;
        return true;
    }

    public bool Remove(byte[] field)
    {
        if (_store is Dict<byte[]> table)
        {
            if (!table.Remove(field)) return false;
            ClearDeadline(field);
            return true;
        }
        var packed = (byte[])_store;
        int at = Listpack.Find(packed, _packedLength, field, 2);
        if (at < 0) return false;
        int end = Listpack.Skip(packed, Listpack.Skip(packed, at));
        _packedLength = Listpack.Splice(ref packed, _packedLength, at, end - at, 0);
        _packedCount--;
        return true;
    }

    /// <summary>Moves a listpack's pairs to a table; a table never goes back, as in Redis.</summary>
    private Dict<byte[]> ConvertToTable()
    {
        if (_store is Dict<byte[]> done) return done;
        var table = new Dict<byte[]>(_packedCount);
        foreach (var (field, value) in this) table.Set(field, value);
        _store = table;
        _packedLength = _packedCount = 0;
        return table;
    }

    // ---- field deadlines ----

    /// <summary>True when some field has a deadline.</summary>
    public bool HasFieldDeadlines => _ttls is not null;

    /// <summary>
    /// No later than the earliest field deadline (it may be a stale, earlier one); <see cref="long.MaxValue"/> when no
    /// field has a deadline. Fields are due once this is before now.
    /// </summary>
    public long NextDeadline => _ttls is not null && _ttls.Due.TryPeek(out _, out long at) ? at : long.MaxValue;

    /// <summary>The deadline of <paramref name="field"/> in Unix ms, or 0 when it has none (or does not exist).</summary>
    public long DeadlineOf(byte[] field) => _ttls is not null && _ttls.At.TryGetValue(field, out long at) ? at : 0;

    /// <summary>Gives an existing field a deadline (Unix ms, &gt; 0); a listpack becomes a table first.</summary>
    public void SetDeadline(byte[] field, long at)
    {
        if (!ConvertToTable().TryGetValue(field, out _, out var stored)) throw new InvalidOperationException("no such field");
        var ttls = _ttls ??= new FieldDeadlines();
        ttls.At.Set(stored, at);
        ttls.Due.Enqueue(stored, at);
        if (ttls.Due.Count > 16 + 2 * ttls.At.Count) ttls.RebuildDue();
    }

    /// <summary>Removes the deadline of <paramref name="field"/>; false when it had none.</summary>
    public bool ClearDeadline(byte[] field)
    {
        if (_ttls is null || !_ttls.At.Remove(field)) return false;
        if (_ttls.At.Count == 0) _ttls = null;
        return true;
    }

    /// <summary>Removes up to <paramref name="max"/> fields whose deadline is before <paramref name="now"/>, earliest first, and returns them.</summary>
    public List<byte[]> TakeDue(long now, int max)
    {
        var taken = new List<byte[]>();
        while (taken.Count < max && _ttls is not null && _ttls.Due.TryPeek(out var field, out long at) && at < now)
        {
            _ttls.Due.Dequeue();
            if (DeadlineOf(field) != at) continue; // stale: persisted, re-timed or removed since
            Remove(field);
            taken.Add(field);
        }
        return taken;
    }

    /// <summary>How many fields are live at <paramref name="now"/> (those whose deadline has not passed).</summary>
    public int CountLive(long now)
    {
        if (NextDeadline >= now) return Count;
        int expired = 0;
        foreach (var (_, at) in _ttls!.At) if (at < now) expired++;
        return Count - expired;
    }

    public IRedisValue Clone()
    {
        if (_store is byte[] packed) return new RedisHash(packed.AsSpan(0, _packedLength).ToArray(), _packedLength, _packedCount);
        var copy = new RedisHash(((Dict<byte[]>)_store).Clone(), 0, 0);
        if (_ttls is not null)
            foreach (var (field, at) in _ttls.At) copy.SetDeadline(field, at);
        return copy;
    }

    /// <summary>Field → absolute deadline (Unix ms) for the fields that have one, with their expiry order.</summary>
    private sealed class FieldDeadlines
    {
        public readonly Dict<long> At = new();
        // The same deadlines, earliest first. A field persisted, re-timed or removed leaves a stale item here, recognised
        // on the way out because its deadline no longer matches At; the heap is rebuilt once mostly stale.
        public readonly PriorityQueue<byte[], long> Due = new();
        public Entry? IndexedEntry;
        public long IndexedAt;

        public void RebuildDue()
        {
            Due.Clear();
            foreach (var (field, at) in At) Due.Enqueue(field, at);
        }
    }

    // ---- lookup in the keyspace ----

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
