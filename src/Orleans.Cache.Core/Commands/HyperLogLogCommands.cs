namespace Orleans.Cache.Core;

/// <summary>PFADD, PFCOUNT and PFMERGE on HyperLogLog strings (see <see cref="HyperLogLog"/>).</summary>
internal static class HyperLogLogCommands
{
    /// <summary>PFADD key [element …]: 1 when the estimate may have changed (or the key was created), else 0.</summary>
    public static Reply PfAdd(Keyspace db, byte[][] a)
    {
        var old = RedisString.Read(db, a[1]);
        var registers = old is null ? HyperLogLog.EmptyRegisters() : HyperLogLog.Read(old.Value.Span);
        bool changed = old is null;
        for (int i = 2; i < a.Length; i++) changed |= HyperLogLog.Add(registers, a[i]);
        if (changed)
        {
            db.Set(a[1], HyperLogLog.Write(registers), keepTtl: true);
            db.Notify(KeyspaceEventFlags.String, "pfadd", a[1]);
        }
        return Reply.Int(changed ? 1 : 0);
    }

    /// <summary>PFCOUNT key [key …]: the estimated size of the union of the given HyperLogLogs.</summary>
    public static Reply PfCount(Keyspace db, byte[][] a)
    {
        byte[]? union = null;
        for (int i = 1; i < a.Length; i++)
        {
            if (RedisString.Read(db, a[i]) is not { } s) continue;
            union = Max(union, HyperLogLog.Read(s.Span));
        }
        return Reply.Int(union is null ? 0 : HyperLogLog.Count(union));
    }

    /// <summary>PFMERGE destkey [sourcekey …]: the destination becomes the union (it counts as a source if it exists).</summary>
    public static Reply PfMerge(Keyspace db, byte[][] a)
    {
        byte[]? union = null;
        for (int i = 1; i < a.Length; i++)
        {
            if (RedisString.Read(db, a[i]) is not { } s) continue;
            union = Max(union, HyperLogLog.Read(s.Span));
        }
        db.Set(a[1], HyperLogLog.Write(union ?? HyperLogLog.EmptyRegisters()), keepTtl: true);
        db.Notify(KeyspaceEventFlags.String, "pfadd", a[1]); // Redis raises pfadd for PFMERGE too, changed or not
        return Reply.Ok;
    }

    private static byte[] Max(byte[]? union, byte[] registers)
    {
        if (union is null) return registers;
        for (int i = 0; i < union.Length; i++)
            if (registers[i] > union[i]) union[i] = registers[i];
        return union;
    }
}
