namespace Orleans.Cache.Core;

/// <summary>
/// Redis's listpack, reduced to what the small aggregates need: byte strings one after another in one array, each
/// prefixed by its length (a LEB128 varint, one byte below 128). Lookups are linear scans, as Redis's are; the owner
/// keeps the array, its used length and its element count, and converts to a table past its encoding's thresholds.
/// </summary>
internal static class Listpack
{
    /// <summary>The bytes an element of <paramref name="length"/> bytes takes: its length prefix and its data.</summary>
    public static int Size(int length)
    {
        int header = 1;
        for (uint v = (uint)length >> 7; v != 0; v >>= 7) header++;
        return header + length;
    }

    /// <summary>Writes <paramref name="element"/> at <paramref name="at"/> and returns the offset after it.</summary>
    public static int Write(byte[] buffer, int at, ReadOnlySpan<byte> element)
    {
        uint v = (uint)element.Length;
        for (; v >= 0x80; v >>= 7) buffer[at++] = (byte)(v | 0x80);
        buffer[at++] = (byte)v;
        element.CopyTo(buffer.AsSpan(at));
        return at + element.Length;
    }

    /// <summary>The element at <paramref name="at"/>; <paramref name="at"/> moves past it.</summary>
    public static ReadOnlySpan<byte> Read(byte[] buffer, ref int at)
    {
        int length = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = buffer[at++];
            length |= (b & 0x7F) << shift;
            if (b < 0x80) break;
        }
        var element = buffer.AsSpan(at, length);
        at += length;
        return element;
    }

    /// <summary>The offset after the element at <paramref name="at"/>.</summary>
    public static int Skip(byte[] buffer, int at)
    {
        Read(buffer, ref at);
        return at;
    }

    /// <summary>
    /// The offset of the first element equal to <paramref name="element"/> among every <paramref name="stride"/>-th
    /// element of the first <paramref name="length"/> bytes (stride 2: the fields of field-value pairs), or -1.
    /// </summary>
    public static int Find(byte[] buffer, int length, ReadOnlySpan<byte> element, int stride)
    {
        for (int at = 0; at < length;)
        {
            int start = at;
            if (Read(buffer, ref at).SequenceEqual(element)) return start;
            for (int i = 1; i < stride; i++) at = Skip(buffer, at);
        }
        return -1;
    }

    /// <summary>
    /// Replaces bytes [<paramref name="at"/>, <paramref name="at"/> + <paramref name="removed"/>) of the first
    /// <paramref name="length"/> bytes with <paramref name="inserted"/> free bytes, growing the array when needed (to the
    /// exact size rounded to 8 while small, by half beyond), and returns the new used length.
    /// </summary>
    public static int Splice(ref byte[] buffer, int length, int at, int removed, int inserted)
    {
        int newLength = length - removed + inserted;
        if (newLength > buffer.Length)
        {
            int capacity = newLength <= 256 ? (newLength + 7) & ~7 : Math.Max(newLength, buffer.Length + buffer.Length / 2);
            var grown = new byte[capacity];
            buffer.AsSpan(0, at).CopyTo(grown);
            buffer.AsSpan(at + removed, length - at - removed).CopyTo(grown.AsSpan(at + inserted));
            buffer = grown;
        }
        else if (removed != inserted)
            buffer.AsSpan(at + removed, length - at - removed).CopyTo(buffer.AsSpan(at + inserted));
        return newLength;
    }
}
