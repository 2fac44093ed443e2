namespace Orleans.Cache.Core;

/// <summary>
/// A string value that SETBIT, BITFIELD, SETRANGE and APPEND write in place: an array with spare capacity, like
/// Redis's sds, whose first <see cref="Length"/> bytes are the value (the rest are zero). Strings stored by SET and
/// friends stay plain <see cref="byte"/>[] values, which are never written in place because a reply, a COPY or the
/// caller's argument may share them; the first in-place write copies such an array into a buffer once, and later
/// writes cost only what they touch. A buffer never leaves the keyspace: whatever hands a string out (GET and the
/// other replies, COPY) takes a copy, or freezes the buffer back into a plain array (see <see cref="RedisString.Shareable"/>),
/// so a later write can never change a reply being sent.
/// </summary>
internal sealed class StringBuffer
{
    /// <summary>Below this size growth doubles the buffer; above, it adds a quarter (at least this much), so growth stays geometric.</summary>
    private const int DoublingLimit = 1024 * 1024;

    private byte[] _buffer;

    /// <summary>A buffer holding a copy of <paramref name="value"/>, with room for <paramref name="capacity"/> bytes.</summary>
    internal StringBuffer(ReadOnlySpan<byte> value, int capacity = 0)
    {
        _buffer = new byte[Math.Max(value.Length, capacity)];
        value.CopyTo(_buffer);
        Length = value.Length;
    }

    public int Length { get; private set; }

    /// <summary>The bytes the keyspace last charged for this buffer (see <see cref="Keyspace.UsedMemory"/>).</summary>
    internal long Charged;

    /// <summary>The bytes allocated; at least <see cref="Length"/>.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>The value. Valid until the next write to it; never to be kept by a reply.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>The value, for writing in place.</summary>
    internal Span<byte> Writable
    {
        get
        {
            CopiedSinceWrite = false;
            return _buffer.AsSpan(0, Length);
        }
    }

    /// <summary>Set when a reply took a copy, cleared by every write: a second copy with no write between freezes instead (see <see cref="RedisString.Shareable"/>).</summary>
    internal bool CopiedSinceWrite { get; set; }

    /// <summary>The value as memory (for readers that hold several strings at once); same rules as <see cref="Span"/>.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>A copy of the value, exactly <see cref="Length"/> bytes: what replies carry.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>
    /// Ends this buffer's life as a writable value: returns the value as a plain array that may be shared (the buffer
    /// itself when it has no spare room, else an exact copy). The caller stores that array in place of this buffer,
    /// which must not be used again (it is emptied, so a stray write could not reach the shared array).
    /// </summary>
    internal byte[] Freeze()
    {
        var frozen = Length == _buffer.Length ? _buffer : ToArray();
        _buffer = [];
        Length = 0;
        return frozen;
    }

    /// <summary>
    /// Makes the value at least <paramref name="length"/> bytes long, the new bytes zero. Within the capacity this costs
    /// only the new bytes; beyond it the buffer is reallocated with room to spare (see <see cref="GrownCapacity"/>),
    /// so a string grown a little at a time is copied O(1) times per byte, amortized.
    /// </summary>
    internal void EnsureLength(long length)
    {
        CopiedSinceWrite = false;
        if (length <= Length) return;
        if (length > _buffer.Length)
        {
            var grown = new byte[GrownCapacity(length)];
            Span.CopyTo(grown);
            _buffer = grown;
        }
        else _buffer.AsSpan(Length, (int)length - Length).Clear(); // zero already; cleared so it never depends on that
        Length = (int)length;
    }

    /// <summary>
    /// The capacity for a string growing to <paramref name="length"/> bytes: double up to 1 MB (as Redis's sds), then
    /// a quarter more (at least 1 MB more); Redis adds a flat 1 MB there, which would make growth past a few MB cost
    /// O(size) per megabyte. Never more than a string may hold (proto-max-bulk-len) or an array can.
    /// </summary>
    public static int GrownCapacity(long length)
    {
        long capacity = length < DoublingLimit ? length * 2 : length + Math.Max(length / 4, DoublingLimit);
        capacity = Math.Min(capacity, Math.Min(RedisString.MaxLength, Array.MaxLength));
        return (int)Math.Max(capacity, length);
    }
}
