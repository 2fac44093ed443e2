using System.Collections.Concurrent;
using System.Text.Json;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

/// <summary>
/// Redis's command documentation (summary, since, group, complexity, history, doc flags, arguments, subcommands) for
/// COMMAND DOCS, from the embedded CommandDocs.json that tests/bench/command-docs.py generates from a real redis-server's
/// own COMMAND DOCS reply. The JSON keeps the reply's shape: objects are maps, strings bulk strings, numbers integers;
/// "flags" and "doc_flags" are sets of simple strings and "history" a set of [version, change] arrays.
/// </summary>
internal static class CommandDocs
{
    private static readonly Lazy<JsonElement> Data = new(Load);
    private static readonly ConcurrentDictionary<string, Reply?> Replies = new(StringComparer.Ordinal);

    private static JsonElement Load()
    {
        using var stream = typeof(CommandDocs).Assembly.GetManifestResourceStream("CommandDocs.json")
            ?? throw new InvalidOperationException("CommandDocs.json is not embedded in Orleans.Cache.Resp");
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("commands").Clone();
    }

    /// <summary>
    /// The docs of a command (lower-case name) or of a subcommand ("client|list"), as COMMAND DOCS answers them; null
    /// when the data has none.
    /// </summary>
    public static Reply? Of(string name) => Replies.GetOrAdd(name, static n =>
    {
        int bar = n.IndexOf('|');
        if (bar < 0) return Data.Value.TryGetProperty(n, out var doc) ? ToReply(doc, null) : null;
        return Data.Value.TryGetProperty(n[..bar], out var container)
            && container.TryGetProperty("subcommands", out var subcommands)
            && subcommands.TryGetProperty(n, out var sub) ? ToReply(sub, null) : null;
    });

    private static Reply ToReply(JsonElement value, string? key) => value.ValueKind switch
    {
        JsonValueKind.Object => Reply.Map([.. value.EnumerateObject().SelectMany(p => new[] { Reply.Bulk(p.Name), ToReply(p.Value, p.Name) })]),
        JsonValueKind.Number => Reply.Int(value.GetInt64()),
        JsonValueKind.Array when key is "flags" or "doc_flags" => Reply.Set([.. value.EnumerateArray().Select(f => Reply.Simple(f.GetString()!))]),
        JsonValueKind.Array when key is "history" => Reply.Set([.. value.EnumerateArray().Select(e => ToReply(e, null))]),
        JsonValueKind.Array => Reply.Array([.. value.EnumerateArray().Select(e => ToReply(e, null))]),
        _ => Reply.Bulk(value.GetString() ?? ""),
    };
}
