namespace Orleans.Cache.Core;

/// <summary>
/// List moves (LMOVE, RPOPLPUSH), multi-key pops (LMPOP) and the blocking pops. Core runs a blocking pop as its
/// non-blocking form and answers a null array when it would have to wait; the grains do the waiting.
/// </summary>
internal static class ListMoveCommands
{
    /// <summary>LMOVE source destination LEFT|RIGHT LEFT|RIGHT.</summary>
    public static Reply LMove(Keyspace db, byte[][] a) => Move(db, a[1], a[2], Side(a[3]), Side(a[4]));

    public static Reply RPopLPush(Keyspace db, byte[][] a) => Move(db, a[1], a[2], fromFront: false, toFront: true);

    public static Reply BLMove(Keyspace db, byte[][] a)
    {
        bool from = Side(a[3]), to = Side(a[4]);
        BlockingArgs.Timeout(a[5]);
        return Move(db, a[1], a[2], from, to);
    }

    public static Reply BRPopLPush(Keyspace db, byte[][] a)
    {
        BlockingArgs.Timeout(a[3]);
        return Move(db, a[1], a[2], fromFront: false, toFront: true);
    }

    /// <summary>LEFT is the head, RIGHT the tail.</summary>
    private static bool Side(byte[] arg) =>
        Args.Is(arg, "LEFT") ? true : Args.Is(arg, "RIGHT") ? false : throw new CommandException(Errors.Syntax);

    private static Reply Move(Keyspace db, byte[] source, byte[] destination, bool fromFront, bool toFront)
    {
        var from = RedisList.Get(db, source);
        if (from is null) return Reply.Nil;
        var to = RedisList.Get(db, destination); // a destination of another type fails before anything is popped
        var value = from.Pop(fromFront);
        (to ?? RedisList.GetOrCreate(db, destination)).Push(value, toFront);
        // Redis's order: the destination's push event first, then the source's pop, then its del once empty.
        db.Notify(KeyspaceEventFlags.List, toFront ? "lpush" : "rpush", destination);
        db.Notify(KeyspaceEventFlags.List, fromFront ? "lpop" : "rpop", source);
        RedisList.DeleteIfEmpty(db, source, from);
        return Reply.Bulk(value);
    }

    public static Reply LMPop(Keyspace db, byte[][] a) => MPop(db, a, 1);

    public static Reply BLMPop(Keyspace db, byte[][] a)
    {
        BlockingArgs.Timeout(a[1]);
        return MPop(db, a, 2);
    }

    /// <summary>[B]LMPOP numkeys key [key …] LEFT|RIGHT [COUNT count]: [key, [elements]] or nil.</summary>
    private static Reply MPop(Keyspace db, byte[][] a, int from)
    {
        var (keys, right, count) = MPopArgs.Parse(a, from, "LEFT", "RIGHT");
        foreach (var key in keys)
        {
            if (RedisList.Get(db, key) is not { } list) continue;
            return Reply.Array([Reply.Bulk(key), Reply.Array(ListCommands.PopMany(db, key, list, count, !right))]);
        }
        return Reply.NilArray;
    }

    public static Reply BLPop(Keyspace db, byte[][] a) => BlockingPop(db, a, front: true);
    public static Reply BRPop(Keyspace db, byte[][] a) => BlockingPop(db, a, front: false);

    /// <summary>BLPOP / BRPOP key [key …] timeout: [key, element] from the first non-empty key, else nil.</summary>
    private static Reply BlockingPop(Keyspace db, byte[][] a, bool front)
    {
        BlockingArgs.Timeout(a[^1]);
        for (int i = 1; i < a.Length - 1; i++)
        {
            if (RedisList.Get(db, a[i]) is not { } list) continue;
            var value = list.Pop(front);
            db.Notify(KeyspaceEventFlags.List, front ? "lpop" : "rpop", a[i]);
            RedisList.DeleteIfEmpty(db, a[i], list);
            return Reply.Array([Reply.Bulk(a[i]), Reply.Bulk(value)]);
        }
        return Reply.NilArray;
    }
}
