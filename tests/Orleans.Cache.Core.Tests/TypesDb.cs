using System.Text;
using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// A keyspace on a fake clock for the data-type tests, with replies rendered the way RESP2 would flatten them:
/// integers and bulks as text, nil as "nil", aggregates as "[a,b]", doubles as Redis formats them, errors as their text.
/// </summary>
internal sealed class TypesDb
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    public Keyspace Keyspace { get; }

    public TypesDb(int seed = 42) => Keyspace = new Keyspace(Clock, seed);

    public Reply Run(params string[] args) => Keyspace.Execute(args.Select(Encoding.UTF8.GetBytes).ToArray());

    /// <summary>Runs a command and renders its reply.</summary>
    public string Do(params string[] args) => Render(Run(args));

    public static string Render(Reply r) => r.Kind switch
    {
        ReplyKind.Integer or ReplyKind.Boolean => r.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ReplyKind.Double => Args.FormatScore(r.Double),
        ReplyKind.Null or ReplyKind.NullArray => "nil",
        ReplyKind.Array or ReplyKind.Map or ReplyKind.Set or ReplyKind.Pairs => "[" + string.Join(",", r.Items!.Select(Render)) + "]",
        _ => r.Text!,
    };

    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
}

/// <summary>Records keyspace events as "name key", in order.</summary>
internal sealed class EventRecorder(List<string> into) : IKeyspaceEventSink
{
    public void OnKeyspaceEvent(KeyspaceEventFlags type, string name, byte[] key) => into.Add($"{name} {Encoding.UTF8.GetString(key)}");
}
