using System.Text;
using Orleans.Cache.Core.Acl;

namespace Orleans.Cache.Core.Tests;

/// <summary>ACL rules and checks as redis-server 7.0.15 has them (GETUSER / LIST texts taken from a real server).</summary>
public class AclTests
{
    private static byte[][] Rules(string rules) => [.. rules.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Encoding.UTF8.GetBytes)];

    private static AclUser User(string rules, string name = "u")
    {
        var error = AclUsers.Initial().SetUser(name, Rules(rules), false, out var users);
        Assert.Null(error);
        return users.Find(name)!;
    }

    private static byte[][] Argv(string command) => [.. command.Split(' ').Select(Encoding.UTF8.GetBytes)];

    private static AclDenial Check(AclUser user, string command, out string what)
    {
        var argv = Argv(command);
        return user.Check(CommandTable.Find(argv[0])!, argv, out what, out _);
    }

    [Theory]
    [InlineData("reset +@all -get", "+@all -get")]
    [InlineData("reset -@all +get -get", "-@all")]
    [InlineData("reset +get +get", "-@all +get")]
    [InlineData("reset +@string -get +get", "-@all +@string")]
    [InlineData("reset +@all -@string +get", "+@all -@string +get")]
    [InlineData("reset +@string -@string", "-@all")]
    [InlineData("reset +get +@string", "-@all +@string")]
    [InlineData("reset +config|get", "-@all +config|get")]
    [InlineData("reset +config +config|get", "-@all +config")]
    [InlineData("reset +config -config|get", "-@all +config -config|get")]
    [InlineData("reset +config|get -config", "-@all")]
    [InlineData("reset allcommands -get", "+@all -get")]
    [InlineData("reset nocommands +set", "-@all +set")]
    [InlineData("reset +select|0", "-@all +select|0")]
    [InlineData("reset +GET", "-@all +get")]
    [InlineData("reset +@STRING", "-@all +@string")]
    [InlineData("reset +@string -get", "-@all +@string -get")]
    [InlineData("reset +get -@string", "-@all")]
    [InlineData("reset +get +set -get", "-@all +set")]
    [InlineData("reset +@string -@list +@list", "-@all +@string +@list")] // redis-server: +@list first (it has SORT, SORT_RO)
    [InlineData("reset -@all +@admin +@dangerous", "-@all +@dangerous")]
    [InlineData("reset -@all +@read +@write", "-@all +@write +@read")]
    [InlineData("reset +@all +get", "+@all")]
    public void Command_rules_are_described_as_redis_7_0_describes_them(string rules, string expected) =>
        Assert.Equal(expected, User(rules).CommandRules());

    [Fact]
    public void Acl_list_lines_match_redis()
    {
        Assert.Equal("user default on nopass ~* &* +@all", AclUsers.Initial().Default.Describe());
        Assert.Equal("user bob off resetchannels -@all", User("", "bob").Describe());
        var alice = User("on >pw ~app:* %R~ro:* &chan* +get +set -@all +@string -config|get +client|id", "alice");
        Assert.Equal("user alice on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~app:* %R~ro:* " +
                     "resetchannels &chan* -@all +@string +client|id", alice.Describe());
        Assert.Equal("~app:* %R~ro:*", alice.KeyRules());
        Assert.Equal("&chan*", alice.ChannelRules());
        Assert.Equal(new[] { "on" }, alice.Flags());
        Assert.Equal(new[] { "off", "sanitize-payload" }, User("reset").Flags());
    }

    [Theory]
    [InlineData("~x allkeys ~y", "'~y': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns")]
    [InlineData("foo", "'foo': Syntax error")]
    [InlineData("+nocmd", "'+nocmd': Unknown command or category name in ACL")]
    [InlineData("+@nocat", "'+@nocat': Unknown command or category name in ACL")]
    [InlineData("<nopw", "'<nopw': The password you are trying to remove from the user does not exist")]
    [InlineData("#abc", "'#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")]
    [InlineData("!abc", "'!abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")]
    [InlineData("&x allchannels &y", "'&y': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels")]
    [InlineData("%X~x", "'%X~x': Syntax error")]
    [InlineData("+config|nosub", "'+config|nosub': Unknown command or category name in ACL")]
    public void Bad_rules_get_redis_errors_and_change_nothing(string rules, string error)
    {
        var before = AclUsers.Initial();
        Assert.Equal("ERR Error in ACL SETUSER modifier " + error, before.SetUser("bad", Rules(rules), false, out var after));
        Assert.Same(before, after);
        Assert.Null(after.Find("bad"));
    }

    [Fact]
    public void Usernames_with_spaces_are_refused() =>
        Assert.Equal("ERR Usernames can't contain spaces or null characters", AclUsers.Initial().SetUser("a b", [], false, out _));

    [Fact]
    public void Passwords_are_kept_as_sha256_and_checked()
    {
        var user = User("on >pw >other <other");
        Assert.Equal(new[] { "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4" }, user.Passwords);
        Assert.True(user.CheckPassword("pw"u8));
        Assert.False(user.CheckPassword("other"u8));
        Assert.False(User("off >pw").CheckPassword("pw"u8));
        Assert.True(User("on nopass").CheckPassword("anything"u8));
        Assert.True(User("on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4").CheckPassword("pw"u8));
        Assert.False(User("on >pw resetpass").CheckPassword("pw"u8));
        Assert.True(AclUsers.Initial("s3cret").Default.CheckPassword("s3cret"u8));
        Assert.False(AclUsers.Initial("s3cret").Default.LogsInWithoutPassword);
    }

    [Fact]
    public void Commands_keys_and_channels_are_checked_with_read_and_write_permissions()
    {
        var user = User("on >pw ~app:* %R~ro:* %W~wo:* &chan* -@all +get +set +publish +subscribe +psubscribe +lpush +lpop +copy +config|get +select|0");
        Assert.Equal(AclDenial.None, Check(user, "GET app:1", out _));
        Assert.Equal(AclDenial.Key, Check(user, "GET other", out var key));
        Assert.Equal("other", key);
        Assert.Equal(AclDenial.Key, Check(user, "SET ro:1 x", out _));
        Assert.Equal(AclDenial.None, Check(user, "GET ro:1", out _));
        Assert.Equal(AclDenial.None, Check(user, "SET wo:1 x", out _));
        Assert.Equal(AclDenial.Key, Check(user, "SET wo:1 x GET", out _));
        Assert.Equal(AclDenial.Key, Check(user, "GET wo:1", out _));
        Assert.Equal(AclDenial.None, Check(user, "LPUSH wo:2 a", out _)); // insert: write only
        Assert.Equal(AclDenial.Key, Check(user, "LPOP wo:2", out _)); // reads what it removes
        Assert.Equal(AclDenial.Key, Check(user, "COPY app:1 ro:9", out _)); // the destination needs write
        Assert.Equal(AclDenial.None, Check(user, "COPY ro:1 wo:9", out _));
        Assert.Equal(AclDenial.Command, Check(user, "DEL app:1", out var command));
        Assert.Equal("del", command);
        Assert.Equal(AclDenial.None, Check(user, "CONFIG GET port", out _));
        Assert.Equal(AclDenial.Command, Check(user, "CONFIG SET port 1", out command));
        Assert.Equal("config|set", command);
        Assert.Equal(AclDenial.None, Check(user, "SELECT 0", out _));
        Assert.Equal(AclDenial.Command, Check(user, "SELECT 1", out command));
        Assert.Equal("select", command);
        Assert.Equal(AclDenial.None, Check(user, "AUTH x y", out _)); // no-auth commands are never denied
        Assert.Equal(AclDenial.None, Check(user, "PUBLISH chan1 m", out _));
        Assert.Equal(AclDenial.Channel, Check(user, "PUBLISH other m", out var channel));
        Assert.Equal("other", channel);
        Assert.Equal(AclDenial.Channel, Check(user, "SUBSCRIBE chan1 other", out channel));
        Assert.Equal("other", channel);
        Assert.Equal(AclDenial.None, Check(user, "PSUBSCRIBE chan*", out _));
        Assert.Equal(AclDenial.Channel, Check(user, "PSUBSCRIBE cha*", out _)); // a pattern must be one the user has, as written
        Assert.False(user.Unrestricted);
        Assert.True(AclUsers.Initial().Default.Unrestricted);
    }

    [Fact]
    public void Categories_remove_what_they_cover()
    {
        var user = User("on nopass ~* &* +@all -@dangerous");
        Assert.Equal(AclDenial.Command, Check(user, "FLUSHALL", out _));
        Assert.Equal(AclDenial.Command, Check(user, "CONFIG SET port 1", out _));
        Assert.Equal(AclDenial.Command, Check(user, "KEYS *", out _));
        Assert.Equal(AclDenial.None, Check(user, "CLIENT ID", out _));
        Assert.Equal(AclDenial.None, Check(user, "GET k", out _));
        Assert.Equal("+@all -@dangerous", user.CommandRules());
    }

    [Fact]
    public void Categories_come_from_the_command_table()
    {
        Assert.Equal(new[] { "@write", "@sortedset", "@fast", "@blocking" }, AclCategories.NamesOf(AclCategories.Of(CommandTable.Find("BZPOPMIN")!)));
        Assert.Equal(new[] { "@keyspace", "@read", "@slow", "@dangerous" }, AclCategories.NamesOf(AclCategories.Of(CommandTable.Find("KEYS")!)));
        Assert.Equal(new[] { "@slow" }, AclCategories.NamesOf(AclCategories.Of(CommandTable.Find("CONFIG")!)));
        Assert.Equal(new[] { "@slow", "@connection" }, AclCategories.NamesOf(AclCategories.Of(CommandTable.Find("COMMAND")!)));
        Assert.Equal(new[] { "@admin", "@slow", "@dangerous" }, AclCategories.NamesOf(AclCommands.Find("config|set")!.Categories));
        Assert.Equal(new[] { "@admin", "@slow", "@dangerous", "@connection" }, AclCategories.NamesOf(AclCommands.Find("client|kill")!.Categories));
        Assert.Equal(new[] { "@slow", "@scripting" }, AclCategories.NamesOf(AclCategories.Of(CommandTable.Find("EVAL_RO")!)));
        Assert.Equal(new[] { "@fast", "@transaction" }, AclCategories.NamesOf(AclCategories.Of(CommandTable.Find("MULTI")!)));
        Assert.All(CommandTable.All, c => Assert.NotEqual(0UL, AclCategories.Of(c)));
    }

    [Fact]
    public void Records_rebuild_the_same_users()
    {
        AclUsers.Initial().SetUser("alice", Rules("on >pw ~app:* %W~w:* &c* +@all -@dangerous +config|get -get +select|1"), false, out var users);
        users.SetUser("bob", Rules("reset on nopass allkeys +@read"), false, out users);
        Assert.Null(AclUsers.FromRecords(users.Records(), 7, false, out var rebuilt));
        Assert.Equal(7, rebuilt.Version);
        Assert.Equal(users.Users.Select(u => u.Describe()), rebuilt.Users.Select(u => u.Describe()));
    }

    [Fact]
    public void Deleting_default_is_refused_and_others_are_counted()
    {
        AclUsers.Initial().SetUser("a", [], false, out var users);
        Assert.Equal("ERR The 'default' user cannot be removed", users.DelUser(["a", "default"], out _, out var same));
        Assert.Same(users, same);
        Assert.Null(users.DelUser(["a", "nobody", "a"], out int deleted, out var next));
        Assert.Equal(1, deleted);
        Assert.Null(next.Find("a"));
        Assert.Equal(users.Version + 1, next.Version);
    }

    [Fact]
    public void A_replaced_user_is_superseded_so_connections_look_it_up_again()
    {
        var first = AclUsers.Initial();
        first.SetUser("a", Rules("on nopass"), false, out var second);
        Assert.False(first.Default.Superseded); // unchanged users are shared
        second.SetUser("a", Rules("+get"), false, out var third);
        second.SupersedeBy(third);
        Assert.True(second.Find("a")!.Superseded);
        Assert.False(third.Find("a")!.Superseded);
    }

    [Fact]
    public void Log_groups_repeats_within_a_minute()
    {
        var log = new AclLog();
        log.Add("command", "toplevel", "get", "alice", "id=1", 1000, 128);
        log.Add("command", "toplevel", "get", "alice", "id=2", 2000, 128);
        log.Add("key", "toplevel", "k", "alice", "id=2", 3000, 128);
        log.Add("command", "toplevel", "get", "alice", "id=3", 61_000, 128);
        Assert.Equal(2, log.Count);
        var entries = log.Entries(10, 71_000).Items!;
        Assert.Equal(2, entries.Length);
        Assert.Equal(3, entries[0].Items![1].Integer); // count of the newest entry (the get, moved to the front)
        log.Add("auth", "toplevel", "AUTH", "x", "", 200_000, 1);
        Assert.Equal(1, log.Count);
        log.Reset();
        Assert.Equal(0, log.Count);
    }
}
