using Orleans.Cache.Core;

namespace Orleans.Cache;

/// <summary>
/// An ordered batch of resolved commands for one partition. Immutable: the sender never touches the arrays again,
/// so co-hosted calls pass it without a deep copy.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.CommandBatch")]
internal sealed class CommandBatch(Command[] commands)
{
    [Id(0)] public Command[] Commands { get; } = commands;
}

/// <summary>A MULTI … EXEC for one partition: the queued commands and the versions its WATCHes answered.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.TransactionBatch")]
internal sealed class TransactionBatch(Command[] commands, WatchedVersion[] watches)
{
    [Id(0)] public Command[] Commands { get; } = commands;
    [Id(1)] public WatchedVersion[] Watches { get; } = watches;
}

/// <summary>
/// The wire form of a resolved <see cref="Command"/>: the row's position in the one command table (the receiver
/// maps it back without a lookup by name) and the arguments.
/// </summary>
[GenerateSerializer, Alias("Orleans.Cache.Command")]
internal struct CommandSurrogate
{
    [Id(0)] public int Id;
    [Id(1)] public byte[][] Argv;
    [Id(2)] public bool NoTouch;
}

[RegisterConverter]
internal sealed class CommandSurrogateConverter : IConverter<Command, CommandSurrogate>
{
    public Command ConvertFromSurrogate(in CommandSurrogate s) =>
        new(CommandTable.ById(s.Id) ?? throw new InvalidOperationException($"unknown command id {s.Id}"), s.Argv) { NoTouch = s.NoTouch };

    public CommandSurrogate ConvertToSurrogate(in Command c) => new() { Id = c.Info.Id, Argv = c.Argv, NoTouch = c.NoTouch };
}

/// <summary>The wire form of <see cref="WatchedVersion"/>.</summary>
[GenerateSerializer, Alias("Orleans.Cache.WatchedVersion")]
internal struct WatchedVersionSurrogate
{
    [Id(0)] public byte[] Key;
    [Id(1)] public long Version;
}

[RegisterConverter]
internal sealed class WatchedVersionSurrogateConverter : IConverter<WatchedVersion, WatchedVersionSurrogate>
{
    public WatchedVersion ConvertFromSurrogate(in WatchedVersionSurrogate s) => new(s.Key, s.Version);
    public WatchedVersionSurrogate ConvertToSurrogate(in WatchedVersion w) => new() { Key = w.Key, Version = w.Version };
}

/// <summary>The replies to a <see cref="CommandBatch"/>, in the same order.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.ReplyBatch")]
internal sealed class ReplyBatch(Reply[] replies)
{
    [Id(0)] public Reply[] Replies { get; } = replies;
}

/// <summary>
/// How a Block call ended: <see cref="Reply"/> is the command's answer (an element, or its empty reply at the
/// timeout); null with <see cref="Retry"/> means the partition's longest wait ran out first (ask again); null
/// without it means the wait was cancelled.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Cache.BlockResult")]
internal readonly record struct BlockResult([property: Id(0)] Reply? Reply, [property: Id(1)] bool Retry, [property: Id(2)] long WaitedMilliseconds = 0);

/// <summary>The wire form of Core's <see cref="Reply"/>, which stays free of Orleans attributes.</summary>
[GenerateSerializer, Alias("Orleans.Cache.Reply")]
internal struct ReplySurrogate
{
    [Id(0)] public byte Kind;
    [Id(1)] public long Integer;
    [Id(2)] public double Double;
    [Id(3)] public byte[]? Bytes;
    [Id(4)] public Reply[]? Items;
}

[RegisterConverter]
internal sealed class ReplySurrogateConverter : IConverter<Reply, ReplySurrogate>
{
    public Reply ConvertFromSurrogate(in ReplySurrogate s) => (ReplyKind)s.Kind switch
    {
        ReplyKind.Null => Reply.Nil,
        ReplyKind.NullArray => Reply.NilArray,
        ReplyKind.Integer => Reply.Int(s.Integer),
        var kind => new Reply(kind, s.Integer, s.Double, s.Bytes, s.Items),
    };

    public ReplySurrogate ConvertToSurrogate(in Reply r) => new()
    {
        Kind = (byte)r.Kind, Integer = r.Integer, Double = r.Double, Bytes = r.Bytes, Items = r.Items,
    };
}
