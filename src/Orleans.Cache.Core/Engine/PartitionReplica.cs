namespace Orleans.Cache.Core;

/// <summary>
/// A replica's copy of one partition (Redis's replica, per partition): the primary's effects applied in offset order,
/// each at the time the primary ran it, so that what the copy finds expired is what the primary found expired. A copy
/// only takes effects that continue exactly where it stands; anything else (a gap, a new primary that is not at this
/// offset, a copy never synced) asks for a full sync — a snapshot at an offset — as PSYNC falls back to a full resync.
/// </summary>
internal sealed class PartitionReplica
{
    private readonly Lock _gate = new();
    private readonly ReplayClock _clock;
    private bool _promoted;

    public PartitionReplica(TimeProvider? time = null)
    {
        _clock = new ReplayClock(time ?? TimeProvider.System);
        Keyspace = new Keyspace(_clock);
    }

    /// <summary>The copy. Touch it only under <see cref="Locked{T}"/>.</summary>
    public Keyspace Keyspace { get; }

    /// <summary>The primary's offset of the last effect applied (0 before the first sync).</summary>
    public long Offset { get; private set; }

    /// <summary>The primary activation whose effects the copy follows.</summary>
    public Guid Epoch { get; private set; }

    /// <summary>A full sync has been loaded: only then do effects apply.</summary>
    public bool Synced { get; private set; }

    /// <summary>Effects applied that answered an error (a divergence: the copy asks for a full sync next).</summary>
    public long Failed { get; private set; }

    public T Locked<T>(Func<Keyspace, T> action)
    {
        lock (_gate) return action(Keyspace);
    }

    /// <summary>
    /// Applies the effects numbered <paramref name="first"/>… of primary <paramref name="epoch"/>; returns the offset
    /// the copy stands at afterwards, or -1 when it needs a full sync first. A repeat of effects already applied (the
    /// same primary resending) is skipped.
    /// </summary>
    public long Apply(Guid epoch, long first, IReadOnlyList<byte[][]> effects, IReadOnlyList<long> at)
    {
        lock (_gate)
        {
            if (!Synced || _promoted) return -1;
            int skip = 0;
            if (epoch == Epoch)
            {
                if (first > Offset + 1) return -1;
                skip = (int)Math.Min(effects.Count, Offset + 1 - first);
            }
            else if (first != Offset + 1) return -1;
            try
            {
                for (int i = skip; i < effects.Count; i++)
                {
                    // One clock reading per run of effects the primary ran at the same millisecond.
                    if (i == skip || at[i] != at[i - 1])
                    {
                        _clock.Pin(at[i]);
                        Keyspace.Tick();
                    }
                    var argv = effects[i];
                    var command = argv.Length > 0 ? CommandTable.Find(argv[0]) : null;
                    if (command?.Handler is null || Keyspace.ExecuteAtLastTick(command, argv).IsError)
                    {
                        Failed++;
                        Synced = false;
                        return -1;
                    }
                    Offset = first + i;
                }
            }
            finally
            {
                _clock.Release();
            }
            Epoch = epoch;
            return Offset;
        }
    }

    /// <summary>
    /// A READONLY client's read (<see cref="CommandInfo.ReadableOnReplica"/>) answered from the copy, as a Redis replica
    /// serves it: possibly behind the primary. Null when the copy cannot answer — not synced, promoted, or the read
    /// would have to expire a key or field first (a replica never deletes on its own) — and the primary must.
    /// </summary>
    public Reply? Read(Command command)
    {
        lock (_gate)
        {
            if (!Synced || _promoted) return null;
            Keyspace.ReadingReplica = true;
            try
            {
                Keyspace.Tick();
                var reply = Keyspace.ExecuteAtLastTick(command.Info, command.Argv);
                ReadsServed++;
                return reply;
            }
            catch (ReplicaReadRefused)
            {
                return null;
            }
            finally
            {
                Keyspace.ReadingReplica = false;
            }
        }
    }

    /// <summary>How many reads the copy answered (<see cref="Read"/>).</summary>
    public long ReadsServed { get; private set; }

    /// <summary>A full sync: the copy becomes the snapshot, taken by primary <paramref name="epoch"/> at its clock <paramref name="at"/>.</summary>
    public long Load(Guid epoch, SnapshotData data, long at)
    {
        lock (_gate)
        {
            if (_promoted) return -1;
            _clock.Pin(at);
            try
            {
                var info = Snapshot.Load(data, Keyspace);
                Offset = info.Offset;
            }
            finally
            {
                _clock.Release();
            }
            Epoch = epoch;
            Synced = true;
            return Offset;
        }
    }

    /// <summary>
    /// Hands the copy to a new primary in this process: from now on its clock is the real one and its effect log
    /// continues from <see cref="Offset"/>; the replica takes nothing more.
    /// </summary>
    public Keyspace Promote()
    {
        lock (_gate)
        {
            _promoted = true;
            _clock.Release();
            Keyspace.Effects.Reset(Offset);
            return Keyspace;
        }
    }

    /// <summary>The clock a copy's keyspace reads: pinned to the effect being replayed, else the real one.</summary>
    private sealed class ReplayClock(TimeProvider real) : TimeProvider
    {
        private long _pinned = -1;

        public void Pin(long unixMilliseconds) => _pinned = unixMilliseconds > 0 ? unixMilliseconds : -1;

        public void Release() => _pinned = -1;

        public override DateTimeOffset GetUtcNow() =>
            _pinned >= 0 ? DateTimeOffset.FromUnixTimeMilliseconds(_pinned) : real.GetUtcNow();

        public override long GetTimestamp() => real.GetTimestamp();

        public override long TimestampFrequency => real.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => real.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            real.CreateTimer(callback, state, dueTime, period);
    }
}

/// <summary>A read on a replica copy came to a key or field whose TTL passed: the primary answers it instead.</summary>
internal sealed class ReplicaReadRefused : Exception;
