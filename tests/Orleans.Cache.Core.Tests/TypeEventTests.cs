using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

/// <summary>Keyspace events of the hash, set and list families, with Redis's event names and order.</summary>
public sealed class TypeEventTests
{
    private sealed class Recorder : IKeyspaceEventSink
    {
        public List<string> Events { get; } = [];
        public void OnKeyspaceEvent(KeyspaceEventFlags type, string name, byte[] key) =>
            Events.Add($"{type}:{name}:{System.Text.Encoding.UTF8.GetString(key)}");
    }

    private static (TypesDb Db, Recorder Events) Start()
    {
        var db = new TypesDb();
        var recorder = new Recorder();
        db.Keyspace.Events = recorder;
        return (db, recorder);
    }

    [Fact]
    public void Hash_writes_raise_hset_hincrby_hdel_and_del_when_the_hash_empties()
    {
        var (db, rec) = Start();
        db.Do("HSET", "h", "f", "1");
        db.Do("HSET", "h", "f", "2"); // an update still raises hset, as in Redis
        db.Do("HINCRBY", "h", "f", "3");
        db.Do("HINCRBYFLOAT", "h", "g", "0.5");
        db.Do("HDEL", "h", "missing");
        db.Do("HDEL", "h", "f", "g");
        Assert.Equal(["New:new:h", "Hash:hset:h", "Hash:hset:h", "Hash:hincrby:h", "Hash:hincrbyfloat:h", "Hash:hdel:h", "Generic:del:h"], rec.Events);
    }

    [Fact]
    public void Set_writes_raise_sadd_and_srem_only_when_something_changed()
    {
        var (db, rec) = Start();
        db.Do("SADD", "s", "a", "b");
        db.Do("SADD", "s", "a");
        db.Do("SREM", "s", "zzz");
        db.Do("SREM", "s", "a", "b");
        Assert.Equal(["New:new:s", "Set:sadd:s", "Set:srem:s", "Generic:del:s"], rec.Events);
    }

    [Fact]
    public void List_pushes_and_pops_raise_their_side_and_del_when_the_list_empties()
    {
        var (db, rec) = Start();
        db.Do("LPUSH", "l", "a");
        db.Do("RPUSH", "l", "b", "c");
        db.Do("LPOP", "l");
        db.Do("RPOP", "l", "5");
        db.Do("LPUSHX", "missing", "x");
        Assert.Equal(["New:new:l", "List:lpush:l", "List:rpush:l", "List:lpop:l", "List:rpop:l", "Generic:del:l"], rec.Events);
    }
}
