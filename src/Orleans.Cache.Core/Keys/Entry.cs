using System.Diagnostics;

namespace Orleans.Cache.Core;

/// <summary>One key of a keyspace: its name, its value (a type from <c>Types/</c>), its absolute expiry and its last access.</summary>
internal sealed class Entry
{
    /// <summary>The access clock is Unix seconds kept to 31 bits (it wraps, as Redis's 24-bit LRU clock does, every 68 years).</summary>
    internal const uint ClockMask = 0x7FFF_FFFF;
    private const uint RemovedBit = 0x8000_0000;

    public byte[] Key { get; }
    internal readonly int Hash;
    internal Entry? Next;

    /// <summary>The value: <see cref="byte"/>[] for strings; later types bring their own classes.</summary>
    public object Value { get; internal set; }

    /// <summary>Unix time in milliseconds when the key expires; 0 when it does not.</summary>
    public long ExpireAt { get; internal set; }

    // The access clock of the last command that looked the key up (Redis's robj.lru) in the low 31 bits, and in
    // the top bit whether the entry has left its table. One field for both keeps the object at 56 bytes
    // (header 16 + three references + long + int + this int); a separate bool would take it to 64.
    private uint _state;

    internal Entry(byte[] key, int hash, object value, uint clock)
    {
        Key = key; Hash = hash; Value = value;
        _state = clock & ClockMask;
    }

    public bool HasExpiry => ExpireAt != 0;

    /// <summary>Set when the entry leaves its table, so stale references (the deadline index) can tell.</summary>
    internal bool Removed
    {
        get => (_state & RemovedBit) != 0;
        set => _state = value ? _state | RemovedBit : _state & ~RemovedBit;
    }

    /// <summary>The access clock (Unix seconds, 31 bits) when the key was last looked up or written.</summary>
    internal uint AccessClock => _state & ClockMask;

    /// <summary>
    /// The low 31 bits as an LFU policy keeps them (Redis's robj.lru under LFU): the minute of the last decrement in
    /// bits 8–23 and the logarithmic access counter in bits 0–7. Under an LRU policy the same bits are the access clock.
    /// </summary>
    internal uint Lfu
    {
        get => _state & ClockMask;
        set => _state = (_state & RemovedBit) | (value & ClockMask);
    }

    /// <summary>
    /// Records an access. Only for entries in the table (never removed), so the flag bit is 0. The clock moves once a
    /// second, so most reads find it already stamped and store nothing: the entry's cache line stays clean and can
    /// stay shared between cores.
    /// </summary>
    internal void Touch(uint clock)
    {
        Debug.Assert(!Removed && clock <= ClockMask);
        if (_state != clock) _state = clock;
    }
}
