namespace Orleans.Cache.Core;

/// <summary>Redis Cluster's key → slot mapping: CRC16-XMODEM of the key (or of its first non-empty {hash tag}) mod 16384.</summary>
public static class HashSlot
{
    public const int Count = 16384;

    private static readonly ushort[] Table = CreateTable();

    private static ushort[] CreateTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            table[i] = (ushort)crc;
        }
        return table;
    }

    /// <summary>CRC16 with polynomial 0x1021, initial value 0 (XMODEM), as Redis Cluster uses.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (byte b in data)
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        return crc;
    }

    /// <summary>The slot of <paramref name="key"/>, the same number <c>CLUSTER KEYSLOT</c> gives.</summary>
    public static int Of(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        if (open >= 0)
        {
            int close = key[(open + 1)..].IndexOf((byte)'}');
            if (close > 0) key = key.Slice(open + 1, close);
        }
        return Crc16(key) & (Count - 1);
    }
}

/// <summary>Splits the 16,384 slots into <see cref="Count"/> contiguous ranges, one per partition grain.</summary>
public sealed class PartitionMap
{
    public int Count { get; }

    public PartitionMap(int partitions)
    {
        if (partitions < 1 || partitions > HashSlot.Count)
            throw new ArgumentOutOfRangeException(nameof(partitions), partitions, "between 1 and 16384");
        Count = partitions;
    }

    public int PartitionOfSlot(int slot) => (int)((long)slot * Count / HashSlot.Count);

    public int PartitionOfKey(ReadOnlySpan<byte> key) => PartitionOfSlot(HashSlot.Of(key));

    /// <summary>First and last slot (inclusive) owned by <paramref name="partition"/>.</summary>
    public (int First, int Last) SlotRange(int partition)
    {
        int first = (int)(((long)partition * HashSlot.Count + Count - 1) / Count);
        int last = (int)(((long)(partition + 1) * HashSlot.Count + Count - 1) / Count) - 1;
        return (first, last);
    }
}
