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
        ["notify-keyspace-events"] = "",
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
        ["client-output-buffer-limit"] = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
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
        }
        lock (_lock)
            return _immutable.TryGetValue(name, out var v) ? v : _stored.TryGetValue(name, out v) ? v : null;
    }

    /// <summary>CONFIG GET: name/value pairs of every setting matching any of the glob patterns, each once.</summary>
    public Reply GetMatching(byte[][] argv, int first)
    {
        var names = new List<string> { "requirepass", "maxclients", "timeout", "proto-max-bulk-len", "client-query-buffer-limit" };
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
        }
        lock (_lock) _stored[name] = value;
    }

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
