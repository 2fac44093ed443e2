using System.Text;

namespace Orleans.Cache.Core;

/// <summary>The kinds of reply a command produces; RESP2 and RESP3 writers map each to their own encoding.</summary>
public enum ReplyKind : byte
{
    /// <summary>A status line such as <c>OK</c>: <c>+</c>.</summary>
    SimpleString,
    /// <summary>An error with its code, e.g. <c>ERR syntax error</c>: <c>-</c>.</summary>
    Error,
    /// <summary>A 64-bit integer (<see cref="Reply.Integer"/>): <c>:</c>.</summary>
    Integer,
    /// <summary>A binary-safe string (<see cref="Reply.Bytes"/>): <c>$</c>.</summary>
    Bulk,
    /// <summary>A missing value: <c>$-1</c> in RESP2, <c>_</c> in RESP3.</summary>
    Null,
    /// <summary>An ordered list of replies (<see cref="Reply.Items"/>): <c>*</c>.</summary>
    Array,
    /// <summary>A missing aggregate: <c>*-1</c> in RESP2, <c>_</c> in RESP3.</summary>
    NullArray,
    /// <summary>A floating-point number (<see cref="Reply.Double"/>): <c>,</c> in RESP3, a bulk string in RESP2.</summary>
    Double,
    /// <summary>Key/value pairs (Items alternate key, value): a flat array in RESP2, <c>%</c> in RESP3.</summary>
    Map,
    /// <summary>An unordered collection: an array in RESP2, <c>~</c> in RESP3.</summary>
    Set,
    /// <summary>True or false (<see cref="Reply.Integer"/> 1 or 0): <c>#</c> in RESP3, an integer in RESP2.</summary>
    Boolean,
    /// <summary>
    /// Element/value pairs (Items alternate element, value), as WITHSCORES and WITHVALUES answer:
    /// a flat array in RESP2, an array of two-element arrays in RESP3.
    /// </summary>
    Pairs,
    /// <summary>Out-of-band data (pub/sub messages and confirmations): <c>&gt;</c> in RESP3, an array in RESP2.</summary>
    Push,
    /// <summary>Text for people (LOLWUT, MEMORY DOCTOR): a verbatim string of format <c>txt</c> in RESP3, a bulk string in RESP2.</summary>
    Verbatim,
}

/// <summary>
/// One command's reply. Immutable once built, so a reply can be shared between callers and cached
/// (the common ones are static) and crosses grain boundaries without a deep copy.
/// </summary>
public sealed class Reply
{
    /// <summary>What kind of reply this is, which says which of the other properties holds its value.</summary>
    public ReplyKind Kind { get; }
    /// <summary>The value of an <see cref="ReplyKind.Integer"/> reply, 1 or 0 for a <see cref="ReplyKind.Boolean"/>.</summary>
    public long Integer { get; }
    /// <summary>The value of a <see cref="ReplyKind.Double"/> reply.</summary>
    public double Double { get; }
    /// <summary>Bulk payload, simple-string text, or error text (UTF-8, with its <c>ERR</c>-style prefix).</summary>
    public byte[]? Bytes { get; }
    /// <summary>The elements of an aggregate reply (array, map, set, pairs, push).</summary>
    public Reply[]? Items { get; }

    /// <summary>A reply of <paramref name="kind"/> with its value in the matching argument.</summary>
    public Reply(ReplyKind kind, long integer = 0, double dbl = 0, byte[]? bytes = null, Reply[]? items = null)
    {
        Kind = kind; Integer = integer; Double = dbl; Bytes = bytes; Items = items;
    }

    /// <summary><c>+OK</c>.</summary>
    public static readonly Reply Ok = Simple("OK");
    /// <summary><c>+PONG</c>.</summary>
    public static readonly Reply Pong = Simple("PONG");
    /// <summary><c>+QUEUED</c>, a command queued inside MULTI.</summary>
    public static readonly Reply Queued = Simple("QUEUED");
    /// <summary>A missing value (<see cref="ReplyKind.Null"/>).</summary>
    public static readonly Reply Nil = new(ReplyKind.Null);
    /// <summary>A missing aggregate (<see cref="ReplyKind.NullArray"/>), as EXEC answers when a watched key changed.</summary>
    public static readonly Reply NilArray = new(ReplyKind.NullArray);
    /// <summary>An array with no elements.</summary>
    public static readonly Reply EmptyArray = new(ReplyKind.Array, items: []);
    /// <summary>A bulk string of no bytes.</summary>
    public static readonly Reply EmptyBulk = new(ReplyKind.Bulk, bytes: []);
    /// <summary>The boolean true.</summary>
    public static readonly Reply True = new(ReplyKind.Boolean, 1);
    /// <summary>The boolean false.</summary>
    public static readonly Reply False = new(ReplyKind.Boolean, 0);

    private static readonly Reply[] SmallIntegers = CreateSmallIntegers();
    private static Reply[] CreateSmallIntegers()
    {
        var r = new Reply[1026];
        for (int i = 0; i < r.Length; i++) r[i] = new Reply(ReplyKind.Integer, i - 2);
        return r;
    }

    /// <summary>An integer reply (small ones are shared instances).</summary>
    public static Reply Int(long value) =>
        value >= -2 && value < 1024 ? SmallIntegers[value + 2] : new Reply(ReplyKind.Integer, value);

    /// <summary>A simple string (status) reply.</summary>
    public static Reply Simple(string text) => new(ReplyKind.SimpleString, bytes: Encoding.UTF8.GetBytes(text));

    /// <summary>An error reply; <paramref name="text"/> includes the code, e.g. "ERR syntax error".</summary>
    public static Reply Error(string text) => new(ReplyKind.Error, bytes: Encoding.UTF8.GetBytes(text));

    /// <summary>A bulk string, or <see cref="Nil"/> for null.</summary>
    public static Reply Bulk(byte[]? value) => value is null ? Nil : new Reply(ReplyKind.Bulk, bytes: value);
    /// <summary>A bulk string of <paramref name="value"/>'s UTF-8 bytes.</summary>
    public static Reply Bulk(string value) => new(ReplyKind.Bulk, bytes: Encoding.UTF8.GetBytes(value));
    /// <summary>A verbatim <c>txt</c> string in RESP3, a bulk string in RESP2.</summary>
    public static Reply Verbatim(string text) => new(ReplyKind.Verbatim, bytes: Encoding.UTF8.GetBytes(text));
    /// <summary>A double reply.</summary>
    public static Reply Dbl(double value) => new(ReplyKind.Double, dbl: value);
    /// <summary>An array of <paramref name="items"/>.</summary>
    public static Reply Array(Reply[] items) => items.Length == 0 ? EmptyArray : new Reply(ReplyKind.Array, items: items);
    /// <summary>A map; <paramref name="keyValues"/> alternate key, value.</summary>
    public static Reply Map(Reply[] keyValues) => new(ReplyKind.Map, items: keyValues);
    /// <summary>An unordered set of <paramref name="items"/>.</summary>
    public static Reply Set(Reply[] items) => new(ReplyKind.Set, items: items);
    /// <summary>Element/value pairs (alternating in <paramref name="elementValues"/>); see <see cref="ReplyKind.Pairs"/>.</summary>
    public static Reply Pairs(Reply[] elementValues) => new(ReplyKind.Pairs, items: elementValues);

    /// <summary>An out-of-band push of <paramref name="items"/> (a pub/sub message, an invalidation).</summary>
    public static Reply Push(Reply[] items) => new(ReplyKind.Push, items: items);

    /// <summary>Whether this is an error reply.</summary>
    public bool IsError => Kind == ReplyKind.Error;

    /// <summary>The bytes as UTF-8 text, for errors, simple strings and logs.</summary>
    public string? Text => Bytes is null ? null : Encoding.UTF8.GetString(Bytes);

    /// <summary>The kind and value, for tests and logs, e.g. <c>Integer:3</c>.</summary>
    public override string ToString() => Kind switch
    {
        ReplyKind.Integer or ReplyKind.Boolean => $"{Kind}:{Integer}",
        ReplyKind.Double => $"Double:{Double}",
        ReplyKind.Array or ReplyKind.Map or ReplyKind.Set or ReplyKind.Pairs or ReplyKind.Push => $"{Kind}[{string.Join(", ", Items!.Select(i => i.ToString()))}]",
        ReplyKind.Null or ReplyKind.NullArray => Kind.ToString(),
        _ => $"{Kind}:{Text}",
    };
}

/// <summary>Redis's error texts, in one place so that every command answers with the same words.</summary>
internal static class Errors
{
    public static readonly Reply Syntax = Reply.Error("ERR syntax error");
    public static readonly Reply NotInteger = Reply.Error("ERR value is not an integer or out of range");
    public static readonly Reply NotFloat = Reply.Error("ERR value is not a valid float");
    public static readonly Reply WrongType = Reply.Error("WRONGTYPE Operation against a key holding the wrong kind of value");
    public static readonly Reply NoSuchKey = Reply.Error("ERR no such key");
    public static readonly Reply Overflow = Reply.Error("ERR increment or decrement would overflow");
    public static readonly Reply NanOrInfinity = Reply.Error("ERR increment would produce NaN or Infinity");
    public static readonly Reply CrossSlot = Reply.Error("CROSSSLOT Keys in request don't hash to the same slot");
    public static readonly Reply StringTooLong = Reply.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    public static readonly Reply OffsetOutOfRange = Reply.Error("ERR offset is out of range");
    public static readonly Reply InvalidCursor = Reply.Error("ERR invalid cursor");
    public static readonly Reply DecrementOverflow = Reply.Error("ERR decrement would overflow");
    public static readonly Reply ExpireNxConflict = Reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
    public static readonly Reply ExpireGtLtConflict = Reply.Error("ERR GT and LT options at the same time are not compatible");
    public static readonly Reply SameObject = Reply.Error("ERR source and destination objects are the same");
    public static readonly Reply DbIndexOutOfRange = Reply.Error("ERR DB index is out of range");
    /// <summary>Writes refused while the last background save failed (stop-writes-on-bgsave-error yes, save rules set).</summary>
    public static readonly Reply MisconfSave = Reply.Error("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
        "Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB " +
        "snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.");
    /// <summary>Writes refused while fewer than min-replicas-to-write replicas are good (caught up, or acknowledged within min-replicas-max-lag).</summary>
    public static readonly Reply NoReplicas = Reply.Error("NOREPLICAS Not enough good replicas to write.");
    /// <summary>A denyoom command while the silo is over maxmemory and nothing could be evicted (Redis's shared.oomerr).</summary>
    public static readonly Reply OutOfMemory = Reply.Error("OOM command not allowed when used memory > 'maxmemory'.");
    public static readonly Reply NotInt32 = Reply.Error("ERR value is out of range, value must between -2147483648 and 2147483647");

    public static Reply UnsupportedOption(string option) => Reply.Error($"ERR Unsupported option {option}");

    public static Reply WrongArity(string command) =>
        Reply.Error($"ERR wrong number of arguments for '{command.ToLowerInvariant()}' command");

    public static Reply InvalidExpire(string command) =>
        Reply.Error($"ERR invalid expire time in '{command.ToLowerInvariant()}' command");

    /// <summary>Redis's unknown-command error: the name and the quoted arguments are cut at 128 characters, line breaks become spaces.</summary>
    public static Reply UnknownCommand(string name, IEnumerable<string> args)
    {
        const int Limit = 128;
        var quoted = new StringBuilder();
        foreach (var arg in args)
        {
            if (quoted.Length >= Limit) break;
            int room = Limit - quoted.Length; // measured before the opening quote, as Redis's '%.*s' does
            quoted.Append('\'').Append(arg, 0, Math.Min(arg.Length, room)).Append("' ");
        }
        var text = $"ERR unknown command '{(name.Length > Limit ? name[..Limit] : name)}', with args beginning with: {quoted}";
        return Reply.Error(text.Replace('\r', ' ').Replace('\n', ' '));
    }
}
