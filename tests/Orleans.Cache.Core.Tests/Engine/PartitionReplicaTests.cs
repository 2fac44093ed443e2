using System.Text;
using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests.Engine;

/// <summary>A replica's copy: effects in offset order, gaps and foreign primaries refused, replay at the primary's time, promotion.</summary>
public sealed class PartitionReplicaTests
{
    private static byte[][] Argv(params string[] args) => args.Select(Encoding.UTF8.GetBytes).ToArray();

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    private readonly PartitionEngine _primary;
    private readonly Guid _epoch = Guid.NewGuid();

    public PartitionReplicaTests()
    {
        _primary = new PartitionEngine(_clock);
        _primary.Keyspace.Effects.Capacity = 1024;
    }

    private void Write(params string[] args) => _primary.Locked(k => k.Execute(Argv(args)));

    private List<Effect> EffectsSince(long offset)
    {
        var effects = new List<Effect>();
        Assert.True(_primary.TryReadEffects(offset, effects, int.MaxValue, out _));
        return effects;
    }

    private long Apply(PartitionReplica replica, IReadOnlyList<Effect> effects, Guid? epoch = null) =>
        replica.Apply(epoch ?? _epoch, effects[0].Offset, [.. effects.Select(e => e.Argv)], [.. effects.Select(e => e.At)]);

    private PartitionReplica Synced()
    {
        var replica = new PartitionReplica(_clock);
        var (data, at) = _primary.ForkForReplica();
        Assert.Equal(_primary.Keyspace.Effects.Offset, replica.Load(_epoch, data, at));
        return replica;
    }

    /// <summary>Every key with its absolute expiry, read without the clock.</summary>
    private static string Dump(Keyspace k) => string.Join(",", k.Entries().Select(e => $"{Encoding.UTF8.GetString(e.Key)}@{e.ExpireAt}").Order());

    [Fact]
    public void A_copy_takes_no_effect_before_its_full_sync()
    {
        Write("SET", "a", "1");
        var replica = new PartitionReplica(_clock);
        Assert.Equal(-1, Apply(replica, EffectsSince(0)));
    }

    [Fact]
    public void Effects_apply_in_order_a_gap_asks_for_a_full_sync_and_a_repeat_is_skipped()
    {
        Write("SET", "a", "1");
        var replica = Synced();
        long synced = replica.Offset;
        Write("INCR", "n");
        Write("INCR", "n");
        Write("INCR", "n");
        var effects = EffectsSince(synced);
        Assert.Equal(-1, Apply(replica, effects.Skip(1).ToList())); // a gap
        Assert.Equal(synced + 2, Apply(replica, effects.Take(2).ToList()));
        Assert.Equal(synced + 3, Apply(replica, effects)); // the first two again: skipped, the third applied
        Assert.Equal("3", replica.Locked(k => k.Execute(Argv("GET", "n")).Text));
    }

    [Fact]
    public void A_new_primary_continues_a_copy_only_where_it_stands_exactly()
    {
        Write("SET", "a", "1");
        var replica = Synced();
        Write("SET", "b", "2");
        var next = EffectsSince(replica.Offset);
        Assert.Equal(-1, Apply(replica, [next[0] with { Offset = replica.Offset }], Guid.NewGuid())); // overlaps: a foreign history
        Assert.Equal(replica.Offset + 1, Apply(replica, next, Guid.NewGuid()));
    }

    [Fact]
    public void Effects_replay_at_the_primarys_time_so_a_key_alive_there_is_alive_on_the_copy()
    {
        Write("SET", "k", "5", "PX", "100");
        var replica = Synced();
        long from = replica.Offset;
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        Write("INCR", "k"); // alive on the primary at +50 ms
        // The copy applies it 1 s later on the wall clock: replayed at +50 ms, the key is still there and keeps its TTL.
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(Apply(replica, EffectsSince(from)) > from);
        Assert.Equal(0, replica.Failed);
        Assert.Equal($"k@{1_700_000_000_100}", replica.Locked(Dump));
        Assert.Equal(Dump(_primary.Keyspace), replica.Locked(Dump));
    }

    [Fact]
    public void A_promoted_copy_runs_on_the_real_clock_and_numbers_its_effects_after_the_offset_it_had()
    {
        Write("SET", "a", "1");
        var replica = Synced();
        Write("SET", "b", "2", "PX", "1000");
        Apply(replica, EffectsSince(replica.Offset));
        long offset = replica.Offset;
        var engine = new PartitionEngine(_clock, replica.Promote());
        Assert.Equal(-1, Apply(replica, EffectsSince(0))); // a promoted copy takes nothing more
        Assert.Equal(offset, engine.Keyspace.Effects.Offset);
        engine.Locked(k => k.Execute(Argv("SET", "c", "3")));
        Assert.Equal(offset + 1, engine.Keyspace.Effects.Offset);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(ReplyKind.Null, engine.Locked(k => k.Execute(Argv("GET", "b")).Kind));
        Assert.Equal("1", engine.Locked(k => k.Execute(Argv("GET", "a")).Text));
    }

    private static Command Read(params string[] args) => CommandRouter.Resolve(Argv(args), out _)!.Value;

    [Fact]
    public void A_read_on_the_copy_answers_what_the_copy_has_and_never_expires_a_key_itself()
    {
        Write("SET", "plain", "p");
        Write("SET", "n", "5", "PX", "1000");
        Write("HSET", "h", "f", "1");
        Write("HPEXPIRE", "h", "1000", "FIELDS", "1", "f");
        var replica = Synced();

        Assert.Equal("p", replica.Read(Read("GET", "plain"))!.Text);
        Assert.Equal("5", replica.Read(Read("GET", "n"))!.Text);
        Assert.Equal(2, replica.ReadsServed);

        // A write the primary ran before the TTL passed is still on its way when a read comes after it: the read must not
        // delete the key (or the field), so the late INCR finds 5, as it did on the primary.
        long before = _primary.Keyspace.Effects.Offset;
        Write("INCR", "n");
        var late = EffectsSince(before);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(replica.Read(Read("GET", "n")));
        Assert.Null(replica.Read(Read("HGET", "h", "f")));
        Assert.Equal("p", replica.Read(Read("GET", "plain"))!.Text);
        Assert.Equal(3, replica.ReadsServed);
        Assert.Equal(late[^1].Offset, Apply(replica, late));
        // Entries() reads without the clock: the key is still there, with 6.
        Assert.Equal("6", replica.Locked(k => Encoding.UTF8.GetString((byte[])k.Entries().Single(e => e.Key.AsSpan().SequenceEqual("n"u8)).Value)));
    }
}
