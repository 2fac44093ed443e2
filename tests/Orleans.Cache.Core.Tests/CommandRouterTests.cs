using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// Routing as the front door will do it, played against real keyspaces: one per partition, commands routed,
/// split, run and merged, so a test reads like a session against a small cluster.
/// </summary>
public class CommandRouterTests
{
    private const int Partitions = 4;
    private readonly CommandRouter router = new(new PartitionMap(Partitions));
    private readonly Keyspace[] nodes;

    public CommandRouterTests()
    {
        var clock = new FakeTimeProvider(Session.Start);
        nodes = Enumerable.Range(0, Partitions).Select(i => new Keyspace(clock, i)).ToArray();
    }

    private static byte[][] Argv(string[] argv) => argv.Select(Encoding.UTF8.GetBytes).ToArray();

    private int PartitionOf(string key) => router.Partitions.PartitionOfKey(Encoding.UTF8.GetBytes(key));

    /// <summary>Routes and runs one command the way the RESP endpoint does, returning the redis-cli rendering.</summary>
    private string Run(params string[] args)
    {
        var argv = Argv(args);
        var command = CommandTable.Find(argv[0])!;
        if (!command.AcceptsArgCount(argv.Length)) return Session.Show(Errors.WrongArity(command.Name));
        switch (command.Routing)
        {
            case Routing.Slot:
                int p = router.PartitionOf(command, argv, out var error);
                return Session.Show(error ?? nodes[p].Execute(command, argv));
            case Routing.EachKey:
                var parts = router.Split(command, argv);
                var replies = parts.Select(part => nodes[part.Partition].Execute(command, part.Argv)).ToList();
                return Session.Show(CommandRouter.Merge(command, parts, replies, command.Keys(argv.Length).Count));
            default:
                var all = Enumerable.Range(0, Partitions).Select(i => new RoutedPart(i, argv, null)).ToList();
                return Session.Show(CommandRouter.Merge(command, all, all.Select(part => nodes[part.Partition].Execute(command, argv)).ToList(), 0));
        }
    }

    [Fact]
    public void The_test_keys_live_on_different_partitions()
    {
        Assert.NotEqual(PartitionOf("foo"), PartitionOf("bar"));
        Assert.Equal(PartitionOf("{user1000}.following"), PartitionOf("{user1000}.followers"));
    }

    [Theory]
    [InlineData("RENAME", "foo", "bar")]
    [InlineData("RENAMENX", "foo", "bar")]
    [InlineData("COPY", "foo", "bar")]
    [InlineData("COPY", "foo", "bar", "REPLACE")]
    [InlineData("MSETNX", "foo", "1", "bar", "2")]
    [InlineData("MSETNX", "{t}a", "1", "{t}b", "2", "foo", "3")]
    public void Atomic_multi_key_commands_across_slots_are_CROSSSLOT(params string[] argv)
    {
        Assert.Equal("(error) CROSSSLOT Keys in request don't hash to the same slot", Run(argv));
        Assert.Equal("(integer) 0", Run("DBSIZE"));
    }

    [Fact]
    public void Crossslot_is_about_slots_not_partitions()
    {
        // "foo" and "{foo}x" share a slot; "a" and "b" differ in slot, whatever their partitions.
        Assert.Equal(PartitionOf("foo"), PartitionOf("{foo}x"));
        Assert.Equal("OK", Run("SET", "foo", "1"));
        Assert.Equal("OK", Run("RENAME", "foo", "{foo}x"));
        Assert.Equal("\"1\"", Run("GET", "{foo}x"));
        var command = CommandTable.Find("RENAME")!;
        var pair = Enumerable.Range(0, 1000).Select(i => $"k{i}")
            .First(k => HashSlot.Of(Encoding.UTF8.GetBytes(k)) != HashSlot.Of("k0"u8) && PartitionOf(k) == PartitionOf("k0"));
        router.PartitionOf(command, Argv(["RENAME", "k0", pair]), out var error);
        Assert.Same(Errors.CrossSlot, error);
    }

    [Fact]
    public void Atomic_commands_with_a_shared_hash_tag_run_on_that_slots_partition()
    {
        Assert.Equal("(integer) 1", Run("MSETNX", "{user1000}.following", "a", "{user1000}.followers", "b"));
        Assert.Equal("(integer) 1", Run("COPY", "{user1000}.following", "{user1000}.copy"));
        Assert.Equal("OK", Run("RENAME", "{user1000}.copy", "{user1000}.renamed"));
        int p = PartitionOf("{user1000}.following");
        Assert.Equal(3, nodes[p].Count);
        Assert.Equal("\"a\"", Session.Show(nodes[p].Execute(Argv(["GET", "{user1000}.renamed"]))));
    }

    [Fact]
    public void Mget_is_split_by_partition_and_merged_in_request_order()
    {
        var keys = Enumerable.Range(0, 40).Select(i => $"key{i}").ToArray();
        Assert.True(keys.Select(PartitionOf).Distinct().Count() == Partitions);
        foreach (var k in keys.Where((_, i) => i % 3 != 0)) Assert.Equal("OK", Run("SET", k, "v-" + k));

        string[] request = ["key5", "key0", "missing", "key39", "key5", "key12", "key7"]; // key0, key12, key39 were never set
        Assert.Equal("[\"v-key5\", (nil), (nil), (nil), \"v-key5\", (nil), \"v-key7\"]", Run(["MGET", .. request]));
    }

    [Fact]
    public void Split_puts_each_key_in_exactly_one_part_in_request_order()
    {
        var command = CommandTable.Find("MSET")!;
        var argv = Argv(["MSET", "foo", "1", "bar", "2", "{foo}z", "3", "baz", "4"]);
        var parts = router.Split(command, argv);
        Assert.Equal([0, 1, 2, 3], parts.SelectMany(p => p.KeyOrder!).Order());
        foreach (var part in parts)
        {
            Assert.Equal("MSET", Encoding.UTF8.GetString(part.Argv[0]));
            Assert.Equal(1 + 2 * part.KeyOrder!.Length, part.Argv.Length);
            for (int i = 0; i < part.KeyOrder.Length; i++)
            {
                Assert.Equal(part.Partition, router.Partitions.PartitionOfKey(part.Argv[1 + 2 * i]));
                Assert.Same(argv[1 + 2 * part.KeyOrder[i]], part.Argv[1 + 2 * i]);
                Assert.Same(argv[2 + 2 * part.KeyOrder[i]], part.Argv[2 + 2 * i]);
            }
            Assert.True(part.KeyOrder.SequenceEqual(part.KeyOrder.Order()));
        }
    }

    [Fact]
    public void Mset_across_partitions_sets_every_key()
    {
        Assert.Equal("OK", Run("MSET", "foo", "1", "bar", "2", "baz", "3"));
        Assert.Equal("[\"1\", \"2\", \"3\"]", Run("MGET", "foo", "bar", "baz"));
        Assert.Equal("(integer) 3", Run("DBSIZE"));
    }

    [Fact]
    public void Mset_with_a_key_missing_its_value_fails_whole_and_writes_nothing()
    {
        Assert.Equal("(error) ERR wrong number of arguments for 'mset' command", Run("MSET", "foo", "1", "bar", "2", "baz"));
        Assert.Equal("(integer) 0", Run("DBSIZE"));
    }

    [Fact]
    public void Del_and_Exists_sum_the_partitions_replies()
    {
        Run("MSET", "foo", "1", "bar", "2", "baz", "3");
        Assert.Equal("(integer) 4", Run("EXISTS", "foo", "bar", "foo", "missing", "baz"));
        Assert.Equal("(integer) 2", Run("TOUCH", "foo", "bar"));
        Assert.Equal("(integer) 2", Run("DEL", "foo", "bar", "missing", "foo"));
        Assert.Equal("(integer) 1", Run("UNLINK", "baz", "bar"));
        Assert.Equal("(integer) 0", Run("DBSIZE"));
    }

    [Fact]
    public void Keys_and_DbSize_gather_every_partition()
    {
        var keys = Enumerable.Range(0, 40).Select(i => $"key{i}").ToArray();
        foreach (var k in keys) Run("SET", k, "v");
        Assert.Equal("(integer) 40", Run("DBSIZE"));
        var argv = Argv(["KEYS", "key1*"]);
        var command = CommandTable.Find("KEYS")!;
        var all = Enumerable.Range(0, Partitions).Select(i => new RoutedPart(i, argv, null)).ToList();
        var merged = CommandRouter.Merge(command, all, all.Select(p => nodes[p.Partition].Execute(command, argv)).ToList(), 0);
        Assert.Equal(keys.Where(k => k.StartsWith("key1")).Order(StringComparer.Ordinal), Session.SortedTexts(merged));
        Assert.Equal("OK", Run("FLUSHALL"));
        Assert.Equal("(integer) 0", Run("DBSIZE"));
    }

    [Fact]
    public void RandomKey_finds_a_key_even_when_the_first_partition_is_empty()
    {
        var key = Enumerable.Range(0, 100).Select(i => $"k{i}").First(k => PartitionOf(k) == Partitions - 1);
        Run("SET", key, "v");
        for (int i = 0; i < 20; i++) Assert.Equal($"\"{key}\"", Run("RANDOMKEY"));
        Run("DEL", key);
        Assert.Equal("(nil)", Run("RANDOMKEY"));
    }

    [Fact]
    public void Merge_returns_the_first_error()
    {
        var command = CommandTable.Find("DEL")!;
        var parts = new List<RoutedPart> { new(0, [], [0]), new(1, [], [1]) };
        Assert.Same(Errors.WrongType, CommandRouter.Merge(command, parts, [Reply.Int(1), Errors.WrongType], 2));
    }

    [Fact]
    public void Commands_without_keys_route_to_partition_zero()
    {
        var command = CommandTable.Find("DBSIZE")!;
        Assert.Equal(0, router.PartitionOf(command, Argv(["DBSIZE"]), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Single_key_commands_route_to_their_slots_partition()
    {
        var command = CommandTable.Find("GET")!;
        Assert.Equal(PartitionOf("foo"), router.PartitionOf(command, Argv(["GET", "foo"]), out _));
        Assert.Equal(PartitionOf("bar"), router.PartitionOf(command, Argv(["GET", "bar"]), out _));
    }
}
