namespace Orleans.Cache.Core;

/// <summary>A hash: field → value (Redis's t_hash.c). Values are byte arrays never changed in place.</summary>
public sealed class RedisHash : IRedisValue
{
    /// <summary>Below this size HSCAN answers in one step, as Redis does for its listpack encoding.</summary>
    public const int SmallSize = 128;

    public Dict<byte[]> Fields { get; }

    public RedisHash() => Fields = new Dict<byte[]>();
    private RedisHash(Dict<byte[]> fields) => Fields = fields;

    public string TypeName => "hash";
    public int Count => Fields.Count;
    public IRedisValue Clone() => new RedisHash(Fields.Clone());

    public static RedisHash? Get(Keyspace db, byte[] key) => db.Get<RedisHash>(key);

    /// <summary>The hash at <paramref name="key"/>, created empty and stored when missing.</summary>
    public static RedisHash GetOrCreate(Keyspace db, byte[] key)
    {
        var hash = db.Get<RedisHash>(key);
        if (hash is null) db.Set(key, hash = new RedisHash());
        return hash;
    }

    /// <summary>Deletes the key once its hash is empty: Redis never keeps empty aggregates.</summary>
    public static void DeleteIfEmpty(Keyspace db, byte[] key, RedisHash hash)
    {
        if (hash.Count == 0 && db.Delete(key)) db.Notify(KeyspaceEventFlags.Generic, "del", key);
    }
}
