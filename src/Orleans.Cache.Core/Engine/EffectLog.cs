namespace Orleans.Cache.Core;

/// <summary>
/// One write as a partition emits it (Redis's propagated command): deterministic, so applying the effects in offset
/// order to a copy of the partition gives the same keyspace. Relative TTLs are absolute (PEXPIREAT, SET … PXAT),
/// random choices are explicit (SPOP as SREM), computed values are stored (INCRBYFLOAT as SET … KEEPTTL), and expiry
/// is a DEL. <paramref name="At"/> is the partition's clock (Unix ms) when the write ran: a replica replays it at that
/// time, so what it finds expired is what the primary found expired.
/// </summary>
internal readonly record struct Effect(long Offset, byte[][] Argv, long At = 0)
{
    public override string ToString() => $"{Offset}: {string.Join(' ', Argv.Select(Args.Text))}";
}

/// <summary>
/// The partition's effect log: every write's <see cref="Effect"/> gets the next offset; the most recent ones are kept
/// in a ring (<see cref="Capacity"/>, 0 keeps none) for whoever reads the log (replicas, moves, tests).
/// </summary>
internal sealed class EffectLog
{
    private Effect[] _ring = [];

    /// <summary>The offset of the last effect appended (0: none yet); snapshots record it.</summary>
    public long Offset { get; private set; }

    /// <summary>The clock effects appended from now on are stamped with (the keyspace sets it at each tick).</summary>
    public long Now { get; set; }

    /// <summary>How many recent effects are kept.</summary>
    public int Capacity
    {
        get => _ring.Length;
        set => _ring = value <= 0 ? [] : new Effect[value];
    }

    /// <summary>Appends a write; <paramref name="argv"/> must not be changed afterwards.</summary>
    public void Append(byte[][] argv)
    {
        long offset = ++Offset;
        if (_ring.Length > 0) _ring[offset % _ring.Length] = new Effect(offset, argv, Now);
    }

    /// <summary>Starts counting from <paramref name="offset"/> (a snapshot's offset, at load); drops what was kept.</summary>
    public void Reset(long offset)
    {
        Offset = offset;
        Array.Clear(_ring);
    }

    /// <summary>
    /// The kept effects after <paramref name="offset"/>, in order (the first <paramref name="max"/>); false when some of them are no longer kept (the
    /// reader then needs a full copy, as a Redis replica needs a full resync past the backlog).
    /// </summary>
    public bool TryReadSince(long offset, List<Effect> into, int max = int.MaxValue)
    {
        if (offset >= Offset) return offset == Offset;
        if (Offset - offset > _ring.Length) return false;
        long last = Math.Min(Offset, offset + max);
        for (long o = offset + 1; o <= last; o++) into.Add(_ring[o % _ring.Length]);
        return true;
    }
}

/// <summary>The command names effects are written with (one array each, shared by every effect).</summary>
internal static class EffectWords
{
    public static readonly byte[] Del = "DEL"u8.ToArray(), PExpireAt = "PEXPIREAT"u8.ToArray(), Set = "SET"u8.ToArray(),
        KeepTtl = "KEEPTTL"u8.ToArray(), SRem = "SREM"u8.ToArray(),
        HDel = "HDEL"u8.ToArray(), HPExpireAt = "HPEXPIREAT"u8.ToArray(), HPersist = "HPERSIST"u8.ToArray(),
        HSetEx = "HSETEX"u8.ToArray(), Fields = "FIELDS"u8.ToArray(), PxAt = "PXAT"u8.ToArray();
}

/// <summary>Told which keys each write changed (Redis's signalModifiedKey): WATCH versions, blocked clients, invalidations.</summary>
internal interface IKeyChangeListener
{
    void OnKeyChanged(byte[] key);

    /// <summary>Every key changed at once (FLUSHDB, FLUSHALL, a snapshot load).</summary>
    void OnFlushed();
}
