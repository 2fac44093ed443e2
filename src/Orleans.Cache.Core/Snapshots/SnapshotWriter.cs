using System.Buffers;
using System.Buffers.Binary;

namespace Orleans.Cache.Core;

/// <summary>
/// Appends snapshot primitives (little-endian integers, LEB128 varints, length-prefixed bytes) to a list of segments of at
/// most <c>segmentBytes</c> each, so that a partition of any size serializes without one buffer past 2 GB. Every segment
/// but the last is exactly full; a value may straddle two.
/// </summary>
internal ref struct SnapshotWriter
{
    private readonly int _segmentBytes;
    private readonly List<byte[]> _full;
    private byte[] _buffer;
    private int _length;

    public SnapshotWriter(int capacity, int segmentBytes = SnapshotData.DefaultSegmentBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBytes, 1);
        _segmentBytes = segmentBytes;
        _full = [];
        _buffer = new byte[Math.Clamp(capacity, Math.Min(64, segmentBytes), segmentBytes)];
        _length = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly long Position => (long)_full.Count * _segmentBytes + _length;

    /// <summary>What was written, as segments (the writer must not be used afterwards).</summary>
    public readonly SnapshotData ToData() => new([.. _full, _buffer.AsMemory(0, _length)]);

    /// <summary>What was written, in one array (small snapshots and tests; fails past 2 GB).</summary>
    public readonly byte[] ToArray() => ToData().ToArray();

    /// <summary>Room for <paramref name="n"/> contiguous bytes in the current segment, growing it up to the segment size.</summary>
    private bool Reserve(int n)
    {
        if (_length + n <= _buffer.Length) return true;
        if (_buffer.Length >= _segmentBytes) return false;
        Grow(n);
        return _length + n <= _buffer.Length;
    }

    private void Grow(int wanted) =>
        Array.Resize(ref _buffer, (int)Math.Min(_segmentBytes, Math.Max((long)_buffer.Length * 2, (long)_length + wanted)));

    public void Raw(scoped ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_length + data.Length > _buffer.Length && _buffer.Length < _segmentBytes) Grow(data.Length);
            else if (_length == _buffer.Length)
            {
                _full.Add(_buffer); // exactly _segmentBytes long, all written
                _buffer = new byte[Math.Min(_segmentBytes, Math.Max(64 * 1024, data.Length))];
                _length = 0;
            }
            int n = Math.Min(data.Length, _buffer.Length - _length);
            data[..n].CopyTo(_buffer.AsSpan(_length));
            _length += n;
            data = data[n..];
        }
    }

    public void Byte(byte b)
    {
        if (Reserve(1)) _buffer[_length++] = b;
        else Raw([b]);
    }

    public void UInt16(int v)
    {
        Span<byte> t = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(t, (ushort)v);
        Raw(t);
    }

    public void Int64(long v)
    {
        if (Reserve(8)) { BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), v); _length += 8; return; }
        Span<byte> t = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(t, v);
        Raw(t);
    }

    public void UInt64(ulong v) => Int64((long)v);
    public void Double(double v) => Int64(BitConverter.DoubleToInt64Bits(v));

    /// <summary>Overwrites 8 bytes written earlier at <paramref name="at"/> (a header count known only at the end).</summary>
    public readonly void PatchInt64(long at, long v)
    {
        Span<byte> t = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(t, v);
        for (int i = 0; i < 8; i++)
        {
            long p = at + i;
            int segment = (int)(p / _segmentBytes);
            (segment < _full.Count ? _full[segment] : _buffer)[(int)(p % _segmentBytes)] = t[i];
        }
    }

    public void VarInt(ulong v)
    {
        if (Reserve(10))
        {
            while (v >= 0x80) { _buffer[_length++] = (byte)(v | 0x80); v >>= 7; }
            _buffer[_length++] = (byte)v;
            return;
        }
        Span<byte> t = stackalloc byte[10];
        int n = 0;
        while (v >= 0x80) { t[n++] = (byte)(v | 0x80); v >>= 7; }
        t[n++] = (byte)v;
        Raw(t[..n]);
    }

    public void Bytes(scoped ReadOnlySpan<byte> data)
    {
        VarInt((ulong)data.Length);
        Raw(data);
    }
}

/// <summary>Reads what <see cref="SnapshotWriter"/> wrote, across segments; running past the end is a format error, not a crash.</summary>
internal ref struct SnapshotReader(ReadOnlySequence<byte> data)
{
    private SequenceReader<byte> _data = new(data);

    public bool AtEnd => _data.End;

    private void Need(long n)
    {
        if (n < 0 || n > _data.Remaining) throw new SnapshotFormatException("snapshot ends in the middle of a value");
    }

    public byte Byte() => _data.TryRead(out byte b) ? b : throw new SnapshotFormatException("snapshot ends in the middle of a value");
    public long Int64() => _data.TryReadLittleEndian(out long v) ? v : throw new SnapshotFormatException("snapshot ends in the middle of a value");
    public double Double() => BitConverter.Int64BitsToDouble(Int64());

    public ulong VarInt()
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = Byte();
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return v;
        }
        throw new SnapshotFormatException("varint longer than 64 bits");
    }

    public byte[] Bytes()
    {
        ulong n = VarInt();
        if (n > (ulong)Array.MaxLength) throw new SnapshotFormatException("snapshot ends in the middle of a value");
        Need((long)n);
        var bytes = new byte[n];
        _data.TryCopyTo(bytes);
        _data.Advance((long)n);
        return bytes;
    }

    public int Count()
    {
        ulong n = VarInt();
        if (n > int.MaxValue) throw new SnapshotFormatException("collection size out of range");
        return (int)n;
    }
}
