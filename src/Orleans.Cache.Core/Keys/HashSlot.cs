namespace Orleans.Cache.Core;

/// <summary>Redis Cluster's key → slot mapping: CRC16-XMODEM of the key (or of its first non-empty {hash tag}) mod 16384.</summary>
internal static class HashSlot
{
    public const int Count = 16384;

    // Tables[k][i] = i · x^(16 + 8k) mod the polynomial: Tables[0] is the classic byte-at-a-time table, and the others
    // let four bytes be folded in at once with four independent lookups (slicing-by-4) instead of a chain of four.
    private static readonly ushort[][] Tables = CreateTables();

    private static ushort[][] CreateTables()
    {
        var tables = new ushort[4][];
        tables[0] = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            tables[0][i] = (ushort)crc;
        }
        for (int k = 1; k < 4; k++)
        {
            tables[k] = new ushort[256];
            for (int i = 0; i < 256; i++)
            {
                int previous = tables[k - 1][i];
                tables[k][i] = (ushort)((previous << 8) ^ tables[0][previous >> 8]);
            }
        }
        return tables;
    }

    /// <summary>CRC16 with polynomial 0x1021, initial value 0 (XMODEM), as Redis Cluster uses.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        ushort[] t0 = Tables[0], t1 = Tables[1], t2 = Tables[2], t3 = Tables[3];
        int crc = 0, i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            // The CRC is linear: after two bytes it depends only on crc ^ (b0 b1), and two more shift that through
            // 16 more bits, so each byte's share comes from its own table.
            int w = crc ^ (data[i] << 8 | data[i + 1]);
            crc = t3[w >> 8] ^ t2[w & 0xFF] ^ t1[data[i + 2]] ^ t0[data[i + 3]];
        }
        for (; i < data.Length; i++)
            crc = ((crc << 8) ^ t0[((crc >> 8) ^ data[i]) & 0xFF]) & 0xFFFF;
        return (ushort)crc;
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
internal sealed class PartitionMap
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
