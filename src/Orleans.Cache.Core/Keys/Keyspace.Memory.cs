using System.Runtime.CompilerServices;

namespace Orleans.Cache.Core;

/// <summary>
/// Memory accounting and eviction (Redis's evict.c) for one partition.
/// <para>
/// Accounting: every key is charged <see cref="MemoryUsage.Of(Entry, long)"/>'s estimate (entry, table slot, key and
/// value arrays) when it is added, replaced or removed, so <see cref="UsedMemory"/> is kept in O(1) per write without a
/// scan. A plain string's charge follows from its length; a value written in place (a <see cref="StringBuffer"/>, a
/// hash, list, set or sorted set) remembers the charge it was given, and is charged again (a sampled estimate, as MEMORY
/// USAGE's) after each command that looked it up and changed something. The partition publishes its total to the silo's
/// <see cref="SiloMemory"/>.
/// </para>
/// <para>
/// Eviction: before a command flagged denyoom, when the silo is over maxmemory, the partition running it evicts from its
/// own keys its share of the excess (excess × its memory / the silo's memory, at least one key), as Redis's
/// performEvictions does before a command. Each partition pays for its own writes, and every partition that writes
/// gives back in proportion to what it holds, so the silo converges under maxmemory without one partition reaching
/// into another. A partition with nothing it may evict answers OOM while the silo is over (noeviction always does).
/// LRU and LFU choose through a pool of the 16 best candidates seen, filled by maxmemory-samples random keys per round;
/// volatile-ttl takes the nearest deadline of the deadline index (exact, where Redis samples); the random policies a
/// random key. One eviction stops after maxmemory-eviction-tenacity's time limit (checked every 16 keys) and lets the
/// command run; the next write carries on.
/// </para>
/// </summary>
internal sealed partial class Keyspace
{
    private const int PoolSize = 16;
    private const uint LfuInitial = 5;
    private const long PublishDrift = 1 << 20;

    private long _used, _published;
    private SiloMemory _memory = new();
    private bool _lfu;
    // Entries the running command found whose value may change in place, with the value they held: charged again after a write.
    private readonly List<(Entry Entry, object Value)> _mutables = new(4);
    // The eviction pool, best candidate (highest score) last.
    private readonly Entry?[] _pool = new Entry?[PoolSize];
    private readonly ulong[] _poolScore = new ulong[PoolSize];
    private int _poolCount;

    /// <summary>This partition's estimate of the bytes its keys hold (readable from other threads, for INFO).</summary>
    public long UsedMemory => Volatile.Read(ref _used);

    /// <summary>The silo this partition's memory counts toward (a private one until the silo's is set).</summary>
    public SiloMemory Memory
    {
        get => _memory;
        set
        {
            if (ReferenceEquals(value, _memory)) return;
            _memory.Add(-_published);
            _published = 0;
            _memory = value;
            Publish();
        }
    }

    /// <summary>maxmemory and the eviction parameters (CONFIG SET pushes them to every partition).</summary>
    public EvictionSettings Eviction
    {
        get => _eviction;
        set
        {
            _eviction = value;
            _lfu = value.Lfu;
            _memory.MaxMemory = value.MaxMemory;
            Array.Clear(_pool);
            _poolCount = 0;
            if (value.MaxMemory != 0) Publish(); // the silo's total must be whole before any partition compares it
        }
    }
    private EvictionSettings _eviction = EvictionSettings.Default;

    /// <summary>Adds this partition's change since the last call to the silo's total.</summary>
    public void Publish()
    {
        long used = _used;
        if (used == _published) return;
        _memory.Add(used - _published);
        _published = used;
    }

    /// <summary>After a batch: publishes when maxmemory is set (eviction needs the silo's total), or when it drifted by a megabyte.</summary>
    public void PublishAfterBatch()
    {
        if (_memory.MaxMemory != 0 || Math.Abs(_used - _published) >= PublishDrift) Publish();
    }

    // ---- accounting ----


    /// <summary>The charge <paramref name="value"/> carries now: a plain string's from its length, other values' as last charged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long ValueCharge(object value) => value switch
    {
        byte[] s => MemoryUsage.ArrayBytes(s.Length),
        StringBuffer b => b.Charged,
        IRedisValue v => v.Charged,
        _ => 0,
    };

    /// <summary>Charges <paramref name="value"/> afresh (remembering the charge in it when it can change in place) and returns it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long ChargeNew(object value) => value is byte[] s ? MemoryUsage.ArrayBytes(s.Length) : ChargeMutable(value);

    private static long ChargeMutable(object value)
    {
        long bytes = MemoryUsage.ValueBytes(value);
        if (value is StringBuffer b) b.Charged = bytes;
        else if (value is IRedisValue v) v.Charged = bytes;
        return bytes;
    }

    /// <summary>What <paramref name="entry"/> is charged now (its share of <see cref="UsedMemory"/>).</summary>
    internal static long ChargeOf(Entry entry) => MemoryUsage.KeyBytes(entry.Key) + ValueCharge(entry.Value);

    /// <summary>Puts <paramref name="value"/> in place of the entry's value without other effects (a string frozen or unshared).</summary>
    internal void SwapValue(Entry entry, object value)
    {
        long old = ValueCharge(entry.Value);
        entry.Value = value;
        if (!entry.Removed) _used += ChargeNew(value) - old;
    }

    /// <summary>Charges again a value that may have changed in place (after a command that changed something).</summary>
    internal void Recharge(Entry entry)
    {
        var value = entry.Value;
        if (entry.Removed || value is byte[]) return;
        long old = ValueCharge(value);
        _used += ChargeNew(value) - old;
    }

    private void NoteMutable(Entry entry) => _mutables.Add((entry, entry.Value));

    /// <summary>At the end of a command: charges again what it found that may have changed in place, if it changed anything.</summary>
    private void RechargeMutables()
    {
        if (_changed)
            foreach (var (entry, value) in _mutables)
                if (ReferenceEquals(entry.Value, value)) Recharge(entry); // else replaced, and charged when it was
        _mutables.Clear();
    }

    // ---- LRU / LFU ----

    /// <summary>Records an access: the LRU clock, or under an LFU policy the decayed, logarithmically incremented counter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Access(Entry entry)
    {
        if (_lfu) LfuAccess(entry);
        else entry.Touch(_clock);
    }

    /// <summary>The access state a new key starts with (Redis's createObject: the clock, or LFU_INIT_VAL now).</summary>
    private uint NewAccessState => _lfu ? LfuMinutes << 8 | LfuInitial : _clock;

    private uint LfuMinutes => (uint)(Now / 60_000) & 0xFFFF;

    /// <summary>Redis's LFUDecrAndReturn: the counter less one per lfu-decay-time minutes since it was last decremented.</summary>
    internal int LfuCounter(Entry entry)
    {
        uint state = entry.Lfu, ldt = (state >> 8) & 0xFFFF, now = LfuMinutes;
        long counter = state & 0xFF;
        long elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
        long periods = _eviction.LfuDecayTime > 0 ? elapsed / _eviction.LfuDecayTime : 0;
        return (int)(periods > counter ? 0 : counter - periods);
    }

    /// <summary>Redis's updateLFU: decay, then LFULogIncr (the counter grows with probability 1 / ((counter − 5) × lfu-log-factor + 1)).</summary>
    private void LfuAccess(Entry entry)
    {
        int counter = LfuCounter(entry);
        if (counter < 255)
        {
            double baseval = Math.Max(0, counter - (int)LfuInitial);
            if (_random.NextDouble() < 1.0 / (baseval * _eviction.LfuLogFactor + 1)) counter++;
        }
        entry.Lfu = LfuMinutes << 8 | (uint)counter;
    }

    /// <summary>Whether an LFU policy is selected (OBJECT FREQ answers; OBJECT IDLETIME refuses).</summary>
    public bool TracksFrequency => _lfu;

    // ---- eviction ----

    /// <summary>
    /// Before a denyoom command while maxmemory is set (Redis's performEvictions): when the silo is over, evicts this
    /// partition's share of the excess. Null when the command may run; Redis's OOM error when the silo is over and this
    /// partition could not free its share (noeviction, or nothing left that the policy may evict).
    /// </summary>
    public Reply? MakeRoom()
    {
        Publish();
        long max = _memory.MaxMemory, silo = _memory.Used;
        if (max == 0 || silo <= max || ReadingReplica) return null;
        if (_eviction.Policy == EvictionPolicy.NoEviction) return Errors.OutOfMemory;
        if (_used <= 0) return null; // nothing here: the partitions that hold the memory give it back when they write
        long over = silo - max;
        long share = Math.Clamp((long)Math.Ceiling((double)over * _used / silo), 1, over);
        long freed = 0, start = _time.GetTimestamp();
        var limit = _eviction.TimeLimit;
        int evicted = 0;
        bool exhausted = false;
        while (freed < share)
        {
            var victim = PickVictim();
            if (victim is null) { exhausted = true; break; }
            freed += ChargeOf(victim);
            Evict(victim);
            if (++evicted % 16 == 0 && _time.GetElapsedTime(start) > limit) break; // the next write carries on
        }
        Publish();
        return exhausted && _memory.Used > max ? Errors.OutOfMemory : null;
    }

    /// <summary>Deletes <paramref name="entry"/> to free memory: an "evicted" event, INFO's evicted_keys, and a DEL for replicas.</summary>
    private void Evict(Entry entry)
    {
        Remove(entry);
        EvictedTotal++;
        Effects.Append([EffectWords.Del, entry.Key]);
        KeyChanges?.OnKeyChanged(entry.Key);
        Events?.OnKeyspaceEvent(KeyspaceEventFlags.Evicted, "evicted", entry.Key);
    }

    private Entry? PickVictim() => _eviction.Policy switch
    {
        EvictionPolicy.AllKeysRandom => _table.Random(_random),
        EvictionPolicy.VolatileRandom => RandomExpiring(),
        EvictionPolicy.VolatileTtl => NearestDeadline(),
        EvictionPolicy.NoEviction => null,
        _ => FromPool(),
    };

    /// <summary>The key whose deadline is nearest (stale items of the deadline index are dropped on the way).</summary>
    private Entry? NearestDeadline()
    {
        while (_deadlines.TryPeek(out var entry, out long deadline))
        {
            if (!entry.Removed && entry.ExpireAt == deadline) return entry;
            _deadlines.Dequeue();
        }
        return null;
    }

    /// <summary>
    /// A random key with a TTL: random keys of the table until one has a TTL (16 tries); where expiring keys are too
    /// sparse for that, the first live one of the deadline index.
    /// </summary>
    private Entry? RandomExpiring()
    {
        if (ExpiringCount == 0) return null;
        for (int i = 0; i < 16; i++)
            if (_table.Random(_random) is { ExpireAt: not 0 } e) return e;
        int looked = 0;
        foreach (var (entry, deadline) in _deadlines.UnorderedItems)
        {
            if (!entry.Removed && entry.ExpireAt == deadline) return entry;
            if (++looked >= 1024) break;
        }
        return NearestDeadline();
    }

    /// <summary>The eviction pool's best candidate after a round of sampling (Redis's evictionPoolPopulate + pick).</summary>
    private Entry? FromPool()
    {
        bool volatileOnly = _eviction.VolatileOnly;
        for (int i = 0; i < _eviction.Samples; i++)
        {
            var sample = volatileOnly ? RandomExpiring() : _table.Random(_random);
            if (sample is null) break;
            AddToPool(sample, Score(sample));
        }
        while (_poolCount > 0)
        {
            var best = _pool[--_poolCount]!;
            _pool[_poolCount] = null;
            if (!best.Removed && (!volatileOnly || best.ExpireAt != 0)) return best;
        }
        return null;
    }

    /// <summary>How good an eviction candidate is, higher better: idle seconds (LRU) or 255 − the decayed counter (LFU).</summary>
    private ulong Score(Entry entry) => _lfu ? (ulong)(255 - LfuCounter(entry)) : (ulong)IdleSeconds(entry);

    private void AddToPool(Entry entry, ulong score)
    {
        for (int i = 0; i < _poolCount; i++)
            if (ReferenceEquals(_pool[i], entry)) return;
        // Where it goes: after every candidate with a lower or equal score.
        int at = 0;
        while (at < _poolCount && _poolScore[at] <= score) at++;
        if (_poolCount == PoolSize)
        {
            if (at == 0) return; // worse than every candidate in a full pool
            // Drop the worst (first) candidate, shifting the ones before the insertion point left.
            Array.Copy(_pool, 1, _pool, 0, at - 1);
            Array.Copy(_poolScore, 1, _poolScore, 0, at - 1);
            at--;
        }
        else
        {
            Array.Copy(_pool, at, _pool, at + 1, _poolCount - at);
            Array.Copy(_poolScore, at, _poolScore, at + 1, _poolCount - at);
            _poolCount++;
        }
        _pool[at] = entry;
        _poolScore[at] = score;
    }
}
