using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Orleans.Cache.Core.Tests;

/// <summary>
/// One keyspace on a fake clock, driven like a redis-cli session: <c>Run("SET", "k", "v")</c> returns the reply
/// as redis-cli prints it ("OK", "(integer) 1", "\"v\"", "(nil)", "(error) ERR …", arrays as [a, b]).
/// </summary>
internal sealed class Session
{
    /// <summary>2025-01-01T00:00:00Z: a fixed start, so absolute times in tests are stable.</summary>
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static long StartMs => Start.ToUnixTimeMilliseconds();
    public static long StartSeconds => Start.ToUnixTimeSeconds();

    public FakeTimeProvider Clock { get; } = new(Start);
    public Keyspace Db { get; }

    public Session(int seed = 42) => Db = new Keyspace(Clock, seed);

    public string Run(params string[] argv) => Show(Raw(argv));

    public Reply Raw(params string[] argv) => Db.Execute(argv.Select(Encoding.UTF8.GetBytes).ToArray());

    public Reply Raw(params byte[][] argv) => Db.Execute(argv);

    /// <summary>Moves the fake clock forward; no real time passes.</summary>
    public void Advance(long milliseconds) => Clock.Advance(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>Stores a value of another type (a stand-in list), for WRONGTYPE and TYPE checks.</summary>
    public void PutList(string key) => Db.Set(Encoding.UTF8.GetBytes(key), new FakeList());

    public static string Show(Reply r) => r.Kind switch
    {
        ReplyKind.SimpleString => r.Text!,
        ReplyKind.Error => "(error) " + r.Text,
        ReplyKind.Integer => $"(integer) {r.Integer}",
        ReplyKind.Bulk => $"\"{r.Text}\"",
        ReplyKind.Null or ReplyKind.NullArray => "(nil)",
        ReplyKind.Array => "[" + string.Join(", ", r.Items!.Select(Show)) + "]",
        _ => r.ToString(),
    };

    /// <summary>The keys of an array reply, sorted, for order-independent comparisons.</summary>
    public static string[] SortedTexts(Reply r) => r.Items!.Select(i => i.Text!).Order(StringComparer.Ordinal).ToArray();
}

/// <summary>A non-string value, standing in for the list type that Core does not have yet.</summary>
internal sealed class FakeList : IRedisValue
{
    public List<string> Items { get; } = ["a"];
    public string TypeName => "list";
    public long Charged { get; set; }
    public int Count => Items.Count;
    public IRedisValue Clone()
    {
        var copy = new FakeList();
        copy.Items.Clear();
        copy.Items.AddRange(Items);
        return copy;
    }
}
