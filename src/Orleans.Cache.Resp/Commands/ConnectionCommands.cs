using Orleans.Cache.Core;
using Orleans.Cache.Core.Acl;

namespace Orleans.Cache.Resp.Commands;

// PING, QUIT, RESET, SELECT, AUTH, HELLO, READONLY/READWRITE: the connection's own state.
internal sealed partial class ServerCommands
{
    private static readonly Reply ResetReply = Reply.Simple("RESET");
    private static readonly Reply WrongPass = AclErrors.WrongPass;
    private static readonly Reply NoPasswordConfigured = Reply.Error(
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
    public static readonly Reply NoAuth = Reply.Error("NOAUTH Authentication required.");
    private static readonly Reply HelloNoAuth = Reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");

    private static Reply Ping(byte[][] argv) => argv.Length switch
    {
        1 => Reply.Pong,
        2 => Reply.Bulk(argv[1]),
        _ => Errors.WrongArity("ping"),
    };

    /// <summary>PING in RESP2 subscribed mode answers as a message would: ["pong", argument or ""].</summary>
    private static Reply SubscribedPing(byte[][] argv) => argv.Length switch
    {
        1 => Reply.Array([Reply.Bulk("pong"), Reply.EmptyBulk]),
        2 => Reply.Array([Reply.Bulk("pong"), Reply.Bulk(argv[1])]),
        _ => Errors.WrongArity("ping"),
    };

    private static Reply Quit(ref AfterReply after)
    {
        after = AfterReply.Close;
        return Reply.Ok;
    }

    private Reply Reset(RespSession client)
    {
        StopMonitor(client); // RESET leaves MONITOR mode
        client.Multi = null;
        Unwatch(client);
        client.Protocol = 2;
        client.Name = "";
        client.NoEvict = false;
        client.NoTouch = false;
        client.ReplyMode = ReplyMode.On;
        client.SkipReplies = 0;
        client.ReadOnly = false;
        if (client.Tracking is not null) node.Tracking.Table.Forget(client.Id);
        client.Tracking = null;
        client.CachingNext = null;
        client.User = node.Acl.Current.Default;
        client.Authenticated = client.User.LogsInWithoutPassword;
        client.ForgetSubscriptions(); // RESET left every channel (the connection removed the subscriber first)
        return ResetReply;
    }

    private static Reply Select(byte[][] argv)
    {
        long db = Args.Long(argv[1]);
        return db == 0 ? Reply.Ok : Reply.Error("ERR DB index is out of range");
    }

    private static Reply SetReadOnly(RespSession client, bool readOnly)
    {
        client.ReadOnly = readOnly;
        return Reply.Ok;
    }

    private Reply Auth(RespSession client, byte[][] argv)
    {
        if (argv.Length > 3) return Errors.Syntax;
        if (argv.Length == 2 && node.Acl.Current.Default.NoPass) return NoPasswordConfigured;
        var user = Login(client, argv.Length == 3 ? Args.Text(argv[1]) : AclUsers.DefaultName, argv[^1]);
        if (user is null) return WrongPass;
        client.User = user;
        client.Authenticated = true;
        return Reply.Ok;
    }

    /// <summary>
    /// The user <paramref name="name"/> when it is on and <paramref name="password"/> is one of its passwords (any, for a
    /// nopass user); else null, and the failure goes to ACL LOG as Redis logs it (reason auth, object AUTH).
    /// </summary>
    private AclUser? Login(RespSession client, string name, byte[] password)
    {
        if (node.Acl.Current.Find(name) is { } user && user.CheckPassword(password)) return user;
        node.LogAclFailure(client, "auth", client.Multi is not null ? "multi" : "toplevel", "AUTH", name);
        return null;
    }

    private Reply Hello(RespSession client, byte[][] argv)
    {
        int protocol = client.Protocol;
        if (argv.Length >= 2)
        {
            if (!Args.TryLong(argv[1], out long version) || version > int.MaxValue || version < int.MinValue)
                return Reply.Error("ERR Protocol version is not an integer or out of range");
            if (version < 2 || version > 3) return Reply.Error("NOPROTO unsupported protocol version");
            protocol = (int)version;
        }
        string? name = null;
        bool authenticated = client.Authenticated || node.Acl.Current.Default.LogsInWithoutPassword;
        AclUser? login = null;
        for (int i = 2; i < argv.Length; i++)
        {
            int left = argv.Length - i - 1;
            if (Args.Is(argv[i], "AUTH") && left >= 2)
            {
                login = Login(client, Args.Text(argv[i + 1]), argv[i + 2]);
                if (login is null) return WrongPass;
                authenticated = true;
                i += 2;
            }
            else if (Args.Is(argv[i], "SETNAME") && left >= 1)
            {
                name = Args.Text(argv[i + 1]);
                if (!IsValidName(name)) return Reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
                i++;
            }
            else return Reply.Error($"ERR Syntax error in HELLO option '{Args.Text(argv[i])}'");
        }
        if (!authenticated) return HelloNoAuth;
        if (login is not null) client.User = login;
        client.Authenticated = true;
        client.Protocol = protocol;
        if (name is not null) client.Name = name;
        return Reply.Map([
            Reply.Bulk("server"), Reply.Bulk("redis"),
            Reply.Bulk("version"), Reply.Bulk(RedisVersion),
            Reply.Bulk("proto"), Reply.Int(protocol),
            Reply.Bulk("id"), Reply.Int(client.Id),
            Reply.Bulk("mode"), Reply.Bulk(node.Options.ClusterMode ? "cluster" : "standalone"),
            Reply.Bulk("role"), Reply.Bulk("master"),
            Reply.Bulk("modules"), Reply.EmptyArray,
        ]);
    }

    /// <summary>Client names and library names: printable ASCII without spaces, as Redis requires.</summary>
    private static bool IsValidName(string name)
    {
        foreach (char c in name) if (c < '!' || c > '~') return false;
        return true;
    }
}
