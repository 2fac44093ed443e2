using System.Net;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>
/// ACL users over real sockets (one endpoint without Orleans, so the users are its own and there is no pub/sub: channel
/// denials are checked, deliveries are the cluster tests'): AUTH as a user, NOPERM for commands, keys and channels,
/// MULTI/EXEC, ACL LOG, requirepass.
/// </summary>
public sealed class AclRespTests : IAsyncLifetime
{
    private RespTestServer _server = null!;
    public async Task InitializeAsync() => _server = await RespTestServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<RawClient> ConnectAsync(string? user = null, string? password = null)
    {
        var client = await RawClient.ConnectAsync(_server.EndPoint);
        if (user is not null) Assert.Equal("+OK\r\n", await client.CallAsync("AUTH", user, password!));
        return client;
    }

    [Fact]
    public async Task A_user_runs_what_its_rules_allow_and_gets_redis_NOPERM_texts_for_the_rest()
    {
        using var admin = await ConnectAsync();
        Assert.Equal("+OK\r\n", await admin.CallAsync("ACL", "SETUSER", "alice", "on", ">pw", "~app:*", "%R~ro:*", "&news.*",
            "-@all", "+get", "+set", "+publish", "+subscribe", "+acl|whoami", "+client|list"));
        using var alice = await ConnectAsync("alice", "pw");
        Assert.Equal("$5\r\nalice\r\n", await alice.CallAsync("ACL", "WHOAMI"));
        Assert.Equal("+OK\r\n", await alice.CallAsync("SET", "app:1", "v"));
        Assert.Equal("$1\r\nv\r\n", await alice.CallAsync("GET", "app:1"));
        Assert.Equal("-NOPERM No permissions to access a key\r\n", await alice.CallAsync("GET", "other"));
        Assert.Equal("-NOPERM No permissions to access a key\r\n", await alice.CallAsync("SET", "ro:1", "v"));
        Assert.Equal("$-1\r\n", await alice.CallAsync("GET", "ro:1"));
        Assert.Equal("-NOPERM User alice has no permissions to run the 'del' command\r\n", await alice.CallAsync("DEL", "app:1"));
        Assert.Equal("-NOPERM User alice has no permissions to run the 'config|get' command\r\n", await alice.CallAsync("CONFIG", "GET", "port"));
        Assert.Equal("-NOPERM No permissions to access a channel\r\n", await alice.CallAsync("PUBLISH", "other", "m"));
        Assert.Equal("-NOPERM No permissions to access a channel\r\n", await alice.CallAsync("SUBSCRIBE", "other"));
        Assert.Contains(" user=alice ", await alice.CallAsync("CLIENT", "LIST"));
        // Unknown commands and wrong arity are answered before the ACL check, as in Redis.
        Assert.StartsWith("-ERR unknown command 'NOSUCH'", await alice.CallAsync("NOSUCH"));
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", await alice.CallAsync("GET"));
    }

    [Fact]
    public async Task Wrong_passwords_disabled_users_and_unknown_users_get_WRONGPASS_and_are_logged()
    {
        using var admin = await ConnectAsync();
        await admin.CallAsync("ACL", "LOG", "RESET");
        await admin.CallAsync("ACL", "SETUSER", "bob", "off", ">pw", "+@all", "~*");
        using var client = await ConnectAsync();
        const string wrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
        Assert.Equal(wrongPass, await client.CallAsync("AUTH", "bob", "pw"));
        Assert.Equal(wrongPass, await client.CallAsync("AUTH", "nobody", "pw"));
        Assert.Equal(wrongPass, await client.CallAsync("HELLO", "3", "AUTH", "bob", "x"));
        await admin.CallAsync("ACL", "SETUSER", "bob", "on");
        Assert.Equal(wrongPass, await client.CallAsync("AUTH", "bob", "x"));
        Assert.Equal("+OK\r\n", await client.CallAsync("AUTH", "bob", "pw"));
        var log = await admin.CallAsync("ACL", "LOG");
        Assert.StartsWith("*2\r\n", log); // bob's three failures within a minute are one entry, nobody's another
        Assert.Contains("$6\r\nreason\r\n$4\r\nauth\r\n", log);
        Assert.Contains("$8\r\nusername\r\n$6\r\nnobody\r\n", log);
        Assert.Contains("$6\r\nobject\r\n$4\r\nAUTH\r\n", log);
        Assert.Contains("$8\r\nentry-id\r\n", log);
    }

    [Fact]
    public async Task Denied_commands_are_logged_with_reason_object_and_context()
    {
        using var admin = await ConnectAsync();
        await admin.CallAsync("ACL", "LOG", "RESET");
        await admin.CallAsync("ACL", "SETUSER", "carol", "on", ">pw", "~c:*", "+get", "+multi", "+exec");
        using var carol = await ConnectAsync("carol", "pw");
        await carol.CallAsync("GET", "x");
        await carol.CallAsync("INCR", "c:1");
        var log = await admin.CallAsync("ACL", "LOG", "1");
        Assert.StartsWith("*1\r\n", log);
        Assert.Contains("$6\r\nreason\r\n$7\r\ncommand\r\n", log);
        Assert.Contains("$7\r\ncontext\r\n$8\r\ntoplevel\r\n", log);
        Assert.Contains("$6\r\nobject\r\n$4\r\nincr\r\n", log);
        Assert.Contains("user=carol", log);
        log = await admin.CallAsync("ACL", "LOG", "2");
        Assert.Contains("$6\r\nreason\r\n$3\r\nkey\r\n", log);
        Assert.Contains("$6\r\nobject\r\n$1\r\nx\r\n", log);
        Assert.Equal("*0\r\n", await admin.CallAsync("ACL", "LOG", "-1"));
        var stats = await admin.CallAsync("INFO", "stats");
        Assert.Matches("acl_access_denied_cmd:[1-9]", stats);
        Assert.Matches("acl_access_denied_key:[1-9]", stats);
    }

    [Fact]
    public async Task Multi_refuses_denied_commands_at_queue_time_and_exec_checks_again()
    {
        using var admin = await ConnectAsync();
        await admin.CallAsync("ACL", "SETUSER", "dave", "on", ">pw", "~*", "-@all", "+multi", "+exec", "+get", "+set");
        using var dave = await ConnectAsync("dave", "pw");
        Assert.Equal("+OK\r\n", await dave.CallAsync("MULTI"));
        Assert.Equal("-NOPERM User dave has no permissions to run the 'del' command\r\n", await dave.CallAsync("DEL", "k"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", await dave.CallAsync("EXEC"));

        Assert.Equal("+OK\r\n", await dave.CallAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await dave.CallAsync("SET", "dave:k", "v"));
        Assert.Equal("+QUEUED\r\n", await dave.CallAsync("GET", "dave:k"));
        await admin.CallAsync("ACL", "SETUSER", "dave", "-set");
        Assert.Equal("*2\r\n-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. " +
                     "This command is no longer allowed for the following reason: no permission to execute the command or subcommand\r\n$-1\r\n",
            await dave.CallAsync("EXEC"));
    }

    [Fact]
    public async Task Rule_changes_apply_to_connected_clients_and_deleting_a_user_closes_its_connections()
    {
        using var admin = await ConnectAsync();
        await admin.CallAsync("ACL", "SETUSER", "erin", "on", ">pw", "~*", "+@all");
        using var erin = await ConnectAsync("erin", "pw");
        Assert.Equal("+PONG\r\n", await erin.CallAsync("PING"));
        await admin.CallAsync("ACL", "SETUSER", "erin", "-ping");
        Assert.Equal("-NOPERM User erin has no permissions to run the 'ping' command\r\n", await erin.CallAsync("PING"));
        Assert.Equal(":1\r\n", await admin.CallAsync("ACL", "DELUSER", "erin"));
        Assert.Equal("<closed>", await CallOrClosedAsync(erin, "GET", "k"));
        Assert.Equal("-ERR The 'default' user cannot be removed\r\n", await admin.CallAsync("ACL", "DELUSER", "default"));
    }

    private static async Task<string> CallOrClosedAsync(RawClient client, params string[] args)
    {
        try { return await client.CallAsync(args); }
        catch (System.Net.Sockets.SocketException) { return "<closed>"; }
    }

    [Fact]
    public async Task Requirepass_is_the_default_users_password()
    {
        using var admin = await ConnectAsync();
        Assert.Equal("+OK\r\n", await admin.CallAsync("CONFIG", "SET", "requirepass", "s3cret"));
        try
        {
            Assert.Equal("*2\r\n$11\r\nrequirepass\r\n$6\r\ns3cret\r\n", await admin.CallAsync("CONFIG", "GET", "requirepass"));
            Assert.Contains("user default on #", await admin.CallAsync("ACL", "LIST"));
            using var other = await ConnectAsync();
            Assert.Equal("-NOAUTH Authentication required.\r\n", await other.CallAsync("GET", "k"));
            Assert.Equal("+OK\r\n", await other.CallAsync("AUTH", "s3cret"));
            Assert.Equal("$7\r\ndefault\r\n", await other.CallAsync("ACL", "WHOAMI"));
        }
        finally
        {
            Assert.Equal("+OK\r\n", await admin.CallAsync("CONFIG", "SET", "requirepass", ""));
        }
        Assert.Contains("user default on nopass ~* &* +@all", await admin.CallAsync("ACL", "LIST"));
        using var open = await ConnectAsync();
        Assert.Equal("$-1\r\n", await open.CallAsync("GET", "requirepass:k"));
    }

    [Fact]
    public async Task Getuser_list_users_cat_genpass_and_dryrun_answer_as_redis()
    {
        using var admin = await ConnectAsync();
        await admin.CallAsync("ACL", "SETUSER", "frank", "on", ">pw", "~f:*", "&*", "+@string", "-get");
        Assert.Equal("*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n*1\r\n$64\r\n30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4\r\n" +
                     "$8\r\ncommands\r\n$19\r\n-@all +@string -get\r\n$4\r\nkeys\r\n$4\r\n~f:*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n",
            await admin.CallAsync("ACL", "GETUSER", "frank"));
        Assert.Equal("$-1\r\n", await admin.CallAsync("ACL", "GETUSER", "nobody"));
        Assert.Contains("$7\r\ndefault\r\n", await admin.CallAsync("ACL", "USERS"));
        Assert.StartsWith("*21\r\n$8\r\nkeyspace\r\n$4\r\nread\r\n", await admin.CallAsync("ACL", "CAT"));
        Assert.Contains("$4\r\nmget\r\n", await admin.CallAsync("ACL", "CAT", "string"));
        Assert.Equal("-ERR Unknown category 'nocat'\r\n", await admin.CallAsync("ACL", "CAT", "nocat"));
        Assert.Matches("^\\$64\\r\\n[0-9a-f]{64}\\r\\n$", await admin.CallAsync("ACL", "GENPASS"));
        Assert.Matches("^\\$2\\r\\n[0-9a-f]{2}\\r\\n$", await admin.CallAsync("ACL", "GENPASS", "5"));
        Assert.Equal("+OK\r\n", await admin.CallAsync("ACL", "DRYRUN", "frank", "set", "f:1", "v"));
        Assert.Equal("$54\r\nUser frank has no permissions to run the 'get' command\r\n", await admin.CallAsync("ACL", "DRYRUN", "frank", "get", "f:1"));
        Assert.Equal("$36\r\nNo permissions to access the 'x' key\r\n", await admin.CallAsync("ACL", "DRYRUN", "frank", "set", "x", "v"));
        Assert.Equal("-ERR User 'nobody' not found\r\n", await admin.CallAsync("ACL", "DRYRUN", "nobody", "get", "x"));
        Assert.Equal("-ERR Command 'nocmd' not found\r\n", await admin.CallAsync("ACL", "DRYRUN", "frank", "nocmd"));
    }

    [Fact]
    public async Task An_acl_user_with_a_password_counts_for_protected_mode()
    {
        var remote = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 5000);
        Assert.True(_server.Server.Node.Config.DeniedByProtectedMode(remote));
        using var admin = await ConnectAsync();
        await admin.CallAsync("ACL", "SETUSER", "gina", "on", ">pw");
        Assert.False(_server.Server.Node.Config.DeniedByProtectedMode(remote));
        await admin.CallAsync("ACL", "DELUSER", "gina");
        Assert.True(_server.Server.Node.Config.DeniedByProtectedMode(remote));
    }

    [Theory, MemberData(nameof(RedisClients.Protocols), MemberType = typeof(RedisClients))]
    public async Task StackExchange_Redis_connects_as_a_user(RedisProtocol protocol)
    {
        using (var admin = await ConnectAsync())
            await admin.CallAsync("ACL", "SETUSER", "hank", "on", ">pw", "~hank:*", "&*", "+@all", "-flushall");
        var options = RedisClients.Options(_server, protocol, "pw");
        options.User = "hank";
        options.TieBreaker = "";
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var db = redis.GetDatabase();
        await db.StringSetAsync("hank:k", "v");
        Assert.Equal("v", (string?)await db.StringGetAsync("hank:k"));
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.StringGetAsync("other"));
        Assert.Equal("NOPERM No permissions to access a key", error.Message);
    }

    [Fact]
    public async Task Acl_save_and_load_use_the_configured_aclfile()
    {
        var dir = Directory.CreateTempSubdirectory("orleans-cache-aclfile-").FullName;
        try
        {
            var aclFile = Path.Combine(dir, "users.acl");
            var conf = Path.Combine(dir, "redis.conf");
            await File.WriteAllTextAsync(conf, $"aclfile {aclFile}\n");
            await using var server = await RespTestServer.StartAsync(o => o.ConfigFile = conf);
            using var client = await RawClient.ConnectAsync(server.EndPoint);
            Assert.Equal("+OK\r\n", await client.CallAsync("ACL", "SETUSER", "ivan", "on", ">pw", "~*", "+get"));
            Assert.Equal("+OK\r\n", await client.CallAsync("ACL", "SAVE"));
            var lines = await File.ReadAllLinesAsync(aclFile);
            Assert.Equal(new[] { "user default on nopass ~* &* +@all",
                "user ivan on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~* resetchannels -@all +get" }, lines.Order(StringComparer.Ordinal));
            await File.WriteAllLinesAsync(aclFile, ["# users", "user default on nopass ~* &* +@all", "user jane on nopass ~j:* +@read"]);
            Assert.Equal("+OK\r\n", await client.CallAsync("ACL", "LOAD"));
            Assert.Equal("$-1\r\n", await client.CallAsync("ACL", "GETUSER", "ivan"));
            Assert.Contains("-@all +@read", await client.CallAsync("ACL", "GETUSER", "jane"));
            await File.WriteAllLinesAsync(aclFile, ["user default on nopass ~* &* +@all", "user bad on +nocmd"]);
            Assert.StartsWith("-ERR ", await client.CallAsync("ACL", "LOAD"));
            Assert.Contains("-@all +@read", await client.CallAsync("ACL", "GETUSER", "jane")); // a bad file changes nothing
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
