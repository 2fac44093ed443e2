namespace Orleans.Cache.Core;

/// <summary>A set of byte-string members (Redis's t_set.c).</summary>
internal sealed class RedisSet : IRedisValue
{
    /// <summary>Below this size SSCAN answers in one step, as Redis does for its compact encodings.</summary>
    public const int SmallSize = 128;

    public Dict<bool> Members { get; }

    public RedisSet() => Members = new Dict<bool>();
    private RedisSet(Dict<bool> members) => Members = members;

    public string TypeName => "set";

    /// <inheritdoc/>
    public long Charged { get; set; }
    public int Count => Members.Count;
    public IRedisValue Clone() => new RedisSet(Members.Clone());

    public bool Contains(byte[] member) => Members.ContainsKey(member);
    public bool Add(byte[] member) => Members.Set(member, true);
    public bool Remove(byte[] member) => Members.Remove(member);

    /// <summary>
    /// Small all-integer sets list in ascending numeric order, as Redis's intset encoding does; others keep their order.
    /// </summary>
    public static List<byte[]> InRedisOrder(List<byte[]> members)
    {
        if (members.Count > 512) return members;
        var numbers = new long[members.Count];
        for (int i = 0; i < numbers.Length; i++)
            if (!Args.TryLong(members[i], out numbers[i])) return members;
        var sorted = members.ToArray();
        Array.Sort(numbers, sorted);
        return [.. sorted];
    }

    public static RedisSet? Get(Keyspace db, byte[] key) => db.Get<RedisSet>(key);

    public static RedisSet GetOrCreate(Keyspace db, byte[] key)
    {
        var set = db.Get<RedisSet>(key);
        if (set is null) db.Set(key, set = new RedisSet());
        return set;
    }

    public static void DeleteIfEmpty(Keyspace db, byte[] key, RedisSet set)
    {
        if (set.Count == 0 && db.Delete(key)) db.Notify(KeyspaceEventFlags.Generic, "del", key);
    }
}
