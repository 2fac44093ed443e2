using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Orleans.Cache.Core;
using Orleans.Cache.Core.Acl;
using Orleans.Cache.Execution;
using Orleans.Cache.Observability;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Resp;

/// <summary>
/// The endpoint as one logical Redis node: its id, settings, connected clients and counters — the state that
/// server commands (CLIENT, CONFIG, INFO, CLUSTER) read and change, shared by all connections of this silo.
/// </summary>
internal sealed class RespNode : IServerNode
{
    public RespNode(RespOptions options, ICommandExecutor executor, TimeProvider time, IPubSubBroker? broker = null)
    {
        Broker = broker;
        Options = options;
        Config = new RespConfig(options);
        Executor = executor;
        Time = time;
        NodeId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        StartedAt = NowMs;
        StartupAllocated = GC.GetTotalMemory(false);
        Pause = new ClientPause(time);
        Tracking = new ClientTracking(this);
        ClusterPause = new ClusterPause(this);
        Monitors = new MonitorFeed(this);
        Acl = new AclStore(null, Config.RequirePass);
        Config.PasswordElsewhere = () => Acl.Current.AnyPassword;
        Config.RequirePassChanged = password => Acl.SetDefaultPasswordAsync(password);
        RefreshSettings();
    }

    private AclStore _acl = null!;

    /// <summary>The cluster's ACL users as this silo enforces them (its own only, where no silo part runs).</summary>
    public AclStore Acl
    {
        get => _acl;
        internal set
        {
            _acl = value;
            value.Changed = OnAclChanged;
        }
    }

    /// <summary>ACL LOG: this silo's denied commands and failed logins.</summary>
    public AclLog AclLog { get; } = new();

    /// <summary>Completes once this silo has the cluster's stored users (at start); connections wait for it.</summary>
    internal TaskCompletionSource AclReady { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// A new version of the users: clients of a deleted user are closed, as ACL DELUSER does in Redis, and so are
    /// subscribers whose user lost a channel or pattern they are subscribed to (Redis 7's ACLKillPubsubClientsIfNeeded).
    /// </summary>
    private void OnAclChanged(AclUsers previous, AclUsers next)
    {
        foreach (var (_, client) in Clients)
        {
            var user = client.User;
            var now = next.Find(user.Name);
            if (now is null || !ReferenceEquals(now, user) && client.Subscriber is { IsSubscribed: true } && client.LosesChannels(now))
                client.Kill();
        }
    }

    void IServerNode.ApplyAcl(AclSnapshot snapshot) => Acl.Apply(snapshot);

    /// <summary>
    /// Records a denied command or failed login in ACL LOG (Redis's addACLLogEntry): <paramref name="context"/> is
    /// toplevel, multi or lua; the client's CLIENT INFO line goes with it.
    /// </summary>
    internal void LogAclFailure(RespSession client, string reason, string context, string what, string username)
    {
        Interlocked.Increment(ref _aclDenied[reason switch { "auth" => 0, "command" => 1, "key" => 2, _ => 3 }]);
        AclLog.Add(reason, context, what, username, client.Describe(NowMs).TrimEnd('\n'), Time.GetUtcNow().ToUnixTimeMilliseconds(), AclLogMaxLen);
    }

    // INFO stats' acl_access_denied_auth, _cmd, _key, _channel.
    private readonly long[] _aclDenied = new long[4];

    private long AclLogMaxLen => Setting("acllog-max-len", 128);

    /// <summary>CLIENT PAUSE / UNPAUSE announced to every silo.</summary>
    public ClusterPause ClusterPause { get; }

    /// <summary>Every silo's node, for cluster-wide INFO, SLOWLOG, LATENCY and MONITOR; null where no silo part runs (this node only).</summary>
    public IClusterNodes? Cluster { get; internal set; }

    /// <summary>CLIENT PAUSE / UNPAUSE of this silo's clients.</summary>
    public ClientPause Pause { get; }

    /// <summary>The command-time histogram the connections record into while it is listened to; null until the endpoint starts.</summary>
    public Hosting.CommandLatency? CommandLatency { get; internal set; }

    /// <summary>CLIENT TRACKING: the keys this silo's clients read, and where their invalidations go.</summary>
    public ClientTracking Tracking { get; }

    public RespOptions Options { get; }
    public RespConfig Config { get; }
    public ICommandExecutor Executor { get; }
    /// <summary>The silo's pub/sub broker; null where the endpoint runs without Orleans.Cache's silo part (pub/sub commands then fail).</summary>
    public IPubSubBroker? Broker { get; }
    public TimeProvider Time { get; }

    /// <summary>Monotonic milliseconds on <see cref="Time"/> (a fake clock in tests): connect times, idleness, output-limit clocks.</summary>
    public long NowMs => Time.GetTimestamp() / Math.Max(1, Time.TimestampFrequency / 1000);
    /// <summary>40 hex characters, new at every start: CLUSTER MYID and INFO's run_id.</summary>
    public string NodeId { get; }
    public long StartedAt { get; }
    /// <summary>The managed heap in use when the endpoint started (MEMORY STATS's <c>startup.allocated</c>).</summary>
    public long StartupAllocated { get; }

    /// <summary>The silo's SHUTDOWN switch (NOSAVE); null where no partitions run in this process.</summary>
    public SiloShutdown? Silo { get; internal set; }
    /// <summary>Stops the host (SHUTDOWN's last step); null where the endpoint runs without one.</summary>
    public Action? StopHost { get; internal set; }
    public Microsoft.Extensions.Logging.ILogger Logger { get; internal set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    /// <summary>The port the plain listener bound (differs from the option when it was 0).</summary>
    public int Port { get; internal set; }

    public ConcurrentDictionary<long, RespSession> Clients { get; } = new();

    /// <summary>This node's clients waiting in a blocking command (INFO's blocked_clients).</summary>
    public int BlockedClients
    {
        get
        {
            int blocked = 0;
            foreach (var (_, client) in Clients) if (client.Blocked) blocked++;
            return blocked;
        }
    }

    private long _totalConnections, _rejectedConnections, _totalCommands, _netInput, _netOutput;
    public long TotalConnections => Interlocked.Read(ref _totalConnections);
    public long RejectedConnections => Interlocked.Read(ref _rejectedConnections);
    public long TotalCommands => Interlocked.Read(ref _totalCommands);
    public long NetInputBytes => Interlocked.Read(ref _netInput);
    public long NetOutputBytes => Interlocked.Read(ref _netOutput);

    internal void CountConnection() => Interlocked.Increment(ref _totalConnections);

    // ---- INFO commandstats / errorstats, SLOWLOG, LATENCY, MONITOR ----

    internal Slowlog Slowlog { get; } = new();
    internal LatencyMonitor Latency { get; } = new();
    internal MonitorFeed Monitors { get; }

    private int _statsEpoch;
    /// <summary>Moves at CONFIG RESETSTAT: connection counters of an older epoch start over.</summary>
    internal int StatsEpoch => Volatile.Read(ref _statsEpoch);
    // The commandstats of closed connections (of this epoch), by the name INFO prints.
    private readonly Dictionary<string, CommandStat> _retired = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>> _errors = new(StringComparer.Ordinal);
    private long _errorReplies;

    // Settings read on every command, cached here: CONFIG SET refreshes them at once, and a timer every second.
    private long _slowlogSlowerThan = 10_000, _slowlogMaxLen = 128, _latencyThreshold;
    /// <summary>slowlog-log-slower-than in µs; negative: off.</summary>
    internal long SlowlogSlowerThan => Volatile.Read(ref _slowlogSlowerThan);
    internal long SlowlogMaxLen => Volatile.Read(ref _slowlogMaxLen);
    /// <summary>latency-monitor-threshold in ms; 0: off.</summary>
    internal long LatencyThreshold => Volatile.Read(ref _latencyThreshold);

    internal void RefreshSettings()
    {
        Volatile.Write(ref _slowlogSlowerThan, Setting("slowlog-log-slower-than", 10_000));
        Volatile.Write(ref _slowlogMaxLen, Setting("slowlog-max-len", 128));
        Volatile.Write(ref _latencyThreshold, Setting("latency-monitor-threshold", 0));
        Acl.PubSubAllChannels = Config.Get("acl-pubsub-default") == "allchannels"; // what new users start with
    }

    private long Setting(string name, long fallback) =>
        long.TryParse(Config.Get(name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : fallback;

    /// <summary>An error reply went out: INFO errorstats counts it by its first word.</summary>
    internal void CountError(Reply error)
    {
        Interlocked.Increment(ref _errorReplies);
        var bytes = error.Bytes ?? [];
        int space = Array.IndexOf(bytes, (byte)' ');
        string code = System.Text.Encoding.ASCII.GetString(bytes, 0, space < 0 ? bytes.Length : space);
        if (code.Length == 0) return;
        Interlocked.Increment(ref _errors.GetOrAdd(code, _ => new StrongBox<long>()).Value);
    }

    /// <summary>A connection closed: its commandstats stay in the node's totals.</summary>
    internal void Retire(ClientStats stats)
    {
        lock (_retired)
            if (stats.Epoch == StatsEpoch) stats.AddTo(_retired);
    }

    // Instantaneous metrics, as Redis's trackInstantaneousMetric: rates over the last 16 samples taken every 100 ms.
    private const int Samples = 16;
    private readonly double[] _opsRate = new double[Samples], _inRate = new double[Samples], _outRate = new double[Samples];
    private int _sample;
    private (long Time, long Ops, long In, long Out) _last;

    /// <summary>Takes one sample of the instantaneous metrics (every 100 ms).</summary>
    internal void SampleMetrics()
    {
        long now = Environment.TickCount64;
        var current = (now, TotalCommands, NetInputBytes, NetOutputBytes);
        if (_last.Time != 0 && now > _last.Time)
        {
            double seconds = (now - _last.Time) / 1000.0;
            int i = _sample++ % Samples;
            _opsRate[i] = Math.Max(0, current.TotalCommands - _last.Ops) / seconds;
            _inRate[i] = Math.Max(0, current.NetInputBytes - _last.In) / seconds;
            _outRate[i] = Math.Max(0, current.NetOutputBytes - _last.Out) / seconds;
        }
        _last = current;
    }

    /// <summary>This node's counters and commandstats (INFO asks every silo for this).</summary>
    public NodeReport Report()
    {
        var commands = new Dictionary<string, CommandStat>(StringComparer.Ordinal);
        lock (_retired)
            foreach (var (name, stat) in _retired)
            {
                var copy = new CommandStat();
                copy.Add(stat);
                commands[name] = copy;
            }
        int epoch = StatsEpoch, pubsub = 0;
        foreach (var (_, client) in Clients)
        {
            if (client.Stats.Epoch == epoch) client.Stats.AddTo(commands);
            if (client.Subscriber is { IsSubscribed: true }) pubsub++;
        }
        var report = new NodeReport
        {
            HasEndpoint = true,
            ConnectedClients = Clients.Count,
            BlockedClients = BlockedClients,
            PubSubClients = pubsub,
            TotalConnections = TotalConnections,
            RejectedConnections = RejectedConnections,
            TotalCommands = TotalCommands,
            NetInputBytes = NetInputBytes,
            NetOutputBytes = NetOutputBytes,
            OpsPerSecond = _opsRate.Average(),
            InputKbps = _inRate.Average() / 1024,
            OutputKbps = _outRate.Average() / 1024,
            TotalErrorReplies = Interlocked.Read(ref _errorReplies),
            AclDenied = (long[])_aclDenied.Clone(),
        };
        foreach (var (code, count) in _errors) report.Errors[code] = Interlocked.Read(ref count.Value);
        report.Commands = commands;
        return report;
    }

    /// <summary>CONFIG RESETSTAT (this node's counters), SLOWLOG RESET or LATENCY RESET.</summary>
    public void Reset(ResetScope scope, string[]? events)
    {
        switch (scope)
        {
            case ResetScope.Slowlog: Slowlog.Reset(); return;
            case ResetScope.Latency: Latency.Reset(events); return;
        }
        lock (_retired)
        {
            _retired.Clear();
            Interlocked.Increment(ref _statsEpoch);
        }
        _errors.Clear();
        Interlocked.Exchange(ref _errorReplies, 0);
        for (int i = 0; i < _aclDenied.Length; i++) Interlocked.Exchange(ref _aclDenied[i], 0);
        Interlocked.Exchange(ref _totalConnections, 0);
        Interlocked.Exchange(ref _rejectedConnections, 0);
        Interlocked.Exchange(ref _totalCommands, 0);
        Interlocked.Exchange(ref _netInput, 0);
        Interlocked.Exchange(ref _netOutput, 0);
        _last = default;
    }

    SlowlogEntry[] IServerNode.Slowlog() => Slowlog.Entries();

    LatencyEvent[] IServerNode.Latency() => Latency.Events();

    public void Monitor(string[] lines) => Monitors.Deliver(lines);

    public void WatchedBy(string silo, bool on, long sequence) => Monitors.WatchedBy(silo, on, sequence);
    internal void CountRejected() => Interlocked.Increment(ref _rejectedConnections);
    internal void CountCommands(int n) => Interlocked.Add(ref _totalCommands, n);
    internal void CountInput(long n) => Interlocked.Add(ref _netInput, n);
    internal void CountOutput(long n) => Interlocked.Add(ref _netOutput, n);
}
