using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

/// <summary>
/// The typed commands, written once over <see cref="SendAsync"/>: the cache sends each command at once,
/// a batch queues them. Each method builds the argv Redis would receive and reads the reply.
/// </summary>
internal abstract partial class CacheCommands : ICacheCommands
{
    /// <summary>Sends one command and turns its reply into the caller's type with <paramref name="read"/>.</summary>
    protected abstract Task<T> SendAsync<T>(byte[][] argv, Func<Reply, T> read, CancellationToken cancellationToken);

    /// <summary>What the typed commands do with an error reply: throw it as a <see cref="CacheException"/>.</summary>
    private static Reply Ok(Reply reply) => reply.IsError ? throw new CacheException(reply.Text!) : reply;

    private Task<Reply> Run(byte[][] argv, CancellationToken ct) => SendAsync(argv, static r => Ok(r), ct);
    private Task<long> Int(byte[][] argv, CancellationToken ct) => SendAsync(argv, static r => Ok(r).Integer, ct);
    private Task<bool> Bool(byte[][] argv, CancellationToken ct) => SendAsync(argv, static r => Ok(r).Integer != 0, ct);
    private Task<byte[]?> Bulk(byte[][] argv, CancellationToken ct) => SendAsync(argv, static r => Ok(r).Bytes, ct);

    protected static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
    protected static byte[] B(long n) => Args.FormatLong(n);

    private static readonly ConcurrentDictionary<string, byte[]> Words = new();

    /// <summary>A command name or keyword, encoded once and shared by every request (nothing writes to argv).</summary>
    protected static byte[] Word(string word) => Words.GetOrAdd(word, static w => Encoding.ASCII.GetBytes(w));

    private static byte[][] Argv(string command, params ReadOnlySpan<byte[]> args)
    {
        var argv = new byte[args.Length + 1][];
        argv[0] = Word(command);
        args.CopyTo(argv.AsSpan(1));
        return argv;
    }

    private static byte[][] KeysArgv(string command, IReadOnlyList<string> keys)
    {
        var argv = new byte[keys.Count + 1][];
        argv[0] = Word(command);
        for (int i = 0; i < keys.Count; i++) argv[i + 1] = B(keys[i]);
        return argv;
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken ct = default) => Bulk(Argv("GET", B(key)), ct);

    public async Task<string?> GetStringAsync(string key, CancellationToken ct = default) =>
        await GetAsync(key, ct).ConfigureAwait(false) is { } v ? Encoding.UTF8.GetString(v) : null;

    public Task<bool> SetAsync(string key, byte[] value, TimeSpan? expiry = null, When when = When.Always, bool keepTtl = false, CancellationToken ct = default)
    {
        var argv = expiry is null && !keepTtl && when == When.Always ? Argv("SET", B(key), value) : SetArgv(key, value, expiry, when, keepTtl);
        return SendAsync(argv, static r => Ok(r).Kind != ReplyKind.Null, ct);
    }

    private static byte[][] SetArgv(string key, byte[] value, TimeSpan? expiry, When when, bool keepTtl)
    {
        var argv = new List<byte[]>(6) { Word("SET"), B(key), value };
        if (expiry is { } ttl) { argv.Add(Word("PX")); argv.Add(B((long)ttl.TotalMilliseconds)); }
        if (keepTtl) argv.Add(Word("KEEPTTL"));
        if (when == When.NotExists) argv.Add(Word("NX"));
        else if (when == When.Exists) argv.Add(Word("XX"));
        return [.. argv];
    }

    public Task<bool> SetAsync(string key, string value, TimeSpan? expiry = null, When when = When.Always, bool keepTtl = false, CancellationToken ct = default) =>
        SetAsync(key, B(value), expiry, when, keepTtl, ct);

    public Task<byte[]?> GetSetAsync(string key, byte[] value, CancellationToken ct = default) => Bulk(Argv("GETSET", B(key), value), ct);
    public Task<byte[]?> GetDeleteAsync(string key, CancellationToken ct = default) => Bulk(Argv("GETDEL", B(key)), ct);

    public Task<byte[]?> GetWithExpiryAsync(string key, TimeSpan? expiry, bool persist = false, CancellationToken ct = default) =>
        Bulk(expiry is { } ttl ? Argv("GETEX", B(key), Word("PX"), B((long)ttl.TotalMilliseconds))
            : persist ? Argv("GETEX", B(key), Word("PERSIST")) : Argv("GETEX", B(key)), ct);

    public async Task<byte[]?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken ct = default) =>
        [.. (await Run(KeysArgv("MGET", keys), ct).ConfigureAwait(false)).Items!.Select(r => r.Bytes)];

    public Task SetManyAsync(IEnumerable<KeyValuePair<string, byte[]>> values, CancellationToken ct = default) =>
        Run(PairsArgv("MSET", values), ct);

    public Task<bool> SetManyIfNoneExistAsync(IEnumerable<KeyValuePair<string, byte[]>> values, CancellationToken ct = default) =>
        Bool(PairsArgv("MSETNX", values), ct);

    private static byte[][] PairsArgv(string command, IEnumerable<KeyValuePair<string, byte[]>> values)
    {
        var argv = new List<byte[]> { Word(command) };
        foreach (var (k, v) in values) { argv.Add(B(k)); argv.Add(v); }
        return [.. argv];
    }

    public Task<long> IncrementAsync(string key, long by = 1, CancellationToken ct = default) =>
        Int(by == 1 ? Argv("INCR", B(key)) : Argv("INCRBY", B(key), B(by)), ct);

    public Task<long> DecrementAsync(string key, long by = 1, CancellationToken ct = default) =>
        Int(by == 1 ? Argv("DECR", B(key)) : Argv("DECRBY", B(key), B(by)), ct);

    public async Task<double> IncrementAsync(string key, double by, CancellationToken ct = default)
    {
        var bytes = await Bulk(Argv("INCRBYFLOAT", B(key), B(Args.FormatDouble(by))), ct).ConfigureAwait(false);
        return double.Parse(Encoding.ASCII.GetString(bytes!), CultureInfo.InvariantCulture);
    }

    public Task<long> AppendAsync(string key, byte[] value, CancellationToken ct = default) => Int(Argv("APPEND", B(key), value), ct);
    public Task<long> StringLengthAsync(string key, CancellationToken ct = default) => Int(Argv("STRLEN", B(key)), ct);

    public async Task<byte[]> GetRangeAsync(string key, long start, long end, CancellationToken ct = default) =>
        await Bulk(Argv("GETRANGE", B(key), B(start), B(end)), ct).ConfigureAwait(false) ?? [];

    public Task<long> SetRangeAsync(string key, long offset, byte[] value, CancellationToken ct = default) =>
        Int(Argv("SETRANGE", B(key), B(offset), value), ct);

    public Task<long> DeleteAsync(IReadOnlyList<string> keys, CancellationToken ct = default) => Int(KeysArgv("DEL", keys), ct);
    public Task<bool> DeleteAsync(string key, CancellationToken ct = default) => Bool(Argv("DEL", B(key)), ct);
    public Task<long> ExistsAsync(IReadOnlyList<string> keys, CancellationToken ct = default) => Int(KeysArgv("EXISTS", keys), ct);
    public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => Bool(Argv("EXISTS", B(key)), ct);
    public Task<long> TouchAsync(IReadOnlyList<string> keys, CancellationToken ct = default) => Int(KeysArgv("TOUCH", keys), ct);

    public async Task<string> TypeAsync(string key, CancellationToken ct = default) =>
        (await Run(Argv("TYPE", B(key)), ct).ConfigureAwait(false)).Text!;

    public Task<bool> ExpireAsync(string key, TimeSpan ttl, ExpireWhen when = ExpireWhen.Always, CancellationToken ct = default) =>
        Bool(WithCondition(Argv("PEXPIRE", B(key), B((long)ttl.TotalMilliseconds)), when), ct);

    public Task<bool> ExpireAtAsync(string key, DateTimeOffset at, ExpireWhen when = ExpireWhen.Always, CancellationToken ct = default) =>
        Bool(WithCondition(Argv("PEXPIREAT", B(key), B(at.ToUnixTimeMilliseconds())), when), ct);

    private static byte[][] WithCondition(byte[][] argv, ExpireWhen when) => when switch
    {
        ExpireWhen.HasNoExpiry => [.. argv, Word("NX")],
        ExpireWhen.HasExpiry => [.. argv, Word("XX")],
        ExpireWhen.GreaterThanCurrent => [.. argv, Word("GT")],
        ExpireWhen.LessThanCurrent => [.. argv, Word("LT")],
        _ => argv,
    };

    public async Task<TimeSpan?> TimeToLiveAsync(string key, CancellationToken ct = default)
    {
        long ms = await Int(Argv("PTTL", B(key)), ct).ConfigureAwait(false);
        return ms < 0 ? null : TimeSpan.FromMilliseconds(ms);
    }

    public async Task<DateTimeOffset?> ExpireTimeAsync(string key, CancellationToken ct = default)
    {
        long ms = await Int(Argv("PEXPIRETIME", B(key)), ct).ConfigureAwait(false);
        return ms < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    public Task<bool> PersistAsync(string key, CancellationToken ct = default) => Bool(Argv("PERSIST", B(key)), ct);
    public Task RenameAsync(string key, string newKey, CancellationToken ct = default) => Run(Argv("RENAME", B(key), B(newKey)), ct);
    public Task<bool> RenameIfAbsentAsync(string key, string newKey, CancellationToken ct = default) => Bool(Argv("RENAMENX", B(key), B(newKey)), ct);

    public Task<bool> CopyAsync(string source, string destination, bool replace = false, CancellationToken ct = default) =>
        Bool(replace ? Argv("COPY", B(source), B(destination), Word("REPLACE")) : Argv("COPY", B(source), B(destination)), ct);

    public Task<Reply> ExecuteAsync(string command, params object[] args)
    {
        var argv = new byte[args.Length + 1][];
        argv[0] = B(command);
        for (int i = 0; i < args.Length; i++)
        {
            argv[i + 1] = args[i] switch
            {
                byte[] bytes => bytes,
                string s => B(s),
                long or int or short => B(Convert.ToInt64(args[i], CultureInfo.InvariantCulture)),
                double d => B(Args.FormatDouble(d)),
                var other => B(Convert.ToString(other, CultureInfo.InvariantCulture) ?? ""),
            };
        }
        return SendAsync(argv, static r => r, CancellationToken.None); // error replies are returned, not thrown
    }
}
