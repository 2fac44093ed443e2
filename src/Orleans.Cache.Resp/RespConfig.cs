using System.Globalization;
using Orleans.Cache.Core;
using Orleans.Cache.Core.Config;

namespace Orleans.Cache.Resp;

/// <summary>
/// The live settings behind CONFIG GET / SET / REWRITE: every parameter of Redis 7.2 (<see cref="ConfigTable"/>), checked
/// with Redis's error texts. The ones the endpoint honours start from <see cref="RespOptions"/> (then the config file, when
/// the silo was started with one) and take effect at once; those that act in partitions (notify-keyspace-events, the
/// encoding thresholds, busy-reply-threshold) are pushed to every partition of the cluster before CONFIG SET answers.
/// The others are stored and returned, as other Redis-compatible servers do, and change nothing.
/// </summary>
internal sealed class RespConfig
{
    private readonly ServerConfig _config = new();
    private readonly Lock _setting = new();

    public RespConfig(RespOptions options)
    {
        // Redis rebinds on CONFIG SET port / bind / tls-port; the listeners here are bound once, at start.
        _config.FixedHere.UnionWith(["port", "bind", "tls-port"]);
        _config.Init("requirepass", options.RequirePass ?? "");
        _config.Init("maxclients", options.MaxClients.ToString(CultureInfo.InvariantCulture));
        _config.Init("timeout", options.Timeout.ToString(CultureInfo.InvariantCulture));
        _config.Init("proto-max-bulk-len", options.ProtoMaxBulkLen.ToString(CultureInfo.InvariantCulture));
        _config.Init("client-query-buffer-limit", options.ClientQueryBufferLimit.ToString(CultureInfo.InvariantCulture));
        _config.Init("port", options.Port.ToString(CultureInfo.InvariantCulture));
        _config.Init("bind", string.Join(' ', options.Bind.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries)));
        _config.Init("tls-port", Math.Max(0, options.Tls.Port).ToString(CultureInfo.InvariantCulture));
        _config.TryInit("enable-debug-command", options.EnableDebugCommand, out _);
        _config.TryInit("protected-mode", options.ProtectedMode, out _);
        _config.Init("save", "");
        _config.Init("dir", Directory.GetCurrentDirectory());
        if (options.MaxMemoryPercent != 0)
            _config.Init("maxmemory", MaxMemoryOf(options.MaxMemoryPercent, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes).ToString(CultureInfo.InvariantCulture));
        PinSiloFacts(options);
        Refresh();
    }

    /// <summary>What this silo is, whatever a config file says: one database, cluster mode as configured.</summary>
    private void PinSiloFacts(RespOptions options)
    {
        _config.Init("databases", "1");
        _config.Init("cluster-enabled", options.ClusterMode ? "yes" : "no");
    }

    /// <summary>Every parameter's value (for tests and tools that need the typed table).</summary>
    public ServerConfig Parameters => _config;

    /// <summary>The redis.conf-format file the silo was started with, which CONFIG REWRITE writes back to; null without one.</summary>
    public string? ConfigFile { get; private set; }

    /// <summary>Called when CONFIG SET changes notify-keyspace-events, to push the flags to the partitions.</summary>
    public Func<KeyspaceEventFlags, Task>? KeyspaceEventsChanged { get; set; }

    /// <summary>Called when CONFIG SET changes an encoding threshold or busy-reply-threshold, to push them to the partitions.</summary>
    public Func<PartitionSettings, Task>? PartitionSettingsChanged { get; set; }

    /// <summary>The push of the last change that acts in partitions; CONFIG SET answers once it is done.</summary>
    public Task? LastPush { get; private set; }

    private long[] _outputLimits = new long[9];

    /// <summary>client-output-buffer-limit's pubsub class: hard bytes, soft bytes, soft seconds (0 = no limit).</summary>
    public (long Hard, long Soft, long Seconds) PubSubOutputLimit => OutputLimit(2);

    /// <summary>client-output-buffer-limit's normal class (unlimited by default, as in Redis).</summary>
    public (long Hard, long Soft, long Seconds) NormalOutputLimit => OutputLimit(0);

    /// <summary>
    /// The limits of class <paramref name="index"/> in <see cref="SpecialConfigs.ClientClasses"/> order (normal, replica,
    /// pubsub). No RESP connection is ever a replica here (replicas are fed by Orleans streams), so the replica class is
    /// kept and shown for CONFIG but has no client to apply to.
    /// </summary>
    public (long Hard, long Soft, long Seconds) OutputLimit(int index)
    {
        var l = Volatile.Read(ref _outputLimits);
        return (l[index * 3], l[index * 3 + 1], l[index * 3 + 2]);
    }

    /// <summary>The notify-keyspace-events flags (as set here or configured).</summary>
    public KeyspaceEventFlags KeyspaceEventFlags =>
        KeyspaceEvents.TryParse(_config.Get("notify-keyspace-events") ?? "", out var f) ? f : KeyspaceEventFlags.None;

    /// <summary>The encoding thresholds and busy-reply-threshold as this silo has them.</summary>
    public PartitionSettings PartitionSettings => PartitionSettings.From(_config.Get);

    public volatile string RequirePass = "";
    public volatile int MaxClients;
    public volatile int Timeout;
    private long _protoMaxBulkLen;
    private long _clientQueryBufferLimit;
    public long ProtoMaxBulkLen { get => Volatile.Read(ref _protoMaxBulkLen); set => Volatile.Write(ref _protoMaxBulkLen, value); }
    public long ClientQueryBufferLimit { get => Volatile.Read(ref _clientQueryBufferLimit); set => Volatile.Write(ref _clientQueryBufferLimit, value); }

    public bool AuthRequired => RequirePass.Length > 0;

    /// <summary>Records the port a listener actually bound (port 0 picks one).</summary>
    internal void SetBoundPort(string name, int port) => _config.Init(name, port.ToString(CultureInfo.InvariantCulture));

    /// <summary>The value of one setting (a name or alias), or null if it is unknown.</summary>
    public string? Get(string name) => _config.Get(name);

    /// <summary>
    /// Redis's protected mode: while <c>protected-mode</c> is yes and the default user has no password, only loopback
    /// clients may connect; this one, from <paramref name="remote"/>, must get <see cref="ProtectedModeDenied"/> and be closed.
    /// </summary>
    public bool DeniedByProtectedMode(System.Net.EndPoint? remote) =>
        !AuthRequired && PasswordElsewhere?.Invoke() != true && Get("protected-mode") == "yes" && !IsLoopback(remote);

    /// <summary>Some ACL user has a password (set by the node): protected mode then lets other hosts in, as with requirepass.</summary>
    public Func<bool>? PasswordElsewhere { get; set; }

    /// <summary>Called when CONFIG SET changes requirepass: the default user's password, cluster-wide.</summary>
    public Func<string, Task>? RequirePassChanged { get; set; }

    /// <summary>Loopback addresses (127.0.0.0/8, ::1, v4-mapped ones); a non-IP endpoint (a Unix socket) counts as local.</summary>
    public static bool IsLoopback(System.Net.EndPoint? remote) => remote switch
    {
        System.Net.IPEndPoint ip => System.Net.IPAddress.IsLoopback(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address),
        _ => true,
    };

    /// <summary>redis-server 7's reply to a connection refused by protected mode (its text, "Setup a an" included).</summary>
    public static readonly byte[] ProtectedModeDenied = System.Text.Encoding.ASCII.GetBytes(
        "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. " +
        "In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis " +
        "you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' " +
        "from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not " +
        "publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just " +
        "disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then " +
        "restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
        "4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the " +
        "server to start accepting connections from the outside.\r\n");

    /// <summary>CONFIG GET: name/value pairs of every setting matching any of the patterns, each once.</summary>
    public Reply GetMatching(byte[][] argv, int first)
    {
        var patterns = new List<string>();
        for (int i = first; i < argv.Length; i++) patterns.Add(Args.Text(argv[i]));
        var pairs = new List<Reply>();
        foreach (var (name, value) in _config.Match(patterns))
        {
            pairs.Add(Reply.Bulk(name));
            pairs.Add(Reply.Bulk(value));
        }
        return Reply.Map([.. pairs]);
    }

    /// <summary>CONFIG SET name value [name value …]: all are checked before any is applied, as Redis does.</summary>
    public Reply Set(byte[][] argv)
    {
        if (argv.Length < 4 || argv.Length % 2 != 0) return Errors.WrongArity("config|set");
        var pairs = new List<(string, string)>();
        for (int i = 2; i < argv.Length; i += 2) pairs.Add((Args.Text(argv[i]), Args.Text(argv[i + 1])));
        lock (_setting)
        {
            var (error, applied) = _config.Set(pairs);
            if (error is not null) return Reply.Error(error);
            var pushes = new List<Task>();
            bool partitions = false;
            foreach (var p in applied)
            {
                if (p.Name == "notify-keyspace-events" && KeyspaceEventsChanged?.Invoke(KeyspaceEventFlags) is { } events) pushes.Add(events);
                partitions |= Array.IndexOf(PartitionSettings.Parameters, p.Name) >= 0;
            }
            if (partitions && PartitionSettingsChanged?.Invoke(PartitionSettings) is { } push) pushes.Add(push);
            Refresh();
            if (applied.Any(p => p.Name == "requirepass") && RequirePassChanged?.Invoke(RequirePass) is { } password) pushes.Add(password);
            LastPush = pushes.Count switch { 0 => null, 1 => pushes[0], _ => Task.WhenAll(pushes) };
        }
        return Reply.Ok;
    }

    /// <summary>maxmemory for <see cref="RespOptions.MaxMemoryPercent"/>: that share of <paramref name="available"/> bytes.</summary>
    public static long MaxMemoryOf(int percent, long available)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        return (long)((Int128)available * percent / 100);
    }

    /// <summary>Sets notify-keyspace-events at startup (from configuration), without pushing it anywhere.</summary>
    public void InitKeyspaceEvents(string value) => _config.TryInit("notify-keyspace-events", value, out _);

    /// <summary>Sets a parameter at startup (from typed options), without pushing it anywhere.</summary>
    public void Init(string name, string value)
    {
        _config.Init(name, value);
        Refresh();
    }

    /// <summary>
    /// Reads a redis.conf-format file at start: every parameter it sets (port and bind included: the listeners are
    /// bound after this), which CONFIG REWRITE later writes back to. Directives that are not parameters are returned.
    /// Throws <see cref="FormatException"/> on a value redis-server would refuse to start with.
    /// </summary>
    public List<string> LoadFile(string path, RespOptions options)
    {
        var skipped = new List<string>();
        ConfigFile = Path.GetFullPath(path);
        Core.Config.ConfigFile.Apply(_config, File.ReadAllLines(ConfigFile), skipped);
        PinSiloFacts(options);
        Refresh();
        return skipped;
    }

    /// <summary>CONFIG REWRITE: the current values written back to the file the silo was started with.</summary>
    public Reply Rewrite()
    {
        if (ConfigFile is not { } path) return Reply.Error("ERR The server is running without a config file");
        try
        {
            lock (_setting)
            {
                var lines = File.Exists(path) ? File.ReadAllLines(path) : [];
                var rewritten = Core.Config.ConfigFile.Rewrite(lines, _config.Snapshot());
                var temp = path + ".tmp-" + Environment.ProcessId;
                File.WriteAllLines(temp, rewritten);
                File.Move(temp, path, overwrite: true);
            }
            return Reply.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Reply.Error("ERR Rewriting config file: " + e.Message);
        }
    }

    /// <summary>Copies the values the endpoint reads on its hot paths into typed fields.</summary>
    private void Refresh()
    {
        RequirePass = _config.Get("requirepass") ?? "";
        MaxClients = (int)Math.Min(int.MaxValue, long.Parse(_config.Get("maxclients")!, CultureInfo.InvariantCulture));
        Timeout = int.Parse(_config.Get("timeout")!, CultureInfo.InvariantCulture);
        ProtoMaxBulkLen = long.Parse(_config.Get("proto-max-bulk-len")!, CultureInfo.InvariantCulture);
        ClientQueryBufferLimit = long.Parse(_config.Get("client-query-buffer-limit")!, CultureInfo.InvariantCulture);
        Volatile.Write(ref _outputLimits, SpecialConfigs.OutputLimits(_config.Get("client-output-buffer-limit")!));
    }
}
