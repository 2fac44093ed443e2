namespace Orleans.Cache.Core;

/// <summary>
/// The keys of one partition and the rules every command shares: lazy expiry on access, the deadline
/// index that the active sweep drains, and the command dispatch. Not thread-safe: one partition grain
/// owns one keyspace and runs one batch at a time, as Redis runs one command at a time.
/// </summary>
internal sealed partial class Keyspace
{
    private readonly KeyTable _table = new();
    // Deadlines of keys with a TTL. Entries are never removed from the queue early: a popped entry whose
    // key was deleted or whose TTL changed is recognised as stale and dropped, and the queue is compacted when
    // stale entries outnumber live ones (so deleted values are not kept alive by the index for long).
    private readonly PriorityQueue<Entry, long> _deadlines = new();
    private readonly TimeProvider _time;
    private readonly Random _random;
    // Now in whole seconds, 31 bits: the LRU clock stamped on every key a command looks up (Redis's LRU_CLOCK,
    // 1 s resolution), computed once per command so a lookup pays one store.
    private uint _clock;

    public Keyspace(TimeProvider? time = null, int? seed = null)
    {
        _time = time ?? TimeProvider.System;
        _random = seed is int s ? new Random(s) : new Random();
        Tick();
    }

    /// <summary>
    /// The time commands see, in Unix milliseconds; fixed for the duration of one command, as in Redis, and in a
    /// batch for up to <see cref="CommandsPerTick"/> commands in a row (a few microseconds).
    /// </summary>
    public long Now { get; private set; }

    /// <summary>How many commands of a batch may share one clock reading.</summary>
    public const int CommandsPerTick = 32;

    public int Count => _table.Count;

    /// <summary>How many keys carry a TTL (INFO keyspace's <c>expires</c>).</summary>
    public int ExpiringCount { get; private set; }

    /// <summary>Keys removed because their TTL passed, lazily or by the sweep (INFO stats' <c>expired_keys</c>).</summary>
    public long ExpiredTotal { get; private set; }

    /// <summary>Keys removed to stay under maxmemory (INFO stats' <c>evicted_keys</c>); eviction adds here.</summary>
    public long EvictedTotal { get; set; }

    /// <summary>Lookups by read-only commands that found their key (INFO stats' <c>keyspace_hits</c>).</summary>
    public long Hits { get; private set; }

    /// <summary>Lookups by read-only commands that did not (INFO stats' <c>keyspace_misses</c>).</summary>
    public long Misses { get; private set; }

    // Set while a read-only command runs: its lookups count as hits or misses, as Redis's lookupKeyRead counts them.
    private bool _countLookups;

    /// <summary>CONFIG RESETSTAT: zeroes hits, misses, expired and evicted keys.</summary>
    public void ResetStats()
    {
        Hits = Misses = 0;
        ExpiredTotal = 0;
        EvictedTotal = 0;
    }

    /// <summary>
    /// INFO keyspace's <c>avg_ttl</c>: the mean remaining TTL in ms of up to <paramref name="sample"/> expiring keys (an
    /// estimate, as Redis's is); 0 when no key expires.
    /// </summary>
    public long AverageTtl(int sample = 64)
    {
        long sum = 0, n = 0;
        foreach (var (entry, deadline) in _deadlines.UnorderedItems)
        {
            if (entry.Removed || entry.ExpireAt != deadline || deadline < Now) continue;
            sum += deadline - Now;
            if (++n >= sample) break;
        }
        return n == 0 ? 0 : sum / n;
    }

    public Random Random => _random;

    /// <summary>The thresholds OBJECT ENCODING reports by (CONFIG SET pushes them to every partition).</summary>
    public Config.EncodingThresholds Encodings { get; set; } = Config.EncodingThresholds.Default;

    /// <summary>Where keyspace events go (notify-keyspace-events); null while notifications are off, so commands pay one null check.</summary>
    public IKeyspaceEventSink? Events { get; set; }

    /// <summary>
    /// A write changed <paramref name="key"/>: raises the keyspace event (Redis's notifyKeyspaceEvent, with Redis's event
    /// name) and tells the change seam (Redis's signalModifiedKey). Handlers call it exactly when something changed,
    /// so a command that called it is a write to propagate and one that did not changed nothing.
    /// </summary>
    public void Notify(KeyspaceEventFlags type, string name, byte[] key)
    {
        _changed = true;
        KeyChanges?.OnKeyChanged(key);
        Events?.OnKeyspaceEvent(type, name, key);
    }

    /// <summary>This partition's Lua VM (scripts and function libraries), created by the first script.</summary>
    public Scripting.ScriptEngine Scripts
    {
        get
        {
            if (_scripts is null) Volatile.Write(ref _scripts, new Scripting.ScriptEngine(_time));
            return _scripts;
        }
    }
    private Scripting.ScriptEngine? _scripts;

    /// <summary>
    /// What a script's redis.call runs against: this keyspace. One object for the keyspace's life: a VM lent by
    /// <see cref="ScriptVms"/> knows whose script it runs by it.
    /// </summary>
    internal Scripting.IScriptHost ScriptHost =>
        _scriptHost ?? Interlocked.CompareExchange(ref _scriptHost, new Scripting.KeyspaceScriptHost(this), null) ?? _scriptHost;
    private Scripting.IScriptHost? _scriptHost;

    /// <summary>The Lua VM if a script ever ran here (read from other threads: BUSY checks and SCRIPT KILL, without the lock).</summary>
    public Scripting.ScriptEngine? ScriptsIfStarted => Volatile.Read(ref _scripts);

    /// <summary>The silo's VMs that EVAL-family scripts run on (null: this keyspace's own VM, <see cref="Scripts"/>).</summary>
    public Scripting.ScriptVmPool? ScriptVms { get; set; }

    /// <summary>The VM lent to this keyspace's running EVAL (set and cleared by <see cref="Scripting.ScriptVmPool"/>).</summary>
    internal Scripting.ScriptEngine? LentScripts
    {
        get => Volatile.Read(ref _lentScripts);
        set => Volatile.Write(ref _lentScripts, value);
    }
    private Scripting.ScriptEngine? _lentScripts;

    /// <summary>
    /// The VM a script of this keyspace may be running on now (read without the lock): the lent one during an EVAL, else
    /// the own one. Ask it with <see cref="ScriptHost"/>, as a lent VM may have gone on to another partition's script.
    /// </summary>
    public Scripting.ScriptEngine? RunningScripts => LentScripts ?? ScriptsIfStarted;

    /// <summary>Whether a hash slot belongs to this partition (a script may touch only those keys); null: every slot.</summary>
    public Func<int, bool>? OwnsSlot { get; set; }

    /// <summary>The error write commands answer instead of running (MISCONF after a failed save), or null; scripts' writes too.</summary>
    public Reply? WritesRefused { get; set; }

    /// <summary>The effects of the writes run here, with their offsets.</summary>
    public EffectLog Effects { get; } = new();

    /// <summary>Told which keys each write changed; null when nobody listens.</summary>
    public IKeyChangeListener? KeyChanges { get; set; }

    // Per command being run: something changed, and the handler already emitted its own effect(s) for it.
    private bool _changed, _emitted;

    /// <summary>
    /// Emits <paramref name="effect"/> in place of the running command (Redis's rewriteClientCommandVector / alsoPropagate):
    /// for writes whose replay must not depend on the clock or on chance. A handler may emit several.
    /// </summary>
    public void Propagate(params byte[][] effect)
    {
        _emitted = true;
        _changed = true;
        Effects.Append(effect);
    }

    /// <summary>
    /// Emits <paramref name="effect"/> after the running command's own effect: a TTL the command set relative to now
    /// follows it as an absolute PEXPIREAT, so a replay at another time ends with the same deadline.
    /// </summary>
    public void PropagateAfter(byte[][] effect)
    {
        _changed = true;
        (_trailing ??= []).Add(effect);
    }

    private List<byte[][]>? _trailing;

    /// <summary>Successful write commands since the last snapshot (Redis's <c>changes</c> for the save policy).</summary>
    public long Dirty { get; set; }

    /// <summary>Unix seconds of the last successful snapshot (LASTSAVE); set by whoever saves.</summary>
    public long LastSave { get; set; }

    /// <summary>Reads the clock: once per command, or once per run of up to <see cref="CommandsPerTick"/> commands of a batch.</summary>
    public void Tick()
    {
        Now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Effects.Now = Now;
        _clock = (uint)(Now / 1000) & Entry.ClockMask;
    }

    /// <summary>
    /// Whole seconds since <paramref name="entry"/> was last looked up or written (OBJECT IDLETIME), as Redis's
    /// estimateObjectIdleTime: the difference of two 1-second clock readings, modulo the clock's wrap.
    /// </summary>
    public long IdleSeconds(Entry entry) => (_clock - entry.AccessClock) & Entry.ClockMask;

    /// <summary>Runs one command (<paramref name="argv"/>[0] is its name) and returns its reply.</summary>
    public Reply Execute(byte[][] argv)
    {
        if (argv.Length == 0) return Errors.Syntax;
        var command = CommandTable.Find(argv[0]);
        if (command?.Handler is null) return Errors.UnknownCommand(Args.Text(argv[0]), argv.Skip(1).Select(Args.Text));
        return Execute(command, argv);
    }

    public Reply Execute(CommandInfo command, byte[][] argv)
    {
        Tick();
        return ExecuteAtLastTick(command, argv);
    }

    /// <summary>
    /// <see cref="Execute(CommandInfo, byte[][])"/> at the time of the last <see cref="Tick"/>: a batch reads the
    /// clock once for a run of commands instead of once each (a clock read costs as much as a small command).
    /// </summary>
    public Reply ExecuteAtLastTick(CommandInfo command, byte[][] argv)
    {
        if (!command.AcceptsArgCount(argv.Length)) return Errors.WrongArity(command.Name);
        // maxmemory: a command that may grow memory first makes room, or answers OOM (nothing at all while maxmemory is 0).
        if ((command.Flags & CommandFlags.DenyOom) != 0 && _memory.MaxMemory != 0 && MakeRoom() is { } oom) return oom;
        // A script's redis.call runs here inside the EVAL being run: each command propagates itself, and the EVAL
        // propagates nothing of its own.
        bool outerChanged = _changed, outerEmitted = _emitted, outerCounts = _countLookups;
        _changed = _emitted = false;
        _countLookups = (command.Flags & CommandFlags.ReadOnly) != 0;
        try
        {
            return command.Handler!(this, argv);
        }
        catch (CommandException e)
        {
            return e.Reply;
        }
        finally
        {
            _countLookups = outerCounts;
            if (_mutables.Count > 0) RechargeMutables();
            if (_changed)
            {
                Dirty++;
                if (!_emitted) Effects.Append(argv);
                if (_trailing is { Count: > 0 } trailing)
                {
                    foreach (var effect in trailing) Effects.Append(effect);
                    trailing.Clear();
                }
            }
            _emitted = outerEmitted | _changed;
            _changed |= outerChanged;
        }
    }

    /// <summary>
    /// The live entry for <paramref name="key"/>, or null; an expired key is deleted on the way. Records the access
    /// (OBJECT IDLETIME), as Redis's lookupKey does for every command that reads or writes a key.
    /// </summary>
    public Entry? Find(ReadOnlySpan<byte> key)
    {
        var entry = Peek(key);
        if (entry is not null && !NoTouch) Access(entry);
        return entry;
    }

    /// <summary>Set while a CLIENT NO-TOUCH client's command runs: lookups leave the access time alone.</summary>
    public bool NoTouch { get; set; }

    /// <summary>
    /// <see cref="Find"/> without recording an access: Redis's LOOKUP_NOTOUCH, which in 7.0 is used by EXISTS, TYPE,
    /// TTL/PTTL/EXPIRETIME/PEXPIRETIME, OBJECT and SCAN's TYPE filter. Expired keys are still deleted.
    /// </summary>
    public Entry? Peek(ReadOnlySpan<byte> key)
    {
        var entry = _table.Find(key, KeyTable.HashOf(key));
        if (entry is not null && entry.ExpireAt != 0 && entry.ExpireAt < Now)
        {
            Expire(entry);
            entry = null;
        }
        if (_countLookups)
        {
            if (entry is null) Misses++;
            else Hits++;
        }
        if (entry is not null && entry.Value is not byte[]) NoteMutable(entry); // may be changed in place: charged again after a write
        return entry;
    }

    /// <summary>The value at <paramref name="key"/> if it is a <typeparamref name="T"/>; null if missing; WRONGTYPE otherwise.</summary>
    public T? Get<T>(ReadOnlySpan<byte> key) where T : class
    {
        var entry = Find(key);
        if (entry is null) return null;
        return entry.Value as T ?? throw new CommandException(Errors.WrongType);
    }

    /// <summary>Stores <paramref name="value"/> at <paramref name="key"/>, replacing any value; the TTL is cleared unless kept.</summary>
    public Entry Set(byte[] key, object value, bool keepTtl = false)
    {
        int hash = KeyTable.HashOf(key);
        var entry = _table.Find(key, hash);
        return entry is null ? Add(key, hash, value) : Replace(entry, value, keepTtl);
    }

    /// <summary>
    /// <see cref="Set(byte[], object, bool)"/> for a command that has just looked the key up: <paramref name="found"/>
    /// is what <see cref="Find"/> returned for <paramref name="key"/> (null: absent), so the table is searched once.
    /// </summary>
    public Entry Set(byte[] key, Entry? found, object value, bool keepTtl = false) =>
        found is null ? Add(key, KeyTable.HashOf(key), value)
        : found.Removed ? Set(key, value, keepTtl) : Replace(found, value, keepTtl);

    /// <summary>Adds a key known to be absent.</summary>
    private Entry Add(byte[] key, int hash, object value)
    {
        var entry = new Entry(key, hash, value, NewAccessState);
        _table.Add(entry);
        _used += MemoryUsage.KeyBytes(key) + ChargeNew(value);
        if (value is IRedisValue { Count: 0 }) NoteMutable(entry); // created empty by the command filling it: charged again after it
        _changed = true;
        Events?.OnKeyspaceEvent(KeyspaceEventFlags.New, "new", key);
        if (value is RedisHash h) WatchFieldDeadlines(entry, h); // a hash moved here (RENAME, COPY, a snapshot) keeps its field TTLs
        return entry;
    }

    private Entry Replace(Entry entry, object value, bool keepTtl)
    {
        long old = ValueCharge(entry.Value);
        entry.Value = value;
        _used += ChargeNew(value) - old;
        if (!_lfu) entry.Touch(_clock); // under LFU the counter stays (Redis's dbSetValue keeps it), the lookup counted
        if (entry.ExpireAt != 0 && (!keepTtl || entry.ExpireAt < Now)) ClearExpiry(entry);
        if (value is RedisHash h) WatchFieldDeadlines(entry, h);
        return entry;
    }

    public bool Delete(ReadOnlySpan<byte> key)
    {
        var entry = Find(key);
        if (entry is null) return false;
        Remove(entry);
        return true;
    }

    public void Remove(Entry entry)
    {
        if (entry.Removed) return;
        _table.Remove(entry);
        _used -= ChargeOf(entry);
        if (entry.ExpireAt != 0)
        {
            ExpiringCount--;
            CompactDeadlinesIfMostlyStale();
        }
    }

    /// <summary>Sets the absolute expiry (Unix ms) of a live entry; 0 removes it.</summary>
    public void SetExpiry(Entry entry, long expireAt)
    {
        if (expireAt == 0) { ClearExpiry(entry); return; }
        if (entry.ExpireAt == 0) ExpiringCount++;
        entry.ExpireAt = expireAt;
        _deadlines.Enqueue(entry, expireAt);
        CompactDeadlinesIfMostlyStale();
    }

    public void ClearExpiry(Entry entry)
    {
        if (entry.ExpireAt == 0) return;
        entry.ExpireAt = 0;
        ExpiringCount--;
        CompactDeadlinesIfMostlyStale();
    }

    /// <summary>
    /// Set while a READONLY client's read runs on a replica copy (<see cref="PartitionReplica.Read"/>): a key or field
    /// whose TTL passed is then not deleted (only the primary's DEL removes it, or later effects would diverge); the
    /// read is refused and goes to the primary instead.
    /// </summary>
    internal bool ReadingReplica { get; set; }

    /// <summary>Deletes a key whose TTL passed; replicas get a DEL, as Redis propagates expiry.</summary>
    private void Expire(Entry entry)
    {
        if (ReadingReplica) throw new ReplicaReadRefused();
        Remove(entry);
        ExpiredTotal++;
        Effects.Append([EffectWords.Del, entry.Key]);
        KeyChanges?.OnKeyChanged(entry.Key);
        Events?.OnKeyspaceEvent(KeyspaceEventFlags.Expired, "expired", entry.Key);
    }

    /// <summary>
    /// The active expire cycle: reclaims keys whose TTL has passed without waiting for an access,
    /// in deadline order, at most <paramref name="maxKeys"/> per call so one tick never stalls the partition.
    /// Then the same for hash fields whose deadline passed (at most <paramref name="maxKeys"/> fields). Returns how many
    /// keys and fields were reclaimed. Skipping stale index entries counts as work too (at most 2 × <paramref name="maxKeys"/>
    /// entries of each index are looked at), so a call may reclaim fewer than are due; every call makes progress, and
    /// the next tick carries on.
    /// </summary>
    public int ActiveExpire(int maxKeys)
    {
        if (!ActiveExpireEnabled) return 0;
        Tick();
        int reclaimed = 0, examined = 0;
        while (examined < maxKeys * 2 && reclaimed < maxKeys && _deadlines.TryPeek(out var entry, out long deadline))
        {
            if (deadline >= Now && !entry.Removed && entry.ExpireAt == deadline) break;
            _deadlines.Dequeue();
            examined++;
            if (entry.Removed || entry.ExpireAt != deadline) continue;
            Expire(entry);
            reclaimed++;
        }
        return reclaimed + ActiveExpireFields(maxKeys);
    }

    /// <summary>False after DEBUG SET-ACTIVE-EXPIRE 0: the active expire cycle reclaims nothing (keys still expire when read).</summary>
    public bool ActiveExpireEnabled { get; set; } = true;

    /// <summary>Deadline index size, stale entries included (for tests and INFO).</summary>
    internal int DeadlineIndexSize => _deadlines.Count;

    // Keeps the index within twice the number of expiring keys (plus a floor). The work is proportional to the
    // index, and at least half of it is dropped each time, so it is amortised O(1) per TTL change.
    private void CompactDeadlinesIfMostlyStale()
    {
        if (_deadlines.Count <= 1024 || _deadlines.Count <= 2 * ExpiringCount) return;
        var live = new List<(Entry, long)>(ExpiringCount);
        var seen = new HashSet<Entry>(ReferenceEqualityComparer.Instance);
        foreach (var (entry, deadline) in _deadlines.UnorderedItems)
            if (!entry.Removed && entry.ExpireAt == deadline && seen.Add(entry)) live.Add((entry, deadline));
        _deadlines.Clear();
        _deadlines.EnqueueRange(live);
    }

    /// <summary>Deletes every key (FLUSHDB, a failed load).</summary>
    public void Flush()
    {
        _table.Clear();
        _deadlines.Clear();
        _fieldDeadlines.Clear();
        ExpiringCount = 0;
        _used = 0;
        Array.Clear(_pool);
        _poolCount = 0;
        _changed = true;
        KeyChanges?.OnFlushed();
    }

    /// <summary>A random live key, or null when the keyspace is empty.</summary>
    public Entry? RandomEntry()
    {
        // As Redis does on a primary: every expired key sampled is reclaimed, so this ends with a live key or an empty keyspace.
        while (_table.Count > 0)
        {
            var e = _table.Random(_random)!;
            if (e.ExpireAt != 0 && e.ExpireAt < Now) { Expire(e); continue; }
            return e;
        }
        return null;
    }

    /// <summary>One step of SCAN over this keyspace: live entries of the visited buckets and the next cursor.</summary>
    public ulong Scan(ulong cursor, int count, List<Entry> into)
    {
        var seen = new List<Entry>();
        int guard = Math.Max(count, 1) * 10;
        do
        {
            cursor = _table.ScanBucket(cursor, seen);
        } while (cursor != 0 && seen.Count < count && --guard > 0);
        foreach (var e in seen)
        {
            if (e.ExpireAt != 0 && e.ExpireAt < Now) { Expire(e); continue; }
            into.Add(e);
        }
        return cursor;
    }

    /// <summary>All live keys (KEYS, snapshots); expired ones are reclaimed on the way.</summary>
    public IEnumerable<Entry> Entries()
    {
        var expired = new List<Entry>();
        foreach (var e in _table.Entries())
        {
            if (e.ExpireAt != 0 && e.ExpireAt < Now) expired.Add(e);
            else yield return e;
        }
        foreach (var e in expired) Expire(e);
    }
}

/// <summary>Thrown inside a command handler to answer with an error reply (e.g. WRONGTYPE) from deep inside a helper.</summary>
internal sealed class CommandException(Reply reply) : Exception(reply.Text)
{
    public Reply Reply { get; } = reply;
}
