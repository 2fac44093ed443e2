namespace Orleans.Cache.Core;

/// <summary>The list family (Redis's t_list.c): pushes, pops, indexes and ranges; moves and blocking pops live in <see cref="ListMoveCommands"/>.</summary>
internal static class ListCommands
{
    public static Reply LPush(Keyspace db, byte[][] a) => Push(db, a, front: true, onlyIfExists: false);
    public static Reply RPush(Keyspace db, byte[][] a) => Push(db, a, front: false, onlyIfExists: false);
    public static Reply LPushX(Keyspace db, byte[][] a) => Push(db, a, front: true, onlyIfExists: true);
    public static Reply RPushX(Keyspace db, byte[][] a) => Push(db, a, front: false, onlyIfExists: true);

    private static Reply Push(Keyspace db, byte[][] a, bool front, bool onlyIfExists)
    {
        var list = RedisList.Get(db, a[1]);
        if (list is null)
        {
            if (onlyIfExists) return Reply.Int(0);
            list = RedisList.GetOrCreate(db, a[1]);
        }
        for (int i = 2; i < a.Length; i++) list.Push(a[i], front);
        db.Notify(KeyspaceEventFlags.List, front ? "lpush" : "rpush", a[1]);
        return Reply.Int(list.Count);
    }

    public static Reply LPop(Keyspace db, byte[][] a) => Pop(db, a, front: true);
    public static Reply RPop(Keyspace db, byte[][] a) => Pop(db, a, front: false);

    /// <summary>LPOP / RPOP key [count]: a bulk without count, an array with one.</summary>
    private static Reply Pop(Keyspace db, byte[][] a, bool front)
    {
        if (a.Length > 3) return Errors.WrongArity(front ? "lpop" : "rpop");
        long count = 1;
        if (a.Length == 3 && (!Args.TryLong(a[2], out count) || count < 0))
            return Reply.Error("ERR value is out of range, must be positive");
        var list = RedisList.Get(db, a[1]);
        if (list is null) return a.Length == 3 ? Reply.NilArray : Reply.Nil;
        if (a.Length == 2)
        {
            var value = list.Pop(front);
            db.Notify(KeyspaceEventFlags.List, front ? "lpop" : "rpop", a[1]);
            RedisList.DeleteIfEmpty(db, a[1], list);
            return Reply.Bulk(value);
        }
        return Reply.Array(PopMany(db, a[1], list, count, front));
    }

    /// <summary>Pops up to <paramref name="count"/> elements from one end, deleting the key once empty.</summary>
    public static Reply[] PopMany(Keyspace db, byte[] key, RedisList list, long count, bool front)
    {
        var items = new Reply[Math.Min(count, list.Count)];
        for (int i = 0; i < items.Length; i++) items[i] = Reply.Bulk(list.Pop(front));
        if (items.Length > 0) db.Notify(KeyspaceEventFlags.List, front ? "lpop" : "rpop", key);
        RedisList.DeleteIfEmpty(db, key, list);
        return items;
    }

    public static Reply LLen(Keyspace db, byte[][] a) => Reply.Int(RedisList.Get(db, a[1])?.Count ?? 0);

    public static Reply LRange(Keyspace db, byte[][] a)
    {
        long start = Args.Long(a[2]), stop = Args.Long(a[3]);
        var list = RedisList.Get(db, a[1]);
        if (list is null || !Clamp(list.Count, ref start, ref stop)) return Reply.EmptyArray;
        var items = new Reply[stop - start + 1];
        for (int i = 0; i < items.Length; i++) items[i] = Reply.Bulk(list[(int)start + i]);
        return Reply.Array(items);
    }

    /// <summary>Redis's range rule: negatives count from the end, then clamp; false when the range is empty.</summary>
    public static bool Clamp(long length, ref long start, ref long stop)
    {
        if (start < 0) start += length;
        if (stop < 0) stop += length;
        if (start < 0) start = 0;
        if (start > stop || start >= length) return false;
        if (stop >= length) stop = length - 1;
        return true;
    }

    public static Reply LIndex(Keyspace db, byte[][] a)
    {
        long index = Args.Long(a[2]);
        var list = RedisList.Get(db, a[1]);
        if (list is null) return Reply.Nil;
        if (index < 0) index += list.Count;
        return index >= 0 && index < list.Count ? Reply.Bulk(list[(int)index]) : Reply.Nil;
    }

    public static Reply LSet(Keyspace db, byte[][] a)
    {
        long index = Args.Long(a[2]);
        var list = RedisList.Get(db, a[1]);
        if (list is null) return Errors.NoSuchKey;
        if (index < 0) index += list.Count;
        if (index < 0 || index >= list.Count) return Reply.Error("ERR index out of range");
        list[(int)index] = a[3];
        db.Notify(KeyspaceEventFlags.List, "lset", a[1]);
        return Reply.Ok;
    }

    /// <summary>LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the pivot, 0 without the key.</summary>
    public static Reply LInsert(Keyspace db, byte[][] a)
    {
        bool after;
        if (Args.Is(a[2], "AFTER")) after = true;
        else if (Args.Is(a[2], "BEFORE")) after = false;
        else return Errors.Syntax;
        var list = RedisList.Get(db, a[1]);
        if (list is null) return Reply.Int(0);
        for (int i = 0; i < list.Count; i++)
        {
            if (!list[i].AsSpan().SequenceEqual(a[3])) continue;
            list.Insert(after ? i + 1 : i, a[4]);
            db.Notify(KeyspaceEventFlags.List, "linsert", a[1]);
            return Reply.Int(list.Count);
        }
        return Reply.Int(-1);
    }

    /// <summary>LREM key count element: count &gt; 0 from the head, &lt; 0 from the tail, 0 all.</summary>
    public static Reply LRem(Keyspace db, byte[][] a)
    {
        long count = Args.Long(a[2]);
        var list = RedisList.Get(db, a[1]);
        if (list is null) return Reply.Int(0);
        long limit = count == 0 ? long.MaxValue : Math.Abs(count);
        long removed = list.RemoveAll(a[3], limit, fromTail: count < 0);
        if (removed == 0) return Reply.Int(0);
        db.Notify(KeyspaceEventFlags.List, "lrem", a[1]);
        RedisList.DeleteIfEmpty(db, a[1], list);
        return Reply.Int(removed);
    }

    public static Reply LTrim(Keyspace db, byte[][] a)
    {
        long start = Args.Long(a[2]), stop = Args.Long(a[3]);
        var list = RedisList.Get(db, a[1]);
        if (list is null) return Reply.Ok;
        if (Clamp(list.Count, ref start, ref stop)) list.Trim((int)start, (int)stop);
        else list.Trim(1, 0);
        db.Notify(KeyspaceEventFlags.List, "ltrim", a[1]); // even when nothing was trimmed, as Redis does
        RedisList.DeleteIfEmpty(db, a[1], list);
        return Reply.Ok;
    }

    /// <summary>LPOS key element [RANK rank] [COUNT num] [MAXLEN len].</summary>
    public static Reply LPos(Keyspace db, byte[][] a)
    {
        long rank = 1, count = -1, maxLen = 0;
        for (int i = 3; i < a.Length; i++)
        {
            if (i + 1 >= a.Length) return Errors.Syntax;
            if (Args.Is(a[i], "RANK"))
            {
                rank = Args.Long(a[++i]);
                if (rank == 0)
                    return Reply.Error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
                if (rank == long.MinValue) return Reply.Error("ERR value is out of range");
            }
            else if (Args.Is(a[i], "COUNT"))
            {
                count = Args.Long(a[++i]);
                if (count < 0) return Reply.Error("ERR COUNT can't be negative");
            }
            else if (Args.Is(a[i], "MAXLEN"))
            {
                maxLen = Args.Long(a[++i]);
                if (maxLen < 0) return Reply.Error("ERR MAXLEN can't be negative");
            }
            else return Errors.Syntax;
        }
        var list = RedisList.Get(db, a[1]);
        bool many = count >= 0;
        if (list is null) return many ? Reply.EmptyArray : Reply.Nil;
        var found = new List<Reply>();
        long want = count == 0 ? long.MaxValue : Math.Max(count, 1), skip = Math.Abs(rank) - 1;
        long scanned = 0;
        int step = rank > 0 ? 1 : -1;
        for (int i = rank > 0 ? 0 : list.Count - 1; i >= 0 && i < list.Count && found.Count < want; i += step)
        {
            if (maxLen != 0 && scanned++ >= maxLen) break;
            if (!list[i].AsSpan().SequenceEqual(a[2])) continue;
            if (skip > 0) { skip--; continue; }
            found.Add(Reply.Int(i));
        }
        if (many) return Reply.Array([.. found]);
        return found.Count > 0 ? found[0] : Reply.Nil;
    }
}
