using System.Globalization;
using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Client;

internal abstract partial class CacheCommands
{
    private static string Str(Reply r) => r.Kind == ReplyKind.Double ? Args.FormatScore(r.Double) : Encoding.UTF8.GetString(r.Bytes!);
    private static double Score(Reply r) => r.Kind == ReplyKind.Double ? r.Double : double.Parse(Str(r), CultureInfo.InvariantCulture);
    private static byte[][] KeyThen(string command, string key, IEnumerable<string> args) => [B(command), B(key), .. args.Select(B)];

    public Task<long> HashSetAsync(string key, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken ct = default) =>
        Int(KeyThen("HSET", key, fields.SelectMany(f => new[] { f.Key, f.Value })), ct);

    public async Task<string?> HashGetAsync(string key, string field, CancellationToken ct = default) =>
        await Bulk(Argv("HGET", B(key), B(field)), ct).ConfigureAwait(false) is { } v ? Encoding.UTF8.GetString(v) : null;

    public async Task<Dictionary<string, string>> HashGetAllAsync(string key, CancellationToken ct = default)
    {
        var items = (await Run(Argv("HGETALL", B(key)), ct).ConfigureAwait(false)).Items!;
        var result = new Dictionary<string, string>(items.Length / 2);
        for (int i = 0; i + 1 < items.Length; i += 2) result[Str(items[i])] = Str(items[i + 1]);
        return result;
    }

    public Task<long> HashDeleteAsync(string key, IReadOnlyList<string> fields, CancellationToken ct = default) => Int(KeyThen("HDEL", key, fields), ct);

    public Task<long> HashIncrementAsync(string key, string field, long by = 1, CancellationToken ct = default) =>
        Int(Argv("HINCRBY", B(key), B(field), B(by)), ct);

    public Task<long> ListPushAsync(string key, IReadOnlyList<string> values, bool left = false, CancellationToken ct = default) =>
        Int(KeyThen(left ? "LPUSH" : "RPUSH", key, values), ct);

    public async Task<string?> ListPopAsync(string key, bool left = true, CancellationToken ct = default) =>
        await Bulk(Argv(left ? "LPOP" : "RPOP", B(key)), ct).ConfigureAwait(false) is { } v ? Encoding.UTF8.GetString(v) : null;

    public async Task<string?> ListBlockingPopAsync(string key, TimeSpan? timeout, bool left = true, CancellationToken ct = default)
    {
        var seconds = timeout is { } t ? Args.FormatDouble(Math.Max(t.TotalSeconds, 0.001)) : "0";
        var reply = await Run(Argv(left ? "BLPOP" : "BRPOP", B(key), B(seconds)), ct).ConfigureAwait(false);
        return reply.Items is { Length: 2 } items ? Str(items[1]) : null;
    }

    public async Task<string[]> ListRangeAsync(string key, long start = 0, long stop = -1, CancellationToken ct = default) =>
        [.. (await Run(Argv("LRANGE", B(key), B(start), B(stop)), ct).ConfigureAwait(false)).Items!.Select(Str)];

    public Task<long> ListLengthAsync(string key, CancellationToken ct = default) => Int(Argv("LLEN", B(key)), ct);

    public Task<long> SetAddAsync(string key, IReadOnlyList<string> members, CancellationToken ct = default) => Int(KeyThen("SADD", key, members), ct);
    public Task<long> SetRemoveAsync(string key, IReadOnlyList<string> members, CancellationToken ct = default) => Int(KeyThen("SREM", key, members), ct);
    public Task<bool> SetContainsAsync(string key, string member, CancellationToken ct = default) => Bool(Argv("SISMEMBER", B(key), B(member)), ct);

    public async Task<string[]> SetMembersAsync(string key, CancellationToken ct = default) =>
        [.. (await Run(Argv("SMEMBERS", B(key)), ct).ConfigureAwait(false)).Items!.Select(Str)];

    public Task<long> SortedSetAddAsync(string key, IEnumerable<ScoredMember> members, CancellationToken ct = default) =>
        Int(KeyThen("ZADD", key, members.SelectMany(m => new[] { Args.FormatDouble(m.Score), m.Member })), ct);

    public async Task<double> SortedSetIncrementAsync(string key, string member, double by, CancellationToken ct = default) =>
        Score(await Run(Argv("ZINCRBY", B(key), B(Args.FormatDouble(by)), B(member)), ct).ConfigureAwait(false));

    public async Task<double?> SortedSetScoreAsync(string key, string member, CancellationToken ct = default)
    {
        var reply = await Run(Argv("ZSCORE", B(key), B(member)), ct).ConfigureAwait(false);
        return reply.Kind == ReplyKind.Null ? null : Score(reply);
    }

    public async Task<long?> SortedSetRankAsync(string key, string member, bool descending = false, CancellationToken ct = default)
    {
        var reply = await Run(Argv(descending ? "ZREVRANK" : "ZRANK", B(key), B(member)), ct).ConfigureAwait(false);
        return reply.Kind == ReplyKind.Integer ? reply.Integer : null;
    }

    public async Task<ScoredMember[]> SortedSetRangeAsync(string key, long start, long stop, bool descending = false, CancellationToken ct = default)
    {
        var argv = descending
            ? Argv("ZRANGE", B(key), B(start), B(stop), Word("REV"), Word("WITHSCORES"))
            : Argv("ZRANGE", B(key), B(start), B(stop), Word("WITHSCORES"));
        var items = (await Run(argv, ct).ConfigureAwait(false)).Items!;
        var result = new ScoredMember[items.Length / 2];
        for (int i = 0; i < result.Length; i++) result[i] = new ScoredMember(Str(items[2 * i]), Score(items[2 * i + 1]));
        return result;
    }
}
