using System.Collections.Frozen;
using Orleans.Cache.Core.Scripting;
using static Orleans.Cache.Core.CommandFlags;

namespace Orleans.Cache.Core;

/// <summary>
/// The one command table (Redis's commands.def): name, arity, flags, key positions, group, routing and the
/// Core handler. The RESP endpoint uses it for lookup, arity errors, COMMAND and routing; partitions use it
/// to run commands. A new command is one row here plus its handler.
/// </summary>
internal static class CommandTable
{
    private const CommandFlags W = Write | DenyOom;
    private const CommandFlags R = ReadOnly;

    private static CommandInfo C(string name, int arity, CommandFlags flags, int first, int last, int step, string group,
        CommandHandler? handler, Routing routing = Routing.Slot, Merge merge = Merge.None, int numKeysAt = 0,
        Func<byte[][], IEnumerable<int>>? keywordKeys = null, string? acl = null, string? keys = null, string? subcommands = null) =>
        new(name, arity, flags, first, last, step, group, first == 0 && routing == Routing.Slot ? Routing.Server : routing, handler, merge,
            numKeysAt, keywordKeys, acl, keys, subcommands);

    /// <summary>Every command, in table order.</summary>
    public static IReadOnlyList<CommandInfo> All { get; } =
    [
        // ---- strings ----
        C("GET", 2, R | Fast, 1, 1, 1, "string", StringCommands.Get),
        C("SET", -3, W, 1, 1, 1, "string", StringCommands.Set, keys: "W"),
        C("SETNX", 3, W | Fast, 1, 1, 1, "string", StringCommands.SetNx, keys: "W"),
        C("SETEX", 4, W, 1, 1, 1, "string", StringCommands.SetEx, keys: "W"),
        C("PSETEX", 4, W, 1, 1, 1, "string", StringCommands.PSetEx, keys: "W"),
        C("GETSET", 3, W | Fast, 1, 1, 1, "string", StringCommands.GetSet),
        C("GETDEL", 2, Write | Fast, 1, 1, 1, "string", StringCommands.GetDel),
        C("GETEX", -2, Write | Fast, 1, 1, 1, "string", StringCommands.GetEx),
        C("MGET", -2, R | Fast, 1, -1, 1, "string", StringCommands.MGet, Routing.EachKey, Merge.Concat),
        C("MSET", -3, W, 1, -1, 2, "string", StringCommands.MSet, Routing.EachKey, Merge.Ok, keys: "W"),
        C("MSETNX", -3, W, 1, -1, 2, "string", StringCommands.MSetNx, keys: "W"),
        C("INCR", 2, W | Fast, 1, 1, 1, "string", StringCommands.Incr),
        C("DECR", 2, W | Fast, 1, 1, 1, "string", StringCommands.Decr),
        C("INCRBY", 3, W | Fast, 1, 1, 1, "string", StringCommands.IncrBy),
        C("DECRBY", 3, W | Fast, 1, 1, 1, "string", StringCommands.DecrBy),
        C("INCRBYFLOAT", 3, W | Fast, 1, 1, 1, "string", StringCommands.IncrByFloat),
        C("APPEND", 3, W | Fast, 1, 1, 1, "string", StringCommands.Append, keys: "W"),
        C("STRLEN", 2, R | Fast, 1, 1, 1, "string", StringCommands.StrLen, keys: ""),
        C("GETRANGE", 4, R, 1, 1, 1, "string", StringCommands.GetRange),
        C("SUBSTR", 4, R, 1, 1, 1, "string", StringCommands.GetRange),
        C("SETRANGE", 4, W, 1, 1, 1, "string", StringCommands.SetRange, keys: "W"),
        C("LCS", -3, R, 1, 2, 1, "string", LcsCommand.Lcs),
        C("DIGEST", 2, R | Fast, 1, 1, 1, "string", CompareAndSetCommands.Digest),
        C("DELEX", -2, Write | Fast, 1, 1, 1, "string", CompareAndSetCommands.DelEx),

        // ---- hashes ----
        C("HSET", -4, W | Fast, 1, 1, 1, "hash", HashCommands.HSet, keys: "W"),
        C("HMSET", -4, W | Fast, 1, 1, 1, "hash", HashCommands.HMSet, keys: "W"),
        C("HSETNX", 4, W | Fast, 1, 1, 1, "hash", HashCommands.HSetNx, keys: "W"),
        C("HGET", 3, R | Fast, 1, 1, 1, "hash", HashCommands.HGet),
        C("HMGET", -3, R | Fast, 1, 1, 1, "hash", HashCommands.HMGet),
        C("HGETALL", 2, R, 1, 1, 1, "hash", HashCommands.HGetAll),
        C("HKEYS", 2, R, 1, 1, 1, "hash", HashCommands.HKeys),
        C("HVALS", 2, R, 1, 1, 1, "hash", HashCommands.HVals),
        C("HDEL", -3, Write | Fast, 1, 1, 1, "hash", HashCommands.HDel, keys: "W"),
        C("HEXISTS", 3, R | Fast, 1, 1, 1, "hash", HashCommands.HExists, keys: ""),
        C("HLEN", 2, R | Fast, 1, 1, 1, "hash", HashCommands.HLen, keys: ""),
        C("HSTRLEN", 3, R | Fast, 1, 1, 1, "hash", HashCommands.HStrLen, keys: ""),
        C("HINCRBY", 4, W | Fast, 1, 1, 1, "hash", HashCommands.HIncrBy),
        C("HINCRBYFLOAT", 4, W | Fast, 1, 1, 1, "hash", HashCommands.HIncrByFloat),
        C("HRANDFIELD", -2, R, 1, 1, 1, "hash", HashCommands.HRandField),
        C("HSCAN", -3, R, 1, 1, 1, "hash", HashCommands.HScan),
        C("HEXPIRE", -6, W | Fast, 1, 1, 1, "hash", HashFieldExpiryCommands.HExpire),
        C("HPEXPIRE", -6, W | Fast, 1, 1, 1, "hash", HashFieldExpiryCommands.HPExpire),
        C("HEXPIREAT", -6, W | Fast, 1, 1, 1, "hash", HashFieldExpiryCommands.HExpireAt),
        C("HPEXPIREAT", -6, W | Fast, 1, 1, 1, "hash", HashFieldExpiryCommands.HPExpireAt),
        C("HTTL", -5, R | Fast, 1, 1, 1, "hash", HashFieldExpiryCommands.HTtl),
        C("HPTTL", -5, R | Fast, 1, 1, 1, "hash", HashFieldExpiryCommands.HPTtl),
        C("HEXPIRETIME", -5, R | Fast, 1, 1, 1, "hash", HashFieldExpiryCommands.HExpireTime),
        C("HPEXPIRETIME", -5, R | Fast, 1, 1, 1, "hash", HashFieldExpiryCommands.HPExpireTime),
        C("HPERSIST", -5, Write | Fast, 1, 1, 1, "hash", HashFieldExpiryCommands.HPersist),
        C("HGETDEL", -5, Write | Fast, 1, 1, 1, "hash", HashGetSetExCommands.HGetDel),
        C("HGETEX", -5, Write | Fast, 1, 1, 1, "hash", HashGetSetExCommands.HGetEx),
        C("HSETEX", -6, W | Fast, 1, 1, 1, "hash", HashGetSetExCommands.HSetEx),

        // ---- sorted sets ----
        C("ZADD", -4, W | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZAdd, keys: "W"),
        C("ZINCRBY", 4, W | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZIncrBy),
        C("ZREM", -3, Write | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZRem, keys: "W"),
        C("ZSCORE", 3, R | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZScore),
        C("ZMSCORE", -3, R | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZMScore),
        C("ZCARD", 2, R | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZCard, keys: ""),
        C("ZCOUNT", 4, R | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZCount),
        C("ZLEXCOUNT", 4, R | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZLexCount),
        C("ZRANK", -3, R | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZRank),
        C("ZREVRANK", -3, R | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZRevRank),
        C("ZRANGE", -4, R, 1, 1, 1, "sorted-set", SortedSetRangeCommands.ZRange),
        C("ZREVRANGE", -4, R, 1, 1, 1, "sorted-set", SortedSetRangeCommands.ZRevRange),
        C("ZRANGESTORE", -5, W, 1, 2, 1, "sorted-set", SortedSetRangeCommands.ZRangeStore, keys: "W R"),
        C("ZRANGEBYSCORE", -4, R, 1, 1, 1, "sorted-set", SortedSetRangeCommands.ZRangeByScore),
        C("ZREVRANGEBYSCORE", -4, R, 1, 1, 1, "sorted-set", SortedSetRangeCommands.ZRevRangeByScore),
        C("ZRANGEBYLEX", -4, R, 1, 1, 1, "sorted-set", SortedSetRangeCommands.ZRangeByLex),
        C("ZREVRANGEBYLEX", -4, R, 1, 1, 1, "sorted-set", SortedSetRangeCommands.ZRevRangeByLex),
        C("ZREMRANGEBYRANK", 4, Write, 1, 1, 1, "sorted-set", SortedSetRangeCommands.ZRemRangeByRank, keys: "W"),
        C("ZREMRANGEBYSCORE", 4, Write, 1, 1, 1, "sorted-set", SortedSetRangeCommands.ZRemRangeByScore, keys: "W"),
        C("ZREMRANGEBYLEX", 4, Write, 1, 1, 1, "sorted-set", SortedSetRangeCommands.ZRemRangeByLex, keys: "W"),
        C("ZPOPMIN", -2, Write | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZPopMin),
        C("ZPOPMAX", -2, Write | Fast, 1, 1, 1, "sorted-set", SortedSetCommands.ZPopMax),
        C("BZPOPMIN", -3, Write | Fast | Blocking, 1, -2, 1, "sorted-set", SortedSetCommands.BZPopMin),
        C("BZPOPMAX", -3, Write | Fast | Blocking, 1, -2, 1, "sorted-set", SortedSetCommands.BZPopMax),
        C("ZMPOP", -4, Write, 2, 2, 1, "sorted-set", SortedSetCommands.ZMPop, numKeysAt: 1),
        C("BZMPOP", -5, Write | Blocking, 3, 3, 1, "sorted-set", SortedSetCommands.BZMPop, numKeysAt: 2),
        C("ZRANDMEMBER", -2, R, 1, 1, 1, "sorted-set", SortedSetCommands.ZRandMember),
        C("ZSCAN", -3, R, 1, 1, 1, "sorted-set", SortedSetCommands.ZScan),
        C("ZUNION", -3, R, 2, 2, 1, "sorted-set", SortedSetAlgebraCommands.ZUnion, numKeysAt: 1),
        C("ZINTER", -3, R, 2, 2, 1, "sorted-set", SortedSetAlgebraCommands.ZInter, numKeysAt: 1),
        C("ZDIFF", -3, R, 2, 2, 1, "sorted-set", SortedSetAlgebraCommands.ZDiff, numKeysAt: 1),
        C("ZUNIONSTORE", -4, W, 1, 1, 1, "sorted-set", SortedSetAlgebraCommands.ZUnionStore, numKeysAt: 2, keys: "W R"),
        C("ZINTERSTORE", -4, W, 1, 1, 1, "sorted-set", SortedSetAlgebraCommands.ZInterStore, numKeysAt: 2, keys: "W R"),
        C("ZDIFFSTORE", -4, W, 1, 1, 1, "sorted-set", SortedSetAlgebraCommands.ZDiffStore, numKeysAt: 2, keys: "W R"),
        C("ZINTERCARD", -3, R, 2, 2, 1, "sorted-set", SortedSetAlgebraCommands.ZInterCard, numKeysAt: 1),

        // ---- lists ----
        C("LPUSH", -3, W | Fast, 1, 1, 1, "list", ListCommands.LPush, keys: "W"),
        C("RPUSH", -3, W | Fast, 1, 1, 1, "list", ListCommands.RPush, keys: "W"),
        C("LPUSHX", -3, W | Fast, 1, 1, 1, "list", ListCommands.LPushX, keys: "W"),
        C("RPUSHX", -3, W | Fast, 1, 1, 1, "list", ListCommands.RPushX, keys: "W"),
        C("LPOP", -2, Write | Fast, 1, 1, 1, "list", ListCommands.LPop),
        C("RPOP", -2, Write | Fast, 1, 1, 1, "list", ListCommands.RPop),
        C("LLEN", 2, R | Fast, 1, 1, 1, "list", ListCommands.LLen, keys: ""),
        C("LRANGE", 4, R, 1, 1, 1, "list", ListCommands.LRange),
        C("LINDEX", 3, R, 1, 1, 1, "list", ListCommands.LIndex),
        C("LSET", 4, W, 1, 1, 1, "list", ListCommands.LSet, keys: "W"),
        C("LINSERT", 5, W, 1, 1, 1, "list", ListCommands.LInsert, keys: "W"),
        C("LREM", 4, Write, 1, 1, 1, "list", ListCommands.LRem, keys: "W"),
        C("LTRIM", 4, Write, 1, 1, 1, "list", ListCommands.LTrim, keys: "W"),
        C("LPOS", -3, R, 1, 1, 1, "list", ListCommands.LPos),
        C("LMOVE", 5, W, 1, 2, 1, "list", ListMoveCommands.LMove, keys: "RW W"),
        C("RPOPLPUSH", 3, W, 1, 2, 1, "list", ListMoveCommands.RPopLPush, keys: "RW W"),
        C("LMPOP", -4, Write, 2, 2, 1, "list", ListMoveCommands.LMPop, numKeysAt: 1),
        C("BLPOP", -3, Write | Blocking, 1, -2, 1, "list", ListMoveCommands.BLPop),
        C("BRPOP", -3, Write | Blocking, 1, -2, 1, "list", ListMoveCommands.BRPop),
        C("BLMOVE", 6, W | Blocking, 1, 2, 1, "list", ListMoveCommands.BLMove, keys: "RW W"),
        C("BRPOPLPUSH", 4, W | Blocking, 1, 2, 1, "list", ListMoveCommands.BRPopLPush, keys: "RW W"),
        C("BLMPOP", -5, Write | Blocking, 3, 3, 1, "list", ListMoveCommands.BLMPop, numKeysAt: 2),

        // ---- sets ----
        C("SADD", -3, W | Fast, 1, 1, 1, "set", SetCommands.SAdd, keys: "W"),
        C("SREM", -3, Write | Fast, 1, 1, 1, "set", SetCommands.SRem, keys: "W"),
        C("SMEMBERS", 2, R, 1, 1, 1, "set", SetCommands.SMembers),
        C("SISMEMBER", 3, R | Fast, 1, 1, 1, "set", SetCommands.SIsMember, keys: ""),
        C("SMISMEMBER", -3, R | Fast, 1, 1, 1, "set", SetCommands.SMIsMember),
        C("SCARD", 2, R | Fast, 1, 1, 1, "set", SetCommands.SCard, keys: ""),
        C("SPOP", -2, Write | Fast, 1, 1, 1, "set", SetCommands.SPop),
        C("SRANDMEMBER", -2, R, 1, 1, 1, "set", SetCommands.SRandMember),
        C("SMOVE", 4, Write | Fast, 1, 2, 1, "set", SetCommands.SMove, keys: "RW W"),
        C("SINTER", -2, R, 1, -1, 1, "set", SetCommands.SInter),
        C("SUNION", -2, R, 1, -1, 1, "set", SetCommands.SUnion),
        C("SDIFF", -2, R, 1, -1, 1, "set", SetCommands.SDiff),
        C("SINTERSTORE", -3, W, 1, -1, 1, "set", SetCommands.SInterStore, keys: "W R"),
        C("SUNIONSTORE", -3, W, 1, -1, 1, "set", SetCommands.SUnionStore, keys: "W R"),
        C("SDIFFSTORE", -3, W, 1, -1, 1, "set", SetCommands.SDiffStore, keys: "W R"),
        C("SINTERCARD", -3, R, 2, 2, 1, "set", SetCommands.SInterCard, numKeysAt: 1),
        C("SSCAN", -3, R, 1, 1, 1, "set", SetCommands.SScan),

        // ---- bitmaps (on strings) ----
        C("SETBIT", 4, W, 1, 1, 1, "bitmap", BitmapCommands.SetBit),
        C("GETBIT", 3, R | Fast, 1, 1, 1, "bitmap", BitmapCommands.GetBit),
        C("BITCOUNT", -2, R, 1, 1, 1, "bitmap", BitmapCommands.BitCount),
        C("BITPOS", -3, R, 1, 1, 1, "bitmap", BitmapCommands.BitPos),
        C("BITOP", -4, W, 2, -1, 1, "bitmap", BitmapCommands.BitOp, keys: "W R"),
        C("BITFIELD", -2, W, 1, 1, 1, "bitmap", BitfieldCommand.Bitfield),
        C("BITFIELD_RO", -2, R | Fast, 1, 1, 1, "bitmap", BitfieldCommand.BitfieldRo),

        // ---- HyperLogLog (on strings) ----
        C("PFADD", -2, W | Fast, 1, 1, 1, "hyperloglog", HyperLogLogCommands.PfAdd, keys: "W"),
        C("PFCOUNT", -2, R, 1, -1, 1, "hyperloglog", HyperLogLogCommands.PfCount),
        C("PFMERGE", -2, W, 1, -1, 1, "hyperloglog", HyperLogLogCommands.PfMerge, keys: "RW R"),

        // ---- geo (on sorted sets) ----
        C("GEOADD", -5, W, 1, 1, 1, "geo", GeoCommands.GeoAdd, keys: "W"),
        C("GEODIST", -4, R, 1, 1, 1, "geo", GeoCommands.GeoDist),
        C("GEOHASH", -2, R, 1, 1, 1, "geo", GeoCommands.GeoHashCommand),
        C("GEOPOS", -2, R, 1, 1, 1, "geo", GeoCommands.GeoPos),
        C("GEOSEARCH", -7, R, 1, 1, 1, "geo", GeoSearchCommand.GeoSearch),
        C("GEOSEARCHSTORE", -8, W, 1, 2, 1, "geo", GeoSearchCommand.GeoSearchStore, keys: "W R"),
        C("GEORADIUS", -6, W, 1, 1, 1, "geo", GeoSearchCommand.GeoRadius, keywordKeys: GeoSearchCommand.StoreKeys, keys: "R W W"),
        C("GEORADIUS_RO", -6, R, 1, 1, 1, "geo", GeoSearchCommand.GeoRadiusRo),
        C("GEORADIUSBYMEMBER", -5, W, 1, 1, 1, "geo", GeoSearchCommand.GeoRadiusByMember, keywordKeys: GeoSearchCommand.StoreKeys, keys: "R W W"),
        C("GEORADIUSBYMEMBER_RO", -5, R, 1, 1, 1, "geo", GeoSearchCommand.GeoRadiusByMemberRo),

        // ---- generic (keys) ----
        C("DEL", -2, Write, 1, -1, 1, "generic", KeyCommands.Del, Routing.EachKey, Merge.Sum, keys: "W"),
        C("UNLINK", -2, Write | Fast, 1, -1, 1, "generic", KeyCommands.Del, Routing.EachKey, Merge.Sum, keys: "W"),
        C("EXISTS", -2, R | Fast, 1, -1, 1, "generic", KeyCommands.Exists, Routing.EachKey, Merge.Sum, keys: ""),
        C("TOUCH", -2, R | Fast, 1, -1, 1, "generic", KeyCommands.Touch, Routing.EachKey, Merge.Sum, keys: ""),
        C("TYPE", 2, R | Fast, 1, 1, 1, "generic", KeyCommands.Type, keys: ""),
        C("EXPIRE", -3, Write | Fast, 1, 1, 1, "generic", KeyCommands.Expire, keys: "W"),
        C("PEXPIRE", -3, Write | Fast, 1, 1, 1, "generic", KeyCommands.PExpire, keys: "W"),
        C("EXPIREAT", -3, Write | Fast, 1, 1, 1, "generic", KeyCommands.ExpireAt, keys: "W"),
        C("PEXPIREAT", -3, Write | Fast, 1, 1, 1, "generic", KeyCommands.PExpireAt, keys: "W"),
        C("TTL", 2, R | Fast, 1, 1, 1, "generic", KeyCommands.Ttl),
        C("PTTL", 2, R | Fast, 1, 1, 1, "generic", KeyCommands.PTtl),
        C("EXPIRETIME", 2, R | Fast, 1, 1, 1, "generic", KeyCommands.ExpireTime),
        C("PEXPIRETIME", 2, R | Fast, 1, 1, 1, "generic", KeyCommands.PExpireTime),
        C("PERSIST", 2, Write | Fast, 1, 1, 1, "generic", KeyCommands.Persist, keys: "W"),
        C("RENAME", 3, Write, 1, 2, 1, "generic", KeyCommands.Rename, keys: "RW W"),
        C("RENAMENX", 3, Write | Fast, 1, 2, 1, "generic", KeyCommands.RenameNx, keys: "RW W"),
        C("COPY", -3, W, 1, 2, 1, "generic", KeyCommands.Copy, keys: "R W"),
        C("OBJECT", -2, R, 2, 2, 1, "generic", ObjectCommand.Object, subcommands: "@keyspace encoding:R freq:R help idletime:R refcount:R"),
        C("KEYS", 2, R, 0, 0, 0, "generic", KeyCommands.Keys, Routing.AllPartitions, Merge.Concat, acl: "@dangerous"),
        C("SCAN", -2, R, 0, 0, 0, "generic", KeyCommands.Scan, Routing.AllPartitions),
        C("RANDOMKEY", 1, R, 0, 0, 0, "generic", KeyCommands.RandomKey, Routing.AllPartitions),
        C("DBSIZE", 1, R | Fast, 0, 0, 0, "server", KeyCommands.DbSize, Routing.AllPartitions, Merge.Sum, acl: "@keyspace"),
        C("FLUSHDB", -1, Write, 0, 0, 0, "server", KeyCommands.FlushDb, Routing.AllPartitions, Merge.Ok, acl: "@keyspace @dangerous"),
        C("FLUSHALL", -1, Write, 0, 0, 0, "server", KeyCommands.FlushDb, Routing.AllPartitions, Merge.Ok, acl: "@keyspace @dangerous"),
        C("MOVE", 3, Write | Fast, 1, 1, 1, "generic", DatabaseCommands.Move),
        C("SWAPDB", 3, Write | Fast, 0, 0, 0, "server", null, acl: "@keyspace @dangerous"),

        // ---- persistence: run by the partition grains themselves (no Core handler) ----
        C("SAVE", 1, Admin | NoScript, 0, 0, 0, "server", null, Routing.AllPartitions, Merge.Ok),
        C("BGSAVE", -1, Admin | NoScript, 0, 0, 0, "server", null, Routing.AllPartitions),
        C("LASTSAVE", 1, Fast | Loading | Stale, 0, 0, 0, "server", null, Routing.AllPartitions, Merge.Min, acl: "@admin @dangerous"),

        // ---- connection and server: answered by the front door (Routing.Server, no handler) ----
        C("PING", -1, Fast | Stale, 0, 0, 0, "connection", null),
        C("ECHO", 2, Fast | Stale, 0, 0, 0, "connection", null),
        C("QUIT", -1, NoAuth | Fast | Loading | Stale | AllowBusy, 0, 0, 0, "connection", null),
        C("RESET", 1, NoAuth | Fast | Loading | Stale | NoScript, 0, 0, 0, "connection", null),
        C("SELECT", 2, Fast | Loading | Stale, 0, 0, 0, "connection", null),
        C("AUTH", -2, NoAuth | NoScript | Loading | Stale | Fast | AllowBusy, 0, 0, 0, "connection", null),
        C("HELLO", -1, NoAuth | NoScript | Loading | Stale | Fast | AllowBusy, 0, 0, 0, "connection", null),
        C("CLIENT", -2, NoScript | Loading | Stale, 0, 0, 0, "connection", null, subcommands: "@connection caching getname getredir help id info kill:A list:A no-evict:A no-touch pause:A reply setinfo setname tracking trackinginfo unblock:A unpause:A"),
        C("COMMAND", -1, Loading | Stale, 0, 0, 0, "server", null, acl: "@connection", subcommands: "@connection count docs getkeys getkeysandflags help info list"),
        C("CONFIG", -2, Admin | NoScript | Loading | Stale, 0, 0, 0, "server", null, subcommands: "get:A help resetstat:A rewrite:A set:A"),
        C("INFO", -1, Loading | Stale, 0, 0, 0, "server", null, acl: "@dangerous"),
        C("TIME", 1, Loading | Stale | Fast, 0, 0, 0, "server", null),
        C("CLUSTER", -2, Stale, 0, 0, 0, "cluster", null, subcommands: "addslots:A addslotsrange:A bumpepoch:A count-failure-reports:A countkeysinslot delslots:A delslotsrange:A failover:A flushslots:A forget:A getkeysinslot help info keyslot links meet:A myid nodes replicas:A replicate:A reset:A saveconfig:A set-config-epoch:A setslot:A shards slaves:A slots"),
        C("READONLY", 1, Fast | Loading | Stale, 0, 0, 0, "cluster", null, acl: "@connection"),
        C("READWRITE", 1, Fast | Loading | Stale, 0, 0, 0, "cluster", null, acl: "@connection"),
        C("WAIT", 3, NoScript, 0, 0, 0, "connection", null),
        C("ROLE", 1, NoScript | Loading | Stale | Fast, 0, 0, 0, "server", null, acl: "@admin @dangerous"),
        C("LOLWUT", -1, ReadOnly | Fast, 0, 0, 0, "server", null),
        C("SHUTDOWN", -1, Admin | NoScript | Loading | Stale | NoMulti | AllowBusy, 0, 0, 0, "server", null),
        // MEMORY and DEBUG answer at the front door (process memory, the debug switch); the subcommands that need a
        // key's partition or every partition are the subcommand rows below, which the front door sends through the executor.
        C("MEMORY", -2, None, 0, 0, 0, "server", null, subcommands: "doctor help malloc-stats purge stats usage:R"),
        C("DEBUG", -2, Admin | NoScript | Loading | Stale, 0, 0, 0, "server", null),
        // SLOWLOG, LATENCY and MONITOR answer at the front door from every silo's node (Observability in Resp and Grains).
        C("SLOWLOG", -2, Admin | Loading | Stale, 0, 0, 0, "server", null, subcommands: "get:A help len:A reset:A"),
        C("LATENCY", -2, Admin | NoScript | Loading | Stale, 0, 0, 0, "server", null, subcommands: "doctor:A graph:A help histogram:A history:A latest:A reset:A"),
        C("MONITOR", 1, Admin | NoScript | Loading | Stale, 0, 0, 0, "server", null),
        // ACL users: the front door checks every command against its client's user (Orleans.Cache.Core.Acl).
        C("ACL", -2, NoScript | Loading | Stale, 0, 0, 0, "server", null,
            subcommands: "cat deluser:A dryrun:A genpass getuser:A help list:A load:A log:A save:A setuser:A users:A whoami"),

        // ---- scripting: run in the partition of the declared keys (keys follow the count at argument 2) ----
        C("EVAL", -3, NoScript | Stale, 3, 0, 1, "scripting", ScriptCommands.Eval, numKeysAt: 2, keys: "RW"),
        C("EVALSHA", -3, NoScript | Stale, 3, 0, 1, "scripting", ScriptCommands.EvalSha, numKeysAt: 2, keys: "RW"),
        C("EVAL_RO", -3, NoScript | Stale | ReadOnly, 3, 0, 1, "scripting", ScriptCommands.EvalRo, numKeysAt: 2),
        C("EVALSHA_RO", -3, NoScript | Stale | ReadOnly, 3, 0, 1, "scripting", ScriptCommands.EvalShaRo, numKeysAt: 2),
        C("FCALL", -3, NoScript | Stale, 3, 0, 1, "scripting", ScriptCommands.FCall, numKeysAt: 2, keys: "RW"),
        C("FCALL_RO", -3, NoScript | Stale | ReadOnly, 3, 0, 1, "scripting", ScriptCommands.FCallRo, numKeysAt: 2),
        C("FUNCTION", -2, NoScript, 0, 0, 0, "scripting", ScriptCommands.Function, Routing.AllPartitions, subcommands: "@scripting delete:W dump flush:W help kill list load:W restore:W stats"),
        C("SCRIPT", -2, NoScript, 0, 0, 0, "scripting", null, subcommands: "@scripting debug exists flush help kill load"),

        // ---- transactions: queued by the front door, run as one atomic batch in the partition ----
        C("MULTI", 1, NoScript | Loading | Stale | Fast | AllowBusy, 0, 0, 0, "transactions", null),
        C("EXEC", 1, NoScript | Loading | Stale, 0, 0, 0, "transactions", null),
        C("DISCARD", 1, NoScript | Loading | Stale | Fast | AllowBusy, 0, 0, 0, "transactions", null),
        C("WATCH", -2, NoScript | Loading | Stale | Fast | AllowBusy, 1, -1, 1, "transactions", null, Routing.Server),
        C("UNWATCH", 1, NoScript | Loading | Stale | Fast | AllowBusy, 0, 0, 0, "transactions", null),

        // ---- pubsub: answered by the front door through the silo's pub/sub hub ----
        C("PUBLISH", 3, PubSub | Loading | Stale | Fast, 0, 0, 0, "pubsub", null),
        C("SUBSCRIBE", -2, PubSub | NoScript | Loading | Stale, 0, 0, 0, "pubsub", null),
        C("UNSUBSCRIBE", -1, PubSub | NoScript | Loading | Stale, 0, 0, 0, "pubsub", null),
        C("PSUBSCRIBE", -2, PubSub | NoScript | Loading | Stale, 0, 0, 0, "pubsub", null),
        C("PUNSUBSCRIBE", -1, PubSub | NoScript | Loading | Stale, 0, 0, 0, "pubsub", null),
        C("PUBSUB", -2, None, 0, 0, 0, "pubsub", null, subcommands: "channels:P help numpat:P numsub:P shardchannels:P shardnumsub:P"),
        C("SPUBLISH", 3, PubSub | Loading | Stale | Fast, 1, 1, 1, "pubsub", null, Routing.Server),
        C("SSUBSCRIBE", -2, PubSub | NoScript | Loading | Stale, 1, -1, 1, "pubsub", null, Routing.Server),
        C("SUNSUBSCRIBE", -1, PubSub | NoScript | Loading | Stale, 1, -1, 1, "pubsub", null, Routing.Server),
    ];

    /// <summary>
    /// Subcommand rows, Redis's "container|subcommand" entries: a subcommand of a front-door command that must run where
    /// the keys are (MEMORY USAGE in its key's partition, DEBUG SET-ACTIVE-EXPIRE in every partition). Wire lookups never
    /// find them and COMMAND does not list them: the container's front-door handler checks its arguments (and, for DEBUG,
    /// whether DEBUG is enabled), then sends the request under this row through the executor. So MEMORY stays one
    /// command to clients, and the part that runs in a partition still has a row (arity, flags, key positions, handler)
    /// that the router and the grain call use like any other.
    /// </summary>
    public static IReadOnlyList<CommandInfo> Subcommands { get; } =
    [
        C("MEMORY|USAGE", -3, R, 2, 2, 1, "server", MemoryUsage.Usage),
        C("DEBUG|OBJECT", 3, Admin | NoScript | Loading | Stale, 2, 2, 1, "server", DebugCommands.Object),
        C("DEBUG|SET-ACTIVE-EXPIRE", 3, Admin | NoScript | Loading | Stale, 0, 0, 0, "server", DebugCommands.SetActiveExpire,
            Routing.AllPartitions, Merge.Ok),
        C("DEBUG|THROW", 3, Admin | NoScript | Loading | Stale, 2, 2, 1, "server", DebugCommands.Throw),
    ];

    /// <summary>Every row, commands then subcommand rows, in <see cref="CommandInfo.Id"/> order.</summary>
    public static IReadOnlyList<CommandInfo> Rows { get; } = [.. All, .. Subcommands];

    // Runs with the other initializers, right after Rows: every row knows its position before any lookup.
    private static readonly int RowCount = Number();

    private static int Number()
    {
        for (int i = 0; i < Rows.Count; i++) Rows[i].Id = i;
        return Rows.Count;
    }

    /// <summary>The row with <see cref="CommandInfo.Id"/> <paramref name="id"/> (a resolved command after a grain call), or null.</summary>
    public static CommandInfo? ById(int id) => (uint)id < (uint)RowCount ? Rows[id] : null;

    /// <summary>A subcommand row by its full name ("MEMORY|USAGE"); throws when there is none (a programming error).</summary>
    public static CommandInfo Subcommand(string fullName) =>
        Subcommands.FirstOrDefault(c => c.Name == fullName) ?? throw new ArgumentException($"no subcommand row {fullName}");

    private static readonly FrozenDictionary<string, CommandInfo> ByName =
        All.ToFrozenDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    private const int MaxNameLength = 32;

    // The wire lookup runs for every command (router and partition), so it avoids hashing: the few rows with the
    // same length and first letter are compared byte by byte, ASCII case folded.
    private static readonly CommandInfo[]?[] ByLengthAndFirst = CreateWireIndex();

    private static int Slot(int length, byte first) => length * 32 + (first & 0x1F);

    private static CommandInfo[]?[] CreateWireIndex()
    {
        var index = new CommandInfo[]?[(MaxNameLength + 1) * 32];
        foreach (var group in All.Where(c => c.Name.Length <= MaxNameLength).GroupBy(c => Slot(c.Name.Length, (byte)c.Name[0])))
            index[group.Key] = [.. group];
        return index;
    }

    public static CommandInfo? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Looks a command up by its name as it arrived on the wire (any case), without allocating.</summary>
    public static CommandInfo? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length == 0 || name.Length > MaxNameLength) return null;
        var candidates = ByLengthAndFirst[Slot(name.Length, name[0])];
        if (candidates is null) return null;
        foreach (var command in candidates)
            if (Args.Is(name, command.Name)) return command;
        return null;
    }
}
