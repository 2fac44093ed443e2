using System.Globalization;
using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp;

/// <summary>
/// The live settings behind CONFIG GET / CONFIG SET. The ones the endpoint honours start from
/// <see cref="RespOptions"/> and take effect at once; the others are Redis settings stored so that tools
/// and clients that set them keep working, as other Redis-compatible servers do, but they change nothing.
/// </summary>
public sealed class RespConfig
{
    private readonly object _lock = new();
    private readonly Dictionary<string, string> _stored = new(StringComparer.OrdinalIgnoreCase)
    {
        ["save"] = "",
        ["appendonly"] = "no",
        ["appendfsync"] = "everysec",
        ["maxmemory"] = "0",
        ["maxmemory-policy"] = "noeviction",
        ["maxmemory-samples"] = "5",
        ["hz"] = "10",
        ["loglevel"] = "notice",
        ["slowlog-log-slower-than"] = "10000",
        ["slowlog-max-len"] = "128",
        ["latency-tracking"] = "yes",
        ["latency-monitor-threshold"] = "0",
        ["lazyfree-lazy-eviction"] = "no",
        ["lazyfree-lazy-expire"] = "no",
        ["lazyfree-lazy-user-del"] = "no",
        ["activedefrag"] = "no",
        ["tcp-keepalive"] = "300",
        ["list-max-listpack-size"] = "-2",
        ["hash-max-listpack-entries"] = "128",
        ["set-max-intset-entries"] = "512",
        ["zset-max-listpack-entries"] = "128",
        ["cluster-node-timeout"] = "15000",
    };

    // Settings that exist but can only be set at startup (redis.conf / RespOptions).
    private readonly Dictionary<string, string> _immutable = new(StringComparer.OrdinalIgnoreCase);

    public RespConfig(RespOptions options)
    {
        RequirePass = options.RequirePass ?? "";
        MaxClients = options.MaxClients;
        Timeout = options.Timeout;
        ProtoMaxBulkLen = options.ProtoMaxBulkLen;
        ClientQueryBufferLimit = options.ClientQueryBufferLimit;
        _immutable["port"] = options.Port.ToString(CultureInfo.InvariantCulture);
        _immutable["bind"] = options.Bind;
        _immutable["tls-port"] = options.Tls.Port.ToString(CultureInfo.InvariantCulture);
        _immutable["databases"] = "1";
        _immutable["cluster-enabled"] = options.ClusterMode ? "yes" : "no";
    }

    /// <summary>Called when CONFIG SET changes notify-keyspace-events, to push the flags to the partitions.</summary>
    public Func<KeyspaceEventFlags, Task>? KeyspaceEventsChanged { get; set; }

    private volatile string _notifyKeyspaceEvents = "";

    /// <summary>The push of the last notify-keyspace-events change; CONFIG SET answers once it is done.</summary>
    public Task? LastPush { get; private set; }
    private long[] _outputLimits = [0, 0, 0, 268435456, 67108864, 60, 33554432, 8388608, 60];
    private static readonly string[] ClientClasses = ["normal", "slave", "pubsub"];

    /// <summary>client-output-buffer-limit's pubsub class: hard bytes, soft bytes, soft seconds (0 = no limit).</summary>
    public (long Hard, long Soft, long Seconds) PubSubOutputLimit
    {
        get { var l = Volatile.Read(ref _outputLimits); return (l[6], l[7], l[8]); }
    }

    /// <summary>The notify-keyspace-events flags (as set here or configured).</summary>
    public KeyspaceEventFlags KeyspaceEventFlags =>
        KeyspaceEvents.TryParse(_notifyKeyspaceEvents, out var f) ? f : KeyspaceEventFlags.None;

    public volatile string RequirePass;
    public volatile int MaxClients;
    public volatile int Timeout;
    private long _protoMaxBulkLen;
    private long _clientQueryBufferLimit;
    public long ProtoMaxBulkLen { get => Volatile.Read(ref _protoMaxBulkLen); set => Volatile.Write(ref _protoMaxBulkLen, value); }
    public long ClientQueryBufferLimit { get => Volatile.Read(ref _clientQueryBufferLimit); set => Volatile.Write(ref _clientQueryBufferLimit, value); }

    public bool AuthRequired => RequirePass.Length > 0;

    /// <summary>Records the port a listener actually bound (port 0 picks one).</summary>
    internal void SetBoundPort(string name, int port)
    {
        lock (_lock) _immutable[name] = port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The value of one setting, or null if it is unknown.</summary>
    public string? Get(string name)
    {
        switch (name.ToLowerInvariant())
        {
            case "requirepass": return RequirePass;
            case "maxclients": return MaxClients.ToString(CultureInfo.InvariantCulture);
            case "timeout": return Timeout.ToString(CultureInfo.InvariantCulture);
            case "proto-max-bulk-len": return ProtoMaxBulkLen.ToString(CultureInfo.InvariantCulture);
            case "client-query-buffer-limit": return ClientQueryBufferLimit.ToString(CultureInfo.InvariantCulture);
            case "notify-keyspace-events": return _notifyKeyspaceEvents;
            case "client-output-buffer-limit": return FormatOutputLimits(Volatile.Read(ref _outputLimits));
        }
        lock (_lock)
            return _immutable.TryGetValue(name, out var v) ? v : _stored.TryGetValue(name, out v) ? v : null;
    }

    /// <summary>CONFIG GET: name/value pairs of every setting matching any of the glob patterns, each once.</summary>
    public Reply GetMatching(byte[][] argv, int first)
    {
        var names = new List<string> { "requirepass", "maxclients", "timeout", "proto-max-bulk-len", "client-query-buffer-limit", "notify-keyspace-events", "client-output-buffer-limit" };
        lock (_lock)
        {
            names.AddRange(_immutable.Keys);
            names.AddRange(_stored.Keys);
        }
        var pairs = new List<Reply>();
        var seen = new HashSet<string>();
        foreach (var name in names)
        {
            var nameBytes = Encoding.ASCII.GetBytes(name);
            for (int i = first; i < argv.Length; i++)
            {
                if (!Glob.IsMatch(LowerAscii(argv[i]), nameBytes) || !seen.Add(name)) continue;
                pairs.Add(Reply.Bulk(name));
                pairs.Add(Reply.Bulk(Get(name) ?? ""));
                break;
            }
        }
        return Reply.Map([.. pairs]);
    }

    /// <summary>CONFIG SET name value [name value …]: all are checked before any is applied, as Redis does.</summary>
    public Reply Set(byte[][] argv)
    {
        if (argv.Length < 4 || argv.Length % 2 != 0) return Errors.WrongArity("config|set");
        var changes = new List<(string Name, string Value)>();
        for (int i = 2; i < argv.Length; i += 2)
        {
            string name = Args.Text(argv[i]).ToLowerInvariant();
            string value = Args.Text(argv[i + 1]);
            var error = Validate(name, value);
            if (error is not null) return error;
            changes.Add((name, value));
        }
        foreach (var (name, value) in changes) Apply(name, value);
        return Reply.Ok;
    }

    private Reply? Validate(string name, string value)
    {
        switch (name)
        {
            case "requirepass": return null;
            case "maxclients":
            case "timeout":
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && (name != "maxclients" || n >= 1)
                    ? null : Failed(name, "argument couldn't be parsed into an integer");
            case "proto-max-bulk-len":
            case "client-query-buffer-limit":
                return TryMemory(value, out long bytes) && bytes >= 1024 * 1024
                    ? null : Failed(name, "argument must be a memory value of at least 1mb");
            case "notify-keyspace-events":
                return KeyspaceEvents.TryParse(value, out _) ? null : Failed(name, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
            case "client-output-buffer-limit":
                return ParseOutputLimits(value, Volatile.Read(ref _outputLimits), out _) is { } why ? Failed(name, why) : null;
        }
        lock (_lock)
        {
            if (_immutable.ContainsKey(name)) return Failed(name, "can't set immutable config");
            if (!_stored.ContainsKey(name)) return Reply.Error($"ERR Unknown option or number of arguments for CONFIG SET - '{name}'");
        }
        return null;
    }

    private void Apply(string name, string value)
    {
        switch (name)
        {
            case "requirepass": RequirePass = value; return;
            case "maxclients": MaxClients = int.Parse(value, CultureInfo.InvariantCulture); return;
            case "timeout": Timeout = int.Parse(value, CultureInfo.InvariantCulture); return;
            case "proto-max-bulk-len": TryMemory(value, out long b); ProtoMaxBulkLen = b; return;
            case "client-query-buffer-limit": TryMemory(value, out long q); ClientQueryBufferLimit = q; return;
            case "notify-keyspace-events":
                KeyspaceEvents.TryParse(value, out var flags);
                _notifyKeyspaceEvents = KeyspaceEvents.Format(flags);
                LastPush = KeyspaceEventsChanged?.Invoke(flags);
                return;
            case "client-output-buffer-limit":
                ParseOutputLimits(value, Volatile.Read(ref _outputLimits), out var limits);
                Volatile.Write(ref _outputLimits, limits);
                return;
        }
        lock (_lock) _stored[name] = value;
    }

    /// <summary>Sets notify-keyspace-events at startup (from configuration), without pushing it anywhere.</summary>
    public void InitKeyspaceEvents(string value)
    {
        if (KeyspaceEvents.TryParse(value, out var flags)) _notifyKeyspaceEvents = KeyspaceEvents.Format(flags);
    }

    /// <summary>Redis's client-output-buffer-limit syntax: groups of "class hard soft seconds"; null when valid.</summary>
    private static string? ParseOutputLimits(string value, long[] current, out long[] limits)
    {
        limits = (long[])current.Clone();
        var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
        for (int i = 0; i < words.Length; i += 4)
        {
            string cls = words[i].ToLowerInvariant() == "replica" ? "slave" : words[i].ToLowerInvariant();
            int index = Array.IndexOf(ClientClasses, cls);
            if (index < 0) return "Invalid client class specified in buffer limit configuration.";
            if (!TryMemory(words[i + 1], out long hard) || !TryMemory(words[i + 2], out long soft)
                || !long.TryParse(words[i + 3], NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            limits[index * 3] = hard;
            limits[index * 3 + 1] = soft;
            limits[index * 3 + 2] = seconds;
        }
        return null;
    }

    private static string FormatOutputLimits(long[] l) =>
        string.Create(CultureInfo.InvariantCulture, $"normal {l[0]} {l[1]} {l[2]} slave {l[3]} {l[4]} {l[5]} pubsub {l[6]} {l[7]} {l[8]}");

    private static Reply Failed(string name, string why) =>
        Reply.Error($"ERR CONFIG SET failed (possibly related to argument '{name}') - {why}");

    /// <summary>Redis memory values: a number with an optional k/kb/m/mb/g/gb suffix.</summary>
    public static bool TryMemory(string text, out long bytes)
    {
        bytes = 0;
        var s = text.ToLowerInvariant();
        long unit = 1;
        foreach (var (suffix, factor) in Units)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal)) { unit = factor; s = s[..^suffix.Length]; break; }
        }
        if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long n)) return false;
        bytes = n * unit;
        return true;
    }

    private static readonly (string, long)[] Units =
    [
        ("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024L * 1024 * 1024),
        ("k", 1000), ("m", 1000 * 1000), ("g", 1000L * 1000 * 1000), ("b", 1),
    ];

    private static byte[] LowerAscii(byte[] pattern)
    {
        var lower = new byte[pattern.Length];
        for (int i = 0; i < pattern.Length; i++) lower[i] = pattern[i] is >= (byte)'A' and <= (byte)'Z' ? (byte)(pattern[i] | 0x20) : pattern[i];
        return lower;
    }
}
