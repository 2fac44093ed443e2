using System.Buffers.Binary;

namespace Orleans.Cache.Core;

/// <summary>Appends snapshot primitives (little-endian integers, LEB128 varints, length-prefixed bytes) to a growing buffer.</summary>
public ref struct SnapshotWriter
{
    private byte[] _buffer;
    private int _length;

    public SnapshotWriter(int capacity) { _buffer = new byte[Math.Max(capacity, 64)]; _length = 0; }

    public readonly int Position => _length;
    public readonly ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);
    public readonly byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    private Span<byte> Take(int n)
    {
        if (_length + n > _buffer.Length)
        {
            long size = Math.Max((long)_buffer.Length * 2, (long)_length + n);
            if (size > Array.MaxLength) throw new InvalidOperationException("snapshot larger than 2 GB");
            Array.Resize(ref _buffer, (int)size);
        }
        var span = _buffer.AsSpan(_length, n);
        _length += n;
        return span;
    }

    public void Raw(ReadOnlySpan<byte> data) => data.CopyTo(Take(data.Length));
    public void Byte(byte b) => Take(1)[0] = b;
    public void UInt16(int v) => BinaryPrimitives.WriteUInt16LittleEndian(Take(2), (ushort)v);
    public void Int64(long v) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), v);
    public void UInt64(ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), v);
    public void Double(double v) => BinaryPrimitives.WriteDoubleLittleEndian(Take(8), v);
    public readonly void PatchInt64(int at, long v) => BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(at), v);

    public void VarInt(ulong v)
    {
        while (v >= 0x80) { Byte((byte)(v | 0x80)); v >>= 7; }
        Byte((byte)v);
    }

    public void Bytes(ReadOnlySpan<byte> data)
    {
        VarInt((ulong)data.Length);
        Raw(data);
    }
}

/// <summary>Reads what <see cref="SnapshotWriter"/> wrote; running past the end is a format error, not a crash.</summary>
public ref struct SnapshotReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _data = data;

    public readonly bool AtEnd => _data.IsEmpty;

    private ReadOnlySpan<byte> Take(int n)
    {
        if ((uint)n > (uint)_data.Length) throw new SnapshotFormatException("snapshot ends in the middle of a value");
        var span = _data[..n];
        _data = _data[n..];
        return span;
    }

    public byte Byte() => Take(1)[0];
    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

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
        if (n > (ulong)_data.Length) throw new SnapshotFormatException("snapshot ends in the middle of a value");
        return Take((int)n).ToArray();
    }

    public int Count()
    {
        ulong n = VarInt();
        if (n > int.MaxValue) throw new SnapshotFormatException("collection size out of range");
        return (int)n;
    }
}
