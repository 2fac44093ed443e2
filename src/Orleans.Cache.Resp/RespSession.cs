using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Orleans.Cache.Core;
using Orleans.Cache.Core.Acl;
using Orleans.Cache.Resp.Commands;

namespace Orleans.Cache.Resp;

/// <summary>
/// The server side of one client connection (Redis's <c>client</c>): what CLIENT LIST shows of it and the
/// per-connection state commands change (protocol, auth, name, MULTI queue, WATCHed keys, subscriptions).
/// </summary>
internal sealed class RespSession
{
    private static long s_nextId;
    private readonly ConnectionContext _connection;

    internal RespSession(ConnectionContext connection, long now)
    {
        _connection = connection;
        Id = Interlocked.Increment(ref s_nextId);
        CreatedAt = now;
        LastInteraction = now;
        RemoteEndPoint = connection.RemoteEndPoint;
        LocalEndPoint = connection.LocalEndPoint;
    }

    public long Id { get; }
    public EndPoint? RemoteEndPoint { get; }
    public EndPoint? LocalEndPoint { get; }
    /// <summary><see cref="RespNode.NowMs"/> at connect.</summary>
    public long CreatedAt { get; }
    /// <summary><see cref="RespNode.NowMs"/> of the last request or reply written; the idle timeout watches it.</summary>
    public long LastInteraction { get; set; }

    /// <summary>The partitions this connection sent writes to (WAIT waits for their replicas); null until its first write.</summary>
    internal bool[]? WrotePartitions { get; set; }

    /// <summary>2 or 3, set by HELLO.</summary>
    public int Protocol { get; set; } = 2;
    public bool Authenticated { get; set; }

    /// <summary>
    /// The ACL user this connection runs as (<c>default</c> until AUTH): its rules are checked before every command, at
    /// the cost of one flag when the user may do everything.
    /// </summary>
    public AclUser User { get; set; } = Unconnected;

    private static readonly AclUser Unconnected = AclUser.CreateDefault();
    public string Name { get; set; } = "";
    public string LibName { get; set; } = "";
    public string LibVersion { get; set; } = "";
    public bool NoEvict { get; set; }
    /// <summary>CLIENT NO-TOUCH: this client's commands leave the keys' access time alone (OBJECT IDLETIME), TOUCH excepted.</summary>
    public bool NoTouch { get; set; }

    /// <summary>CLIENT REPLY: ON answers everything; OFF answers nothing; SKIP drops the reply of the next command.</summary>
    public ReplyMode ReplyMode { get; set; }

    /// <summary>Replies still to drop: CLIENT REPLY SKIP sets 2 (its own reply and the next command's).</summary>
    internal int SkipReplies { get; set; }

    /// <summary>CLIENT TRACKING's settings while it is on; null while off.</summary>
    public ClientTrackingMode? Tracking { get; set; }

    /// <summary>Work a front-door command started that its reply must wait for (CLIENT PAUSE's announcement to the other silos).</summary>
    internal Task? AwaitBeforeReply { get; set; }

    /// <summary>CLIENT CACHING YES|NO for the next command (OPTIN / OPTOUT tracking); null when not given.</summary>
    internal bool? CachingNext { get; set; }
    public bool ReadOnly { get; set; }
    /// <summary>Full name of the last command (e.g. <c>client|list</c>), for CLIENT LIST's <c>cmd=</c>.</summary>
    public string LastCommand { get; set; } = "NULL";
    public bool Tls { get; init; }
    /// <summary>The transaction being queued (between MULTI and EXEC/DISCARD), or null.</summary>
    internal Transaction? Multi { get; set; }

    /// <summary>The keys WATCHed since the last EXEC, DISCARD or UNWATCH, with the versions their partitions answered.</summary>
    internal List<WatchedVersion>? Watches { get; set; }

    /// <summary>This connection's commandstats (INFO commandstats / latencystats).</summary>
    internal ClientStats Stats { get; } = new();

    /// <summary>Set while the client is in MONITOR mode.</summary>
    internal RespMonitor? Monitor { get; set; }

    /// <summary>MONITOR answered +OK in this round: the connection starts writing the monitor's lines once the reply is written.</summary>
    internal bool MonitorRequested { get; set; }

    /// <summary>The client's pub/sub state, once it subscribed to something.</summary>
    internal RespSubscriber? Subscriber { get; set; }

    // What this client is subscribed to, by space ("c:", "p:", "s:") and name: a user that loses access to one is closed.
    private readonly Dictionary<string, (byte[] Name, bool Pattern)> _subscribed = new(StringComparer.Ordinal);

    /// <summary>Notes the channels and patterns that (un)subscribe confirmations name (RESP2 arrays or RESP3 pushes).</summary>
    internal void TrackSubscriptions(Reply[] confirmations)
    {
        lock (_subscribed)
        {
            foreach (var confirmation in confirmations)
            {
                if (confirmation.Items is not [{ Bytes: { } kind }, { Bytes: { } name }, ..]) continue;
                var text = Encoding.ASCII.GetString(kind);
                bool pattern = text.StartsWith('p');
                var key = (pattern ? "p:" : text.StartsWith('s') ? "s:" : "c:") + Encoding.Latin1.GetString(name);
                if (text.Contains("unsubscribe", StringComparison.Ordinal)) _subscribed.Remove(key);
                else _subscribed[key] = (name, pattern);
            }
        }
    }

    /// <summary>RESET or a closed subscription: nothing subscribed any more.</summary>
    internal void ForgetSubscriptions()
    {
        lock (_subscribed) _subscribed.Clear();
    }

    /// <summary>Some channel or pattern this client is subscribed to is one <paramref name="user"/> may not use (Redis then closes the client).</summary>
    internal bool LosesChannels(AclUser user)
    {
        if (user.AllChannels) return false;
        lock (_subscribed)
            foreach (var (name, pattern) in _subscribed.Values)
                if (!user.CanAccessChannel(name, pattern)) return true;
        return false;
    }

    /// <summary>RESP2 subscribed mode: only (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET are accepted.</summary>
    public bool InSubscribedMode => Protocol == 2 && Subscriber is { IsSubscribed: true };

    // The unblock signal of the blocking command (BLPOP …) this client waits in; null while it waits in none.
    private CancellationTokenSource? _blocking;

    /// <summary>Waiting in a blocking command (CLIENT LIST's flag b, INFO's blocked_clients).</summary>
    public bool Blocked => Volatile.Read(ref _blocking) is not null;

    /// <summary>The last CLIENT UNBLOCK of this client asked for the UNBLOCKED error rather than the timeout reply.</summary>
    internal bool UnblockedWithError { get; private set; }

    /// <summary>The client starts a blocking command; the token ends its wait (CLIENT UNBLOCK).</summary>
    internal CancellationToken BeginBlocking()
    {
        UnblockedWithError = false;
        var unblock = new CancellationTokenSource();
        Volatile.Write(ref _blocking, unblock);
        return unblock.Token;
    }

    /// <summary>The blocking command answered.</summary>
    internal void EndBlocking() => Volatile.Write(ref _blocking, null);

    /// <summary>CLIENT UNBLOCK: ends the wait of the blocking command this client is in; false when it is in none.</summary>
    public bool Unblock(bool withError)
    {
        var unblock = Interlocked.Exchange(ref _blocking, null);
        if (unblock is null) return false;
        UnblockedWithError = withError;
        unblock.Cancel();
        return true;
    }

    /// <summary>Set when CLIENT KILL or the idle timeout closed this client.</summary>
    public bool Killed { get; private set; }

    public string Address => Format(RemoteEndPoint);
    public string LocalAddress => Format(LocalEndPoint);

    /// <summary>Closes the connection from outside its loop (CLIENT KILL, idle timeout, shutdown).</summary>
    public void Kill()
    {
        Killed = true;
        _connection.Abort(new ConnectionAbortedException("Client killed"));
    }

    private long _unsentReplies;

    /// <summary>Bytes of replies written but not yet taken by a client that is not reading (part of CLIENT LIST's omem).</summary>
    public long UnsentReplies { get => Volatile.Read(ref _unsentReplies); set => Volatile.Write(ref _unsentReplies, value); }

    /// <summary>One line of CLIENT LIST / CLIENT INFO, fields in Redis's order.</summary>
    public string Describe(long now)
    {
        var line = new StringBuilder(256);
        line.Append("id=").Append(Id)
            .Append(" addr=").Append(Address)
            .Append(" laddr=").Append(LocalAddress)
            .Append(" fd=-1 name=").Append(Name)
            .Append(" age=").Append((now - CreatedAt) / 1000)
            .Append(" idle=").Append((now - LastInteraction) / 1000)
            .Append(" flags=").Append(Flags())
            .Append(" db=0 sub=").Append(Subscriber?.Channels ?? 0)
            .Append(" psub=").Append(Subscriber?.Patterns ?? 0)
            .Append(" ssub=").Append(Subscriber?.ShardChannels ?? 0)
            .Append(" multi=").Append(Multi?.Commands.Count ?? -1).Append(" qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=").Append((Subscriber?.QueuedBytes ?? 0) + UnsentReplies)
            .Append(" tot-mem=0 events=r")
            .Append(" cmd=").Append(LastCommand.ToLowerInvariant())
            .Append(" user=").Append(User.Name).Append(" redir=").Append(Tracking?.Redirect ?? -1).Append(" resp=").Append(Protocol)
            .Append(" lib-name=").Append(LibName)
            .Append(" lib-ver=").Append(LibVersion)
            .Append('\n');
        return line.ToString();
    }

    /// <summary>
    /// CLIENT LIST's flags, in Redis's order: O monitor, P subscribed, x in MULTI, b blocked, t tracking (R its redirect
    /// client is gone, B broadcast mode), r READONLY, e NO-EVICT, T NO-TOUCH; N none.
    /// </summary>
    private string Flags()
    {
        var flags = new StringBuilder(4);
        if (Monitor is not null) flags.Append('O');
        if (Subscriber is { IsSubscribed: true }) flags.Append('P');
        if (Multi is not null) flags.Append('x');
        if (Blocked) flags.Append('b');
        if (Tracking is { } tracking)
        {
            flags.Append('t');
            if (tracking.BrokenRedirect) flags.Append('R');
            if (tracking.Broadcast) flags.Append('B');
        }
        if (ReadOnly) flags.Append('r');
        if (NoEvict) flags.Append('e');
        if (NoTouch) flags.Append('T');
        return flags.Length == 0 ? "N" : flags.ToString();
    }

    private static string Format(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => $"{ip.Address.MapToIPv4()}:{ip.Port}",
        IPEndPoint ip when ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 => $"[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        null => "",
        _ => endPoint.ToString() ?? "",
    };
}
