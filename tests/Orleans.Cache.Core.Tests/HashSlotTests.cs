using System.Text;

namespace Orleans.Cache.Core.Tests;

/// <summary>Key → slot as Redis Cluster computes it (values from CLUSTER KEYSLOT on redis-server 7.0.15), and slot → partition.</summary>
public class HashSlotTests
{
    private static int Slot(string key) => HashSlot.Of(Encoding.UTF8.GetBytes(key));

    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("bar", 5061)]
    [InlineData("123456789", 12739)]
    [InlineData("user:1000", 1649)]
    [InlineData("a", 15495)]
    [InlineData("", 0)]
    [InlineData("{", 4092)]
    [InlineData("}", 12090)]
    [InlineData("a{b", 13340)]
    public void Slot_is_crc16_of_the_key_mod_16384(string key, int slot) => Assert.Equal(slot, Slot(key));

    [Theory]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{user1000}.followers", 3443)]
    [InlineData("key:{tag}:1", 8338)]
    [InlineData("tag", 8338)]
    [InlineData("{a}", 15495)]
    [InlineData("}{a}", 15495)]
    [InlineData("foo{bar}{zap}", 5061)]
    public void Slot_of_a_key_with_a_hash_tag_is_the_slot_of_the_first_tag(string key, int slot) => Assert.Equal(slot, Slot(key));

    [Theory]
    [InlineData("foo{}{bar}", 8363)]
    [InlineData("{}", 15257)]
    [InlineData("{}{a}", 13650)]
    public void An_empty_first_tag_hashes_the_whole_key(string key, int slot) => Assert.Equal(slot, Slot(key));

    [Fact]
    public void The_tag_runs_from_the_first_open_brace_to_the_next_close_brace()
    {
        Assert.Equal(4015, Slot("foo{{bar}}zap"));
        Assert.Equal(Slot("{bar"), Slot("foo{{bar}}zap"));
    }

    [Fact]
    public void Keys_sharing_a_tag_share_a_slot()
    {
        Assert.Equal(Slot("{user1000}.following"), Slot("{user1000}.followers"));
        Assert.NotEqual(Slot("user1000.following"), Slot("user1000.followers"));
    }

    [Fact]
    public void Slot_of_binary_keys_uses_the_raw_bytes() => Assert.Equal(4727, HashSlot.Of([0xFF, 0x80]));

    [Fact]
    public void Crc16_four_bytes_at_a_time_equals_the_bit_by_bit_definition_for_every_length()
    {
        var random = new Random(16);
        for (int n = 0; n < 2000; n++)
        {
            var data = new byte[random.Next(0, 64)];
            random.NextBytes(data);
            int expected = 0;
            foreach (byte b in data)
            {
                expected ^= b << 8;
                for (int bit = 0; bit < 8; bit++) expected = (expected & 0x8000) != 0 ? ((expected << 1) ^ 0x1021) & 0xFFFF : (expected << 1) & 0xFFFF;
            }
            Assert.Equal(expected, HashSlot.Crc16(data));
        }
    }

    [Fact]
    public void Crc16_is_the_xmodem_variant() => Assert.Equal(0x31C3, HashSlot.Crc16("123456789"u8));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(16383)]
    [InlineData(16384)]
    public void Partition_slot_ranges_are_contiguous_non_empty_and_cover_every_slot(int partitions)
    {
        var map = new PartitionMap(partitions);
        int expectedFirst = 0;
        for (int p = 0; p < partitions; p++)
        {
            var (first, last) = map.SlotRange(p);
            Assert.Equal(expectedFirst, first);
            Assert.True(last >= first, $"partition {p} owns no slots");
            Assert.Equal(p, map.PartitionOfSlot(first));
            Assert.Equal(p, map.PartitionOfSlot(last));
            expectedFirst = last + 1;
        }
        Assert.Equal(HashSlot.Count, expectedFirst);
    }

    [Fact]
    public void Every_slot_maps_to_the_partition_whose_range_holds_it()
    {
        var map = new PartitionMap(7);
        for (int slot = 0; slot < HashSlot.Count; slot++)
        {
            var (first, last) = map.SlotRange(map.PartitionOfSlot(slot));
            Assert.InRange(slot, first, last);
        }
    }

    [Fact]
    public void Partition_sizes_differ_by_at_most_one_slot()
    {
        var map = new PartitionMap(6);
        var sizes = Enumerable.Range(0, 6).Select(p => map.SlotRange(p)).Select(r => r.Last - r.First + 1).ToArray();
        Assert.InRange(sizes.Max() - sizes.Min(), 0, 1);
    }

    [Fact]
    public void PartitionOfKey_goes_through_the_slot()
    {
        var map = new PartitionMap(4);
        Assert.Equal(map.PartitionOfSlot(12182), map.PartitionOfKey("foo"u8));
        Assert.Equal(map.PartitionOfKey("{user1000}.following"u8), map.PartitionOfKey("{user1000}.followers"u8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(16385)]
    public void Partition_count_must_be_between_1_and_16384(int partitions) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartitionMap(partitions));
}
