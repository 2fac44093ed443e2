namespace Orleans.Cache.Core;

/// <summary>Redis's command flags, as COMMAND INFO lists them.</summary>
[Flags]
internal enum CommandFlags
{
    None = 0,
    Write = 1 << 0,
    ReadOnly = 1 << 1,
    DenyOom = 1 << 2,
    Admin = 1 << 3,
    PubSub = 1 << 4,
    NoScript = 1 << 5,
    Blocking = 1 << 6,
    Loading = 1 << 7,
    Stale = 1 << 8,
    Fast = 1 << 9,
    NoAuth = 1 << 10,
    AllowBusy = 1 << 11,
    /// <summary>Refused inside MULTI (queueing it dooms the transaction), as SHUTDOWN is.</summary>
    NoMulti = 1 << 12,
}

/// <summary>How the front door routes a command to partitions.</summary>
internal enum Routing
{
    /// <summary>Answered by the front door (connection and server commands); no partition involved.</summary>
    Server,
    /// <summary>Runs on one partition: the one owning its keys, which must share one slot (else CROSSSLOT).</summary>
    Slot,
    /// <summary>Split per key (with <see cref="CommandInfo.Step"/> arguments each), sent to each key's partition, replies merged.</summary>
    EachKey,
    /// <summary>Sent to every partition, replies merged (KEYS, DBSIZE, FLUSHDB …).</summary>
    AllPartitions,
}

/// <summary>How the replies of a split command are combined into one.</summary>
internal enum Merge
{
    /// <summary>One reply: the only one, or for a broadcast (RANDOMKEY) a non-nil one picked at random.</summary>
    None,
    /// <summary>Integers added up (DEL, EXISTS, DBSIZE …).</summary>
    Sum,
    /// <summary>Arrays concatenated; for EachKey, in the order of the keys in the request (MGET, KEYS).</summary>
    Concat,
    /// <summary>All must answer OK (MSET, FLUSHDB).</summary>
    Ok,
    /// <summary>The smallest integer (LASTSAVE: the time by which every partition had saved).</summary>
    Min,
}

internal delegate Reply CommandHandler(Keyspace db, byte[][] argv);

/// <summary>Who runs a command: which handler its row is bound to at start-up.</summary>
internal enum CommandKind
{
    /// <summary>A Core handler on the partition's keyspace (<see cref="CommandInfo.Handler"/>).</summary>
    Keyspace,
    /// <summary>The partition grain in its own turn (SAVE, BGSAVE, LASTSAVE: they await storage).</summary>
    Partition,
    /// <summary>The front door (the RESP endpoint's handlers): connection, server, pub/sub and transaction control.</summary>
    FrontDoor,
}

/// <summary>
/// A command resolved once at the front door: its table row and its arguments (<c>Argv[0]</c> is the name as sent).
/// This, not the raw argv, is what travels to the partition.
/// </summary>
internal readonly record struct Command(CommandInfo Info, byte[][] Argv)
{
    /// <summary>Sent by a CLIENT NO-TOUCH client: the keys it reads keep their access time (TOUCH still sets it).</summary>
    public bool NoTouch { get; init; }

    /// <summary>Sent by a READONLY client: a read may be answered by a replica copy in the silo it reached.</summary>
    public bool ReplicaRead { get; init; }

    public override string ToString() => Info.Name;
}

/// <summary>One row of the command table: what <c>COMMAND INFO</c> says of a command, plus how to route and run it.</summary>
internal sealed class CommandInfo(
    string name, int arity, CommandFlags flags, int firstKey, int lastKey, int step,
    string group, Routing routing, CommandHandler? handler, Merge merge = Merge.None, int numKeysAt = 0,
    Func<byte[][], IEnumerable<int>>? keywordKeys = null, string? acl = null, string? keyAccess = null, string? subcommands = null)
{
    /// <summary>Upper-case name.</summary>
    public string Name { get; } = name;
    /// <summary>Redis arity: N means exactly N arguments (name included); -N means at least N.</summary>
    public int Arity { get; } = arity;
    public CommandFlags Flags { get; } = flags;
    public int FirstKey { get; } = firstKey;
    /// <summary>Last key index; negative counts from the end (-1 = the last argument).</summary>
    public int LastKey { get; } = lastKey;
    public int Step { get; } = step;
    /// <summary>Redis's command group (string, generic, connection, server, …), which COMMAND DOCS reports.</summary>
    public string Group { get; } = group;
    public Routing Routing { get; } = routing;
    public Merge Merge { get; } = merge;
    /// <summary>
    /// The Core implementation run on a partition's keyspace; null for commands the front door answers
    /// (<see cref="Routing.Server"/>) and for partition commands the grain itself runs (SAVE, BGSAVE, LASTSAVE).
    /// </summary>
    public CommandHandler? Handler { get; } = handler;

    /// <summary>
    /// For commands whose keys follow a count (ZUNION, ZMPOP, LMPOP …): the index of that count, else 0.
    /// A <see cref="FirstKey"/> before it (a STORE form's destination) is a key too.
    /// </summary>
    public int NumKeysAt { get; } = numKeysAt;

    /// <summary>Position in <see cref="CommandTable.All"/>: what a resolved command carries across a grain call.</summary>
    public int Id { get; internal set; }

    /// <summary>Who runs it: a Core handler, the partition grain, or the front door.</summary>
    public CommandKind Kind => Handler is not null ? CommandKind.Keyspace
        : Routing == Routing.Server ? CommandKind.FrontDoor : CommandKind.Partition;

    public bool IsWrite => (Flags & CommandFlags.Write) != 0;

    /// <summary>BLPOP and friends: they may wait for another client's write.</summary>
    public bool IsBlocking => (Flags & CommandFlags.Blocking) != 0;

    /// <summary>EVAL, EVALSHA, FCALL and their _RO forms: they run a script, which may take long (see busy-reply-threshold).</summary>
    public bool RunsScript => Group == "scripting" && Handler is not null && Routing == Routing.Slot;

    /// <summary>
    /// A keyspace read that neither blocks nor runs a script: what a READONLY client may be answered from a replica copy
    /// (<see cref="PartitionReplica.Read"/>).
    /// </summary>
    public bool ReadableOnReplica => (Flags & CommandFlags.ReadOnly) != 0 && Handler is not null && !IsBlocking && !RunsScript;

    public bool AcceptsArgCount(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>Indexes of the key arguments in a request of <paramref name="argCount"/> arguments.</summary>
    public KeyRange Keys(int argCount)
    {
        if (FirstKey == 0) return default;
        int last = LastKey >= 0 ? LastKey : argCount + LastKey;
        return new KeyRange(FirstKey, Math.Min(last, argCount - 1), Step);
    }

    /// <summary>Finds keys named by a keyword (GEORADIUS … STORE key), beyond the fixed positions.</summary>
    public Func<byte[][], IEnumerable<int>>? KeywordKeys { get; } = keywordKeys;

    /// <summary>True when the keys are exactly <see cref="Keys"/> (no key count, no keyword keys): the fast path.</summary>
    public bool HasFixedKeyPositions => KeywordKeys is null && NumKeysAt == 0;

    /// <summary>
    /// The indexes of the key arguments of this request: the fixed positions, or those after a key count, plus
    /// any named by a keyword.
    /// </summary>
    public IEnumerable<int> KeyIndexes(byte[][] argv)
    {
        if (KeywordKeys is not null)
            foreach (int i in KeywordKeys(argv)) yield return i;
        if (NumKeysAt == 0)
        {
            var keys = Keys(argv.Length);
            if (keys.IsEmpty) yield break;
            for (int i = keys.First; i <= keys.Last; i += keys.Step) yield return i;
            yield break;
        }
        if (FirstKey < NumKeysAt) yield return FirstKey;
        if (NumKeysAt >= argv.Length || !Args.TryLong(argv[NumKeysAt], out long count)) yield break;
        for (long i = NumKeysAt + 1; i <= NumKeysAt + count && i < argv.Length; i++) yield return (int)i;
    }

    /// <summary>
    /// ACL categories Redis gives this command beyond those its flags and group imply (KEYS is also @dangerous, DBSIZE
    /// @keyspace …), space-separated; see <see cref="Acl.AclCategories"/>.
    /// </summary>
    public string? AclCategories { get; } = acl;

    /// <summary>
    /// What an ACL key pattern must grant for each key (Redis's key-spec flags): "R", "W", "RW" or "" (any pattern), one
    /// for the key at <see cref="FirstKey"/> and one for the others when they differ ("W R": a STORE destination, then its
    /// sources). Null: "R" for a read-only command, "RW" for a write, "" otherwise.
    /// </summary>
    public string? KeyAccess { get; } = keyAccess;

    /// <summary>
    /// For a container command (CONFIG, CLIENT …): its subcommands as ACL rules see them, e.g. "@connection id kill:A
    /// list:A" — an optional category every subcommand has, then each name with its flags (A admin, W write, R read-only,
    /// P pubsub). Null for other commands.
    /// </summary>
    public string? AclSubcommands { get; } = subcommands;

    public override string ToString() => Name;
}

/// <summary>Key argument positions First, First+Step, … up to Last (inclusive).</summary>
internal readonly record struct KeyRange(int First, int Last, int Step)
{
    public bool IsEmpty => Step == 0 || First == 0 || Last < First;
    public int Count => IsEmpty ? 0 : (Last - First) / Step + 1;
}
