using System.Text;

namespace Orleans.Cache.Core;

/// <summary>Redis's notify-keyspace-events classes: where an event goes (K, E) and which kinds are on.</summary>
[Flags]
internal enum KeyspaceEventFlags
{
    None = 0,
    /// <summary>K: publish on <c>__keyspace@0__:&lt;key&gt;</c>.</summary>
    Keyspace = 1 << 0,
    /// <summary>E: publish on <c>__keyevent@0__:&lt;event&gt;</c>.</summary>
    Keyevent = 1 << 1,
    Generic = 1 << 2,
    String = 1 << 3,
    List = 1 << 4,
    Set = 1 << 5,
    Hash = 1 << 6,
    SortedSet = 1 << 7,
    Expired = 1 << 8,
    Evicted = 1 << 9,
    Stream = 1 << 10,
    KeyMiss = 1 << 11,
    Module = 1 << 12,
    New = 1 << 13,
    /// <summary>Not a Redis class: some client has CLIENT TRACKING on, so every modified key is announced to the front doors.</summary>
    Tracking = 1 << 14,
    /// <summary>A: every class but key-miss and new.</summary>
    All = Generic | String | List | Set | Hash | SortedSet | Expired | Evicted | Stream | Module,
}

/// <summary>Receives a keyspace's events; the partition installs one only while notifications are on.</summary>
internal interface IKeyspaceEventSink
{
    /// <summary>Called from inside a command (or the expiry sweep) with Redis's event name, e.g. "set", "expired".</summary>
    void OnKeyspaceEvent(KeyspaceEventFlags type, string name, byte[] key);
}

/// <summary>Parsing and printing of the notify-keyspace-events string, as Redis's notify.c does.</summary>
internal static class KeyspaceEvents
{
    private static readonly (char Char, KeyspaceEventFlags Flag)[] Classes =
    [
        ('g', KeyspaceEventFlags.Generic), ('$', KeyspaceEventFlags.String), ('l', KeyspaceEventFlags.List),
        ('s', KeyspaceEventFlags.Set), ('h', KeyspaceEventFlags.Hash), ('z', KeyspaceEventFlags.SortedSet),
        ('x', KeyspaceEventFlags.Expired), ('e', KeyspaceEventFlags.Evicted), ('t', KeyspaceEventFlags.Stream),
        ('d', KeyspaceEventFlags.Module),
    ];

    /// <summary>The flags of a configuration string; false on a character Redis does not know.</summary>
    public static bool TryParse(string text, out KeyspaceEventFlags flags)
    {
        flags = KeyspaceEventFlags.None;
        foreach (char c in text)
        {
            var f = c switch
            {
                'A' => KeyspaceEventFlags.All,
                'K' => KeyspaceEventFlags.Keyspace,
                'E' => KeyspaceEventFlags.Keyevent,
                'm' => KeyspaceEventFlags.KeyMiss,
                'n' => KeyspaceEventFlags.New,
                _ => Array.Find(Classes, x => x.Char == c).Flag,
            };
            if (f == KeyspaceEventFlags.None) { flags = KeyspaceEventFlags.None; return false; }
            flags |= f;
        }
        return true;
    }

    /// <summary>The string CONFIG GET shows (redis-server 7.0 prints classes, then K, E, m; it does not print n).</summary>
    public static string Format(KeyspaceEventFlags flags)
    {
        var s = new StringBuilder();
        if ((flags & KeyspaceEventFlags.All) == KeyspaceEventFlags.All) s.Append('A');
        else foreach (var (c, f) in Classes) if ((flags & f) != 0) s.Append(c);
        if ((flags & KeyspaceEventFlags.Keyspace) != 0) s.Append('K');
        if ((flags & KeyspaceEventFlags.Keyevent) != 0) s.Append('E');
        if ((flags & KeyspaceEventFlags.KeyMiss) != 0) s.Append('m');
        return s.ToString();
    }

    /// <summary>True when events would be published at all: at least one class and at least one of K and E.</summary>
    public static bool AnyPublished(KeyspaceEventFlags flags) =>
        (flags & KeyspaceEventFlags.Tracking) != 0
        || (flags & (KeyspaceEventFlags.Keyspace | KeyspaceEventFlags.Keyevent)) != 0
        && (flags & ~(KeyspaceEventFlags.Keyspace | KeyspaceEventFlags.Keyevent)) != 0;

    /// <summary>
    /// True when an event of <paramref name="type"/> modified its key (Redis's signalModifiedKey, which invalidates
    /// tracking clients): everything but key-miss and the "new" event (the write that created the key raises its own).
    /// </summary>
    public static bool Modifies(KeyspaceEventFlags type) => (type & (KeyspaceEventFlags.KeyMiss | KeyspaceEventFlags.New)) == 0;

    /// <summary>
    /// The internal shard channel on which partition <paramref name="partition"/> announces the keys it modified while
    /// tracking is on (a shard channel: no pattern subscription sees it). One per partition, so they spread over shards.
    /// </summary>
    public static byte[] TrackingChannel(int partition) => Encoding.ASCII.GetBytes(TrackingChannelPrefix + partition);

    /// <summary>The internal shard channel on which a front door announces FLUSHALL / FLUSHDB to tracking clients everywhere.</summary>
    public static readonly byte[] TrackingFlushChannel = Encoding.ASCII.GetBytes(TrackingFlushChannelName);

    public const string TrackingFlushChannelName = "__orleans_cache__:flush";

    public const string TrackingChannelPrefix = "__orleans_cache__:invalidate:";

    /// <summary>Internal channels (tracking) are left out of PUBSUB SHARDCHANNELS.</summary>
    public static bool IsInternal(ReadOnlySpan<byte> channel) => channel.StartsWith("__orleans_cache__:"u8);

    public static readonly byte[] KeyspacePrefix = "__keyspace@0__:"u8.ToArray();
    public static readonly byte[] KeyeventPrefix = "__keyevent@0__:"u8.ToArray();

    /// <summary>The (channel, message) pairs Redis publishes for one event under <paramref name="flags"/>.</summary>
    public static void Channels(KeyspaceEventFlags flags, KeyspaceEventFlags type, string name, byte[] key, List<(byte[] Channel, byte[] Message)> into)
    {
        if ((flags & type) == 0) return;
        var eventBytes = Encoding.ASCII.GetBytes(name);
        if ((flags & KeyspaceEventFlags.Keyspace) != 0) into.Add(([.. KeyspacePrefix, .. key], eventBytes));
        if ((flags & KeyspaceEventFlags.Keyevent) != 0) into.Add(([.. KeyeventPrefix, .. eventBytes], key));
    }
}
