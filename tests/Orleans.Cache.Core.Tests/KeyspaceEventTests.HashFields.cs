namespace Orleans.Cache.Core.Tests;

/// <summary>
/// The events of hash field expiration. redis-server 7.0.15 has no such commands, so these follow Redis 8.0's t_hash.c:
/// hexpire (or hdel when a past time deleted fields), hpersist, hexpired when expiry removed fields, and del after the
/// last field.
/// </summary>
public sealed partial class KeyspaceEventTests
{
    private void Later(long ms) => _db.Clock.Advance(TimeSpan.FromMilliseconds(ms));

    [Fact]
    public void Hexpire_raises_hexpire_or_hdel_when_fields_were_deleted_then_del_once_empty()
    {
        Given("HSET h a 1 b 2");
        Run("HEXPIRE h 100 FIELDS 2 a zz", "[1,-2]", "hexpire:h");
        Run("HEXPIRE h 100 NX FIELDS 1 a", "[0]");
        Run("HEXPIRE h 100 FIELDS 1 zz", "[-2]");
        Run("HPEXPIRE h 0 FIELDS 2 b a", "[2,2]", "hdel:h", "del:h");
    }

    [Fact]
    public void Hpersist_raises_hpersist_only_when_a_ttl_was_removed()
    {
        Given("HSET h a 1 b 2");
        Given("HEXPIRE h 100 FIELDS 1 a");
        Run("HPERSIST h FIELDS 2 a b", "[1,-1]", "hpersist:h");
        Run("HPERSIST h FIELDS 1 a", "[-1]");
        Run("HTTL h FIELDS 1 a", "[-1]");
    }

    [Fact]
    public void Expired_fields_raise_hexpired_once_when_a_command_meets_them_and_del_when_none_is_left()
    {
        Given("HSET h a 1 b 2 c 3");
        Given("HPEXPIRE h 10 FIELDS 2 a b");
        Later(11);
        Run("HGET h c", "3", "hexpired:h");
        Run("HGET h a", "nil");
        Given("HPEXPIRE h 10 FIELDS 1 c");
        Later(11);
        Run("HSET h d 4", "1", "hexpired:h", "del:h", "hset:h");
    }

    [Fact]
    public void The_8_0_commands_raise_their_events()
    {
        Given("HSET h a 1 b 2 c 3");
        Run("HGETDEL h FIELDS 2 a zz", "[1,nil]", "hdel:h");
        Run("HGETDEL h FIELDS 1 zz", "[nil]");
        Run("HGETEX h EX 100 FIELDS 1 b", "[2]", "hexpire:h");
        Run("HGETEX h PERSIST FIELDS 2 b c", "[2,3]", "hpersist:h");
        Run("HGETEX h PERSIST FIELDS 1 b", "[2]");
        Run("HGETEX h FIELDS 1 b", "[2]");
        Run("HSETEX h FXX FIELDS 1 zz 1", "0");
        Run("HSETEX h KEEPTTL FIELDS 1 b 20", "1", "hset:h");
        Run("HSETEX h EX 10 FIELDS 1 d 4", "1", "hset:h", "hexpire:h");
        Run("HSETEX h PX 0 FIELDS 1 c 30", "1", "hset:h", "hdel:h");
        Run("HGETEX h EX 0 FIELDS 2 b d", "[20,4]", "hdel:h", "del:h");
    }
}
