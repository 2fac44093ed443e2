using System.Buffers.Binary;
using System.IO.Hashing;

namespace Orleans.Cache.Core;

/// <summary>What a snapshot header says: its format version, the replication offset it contains, how many keys.</summary>
public readonly record struct SnapshotInfo(int Version, long Offset, long Keys, long SavedAt);

/// <summary>A snapshot that cannot be read: wrong magic, newer format, truncated or corrupt.</summary>
public sealed class SnapshotFormatException(string message) : Exception(message);

/// <summary>
/// The snapshot format of one partition (like Redis's RDB, but per partition):
/// <c>"OCSNAP" u16:version i64:offset i64:savedAt i64:keys</c>, then per key
/// <c>u8:type varint:keyLength key varint:expireAt value</c>, then (from version 2) <c>varint:length libraries</c>, the
/// partition's function libraries as FUNCTION DUMP writes them (empty: none), then <c>u64:xxhash64</c> of everything
/// before it. Expiry times are absolute Unix milliseconds; keys (and hash fields) already expired are not written, and
/// those that expired while the snapshot sat on disk are dropped when it is loaded. Version 2 added the libraries and the
/// value type <see cref="SnapshotType.HashWithFieldTtls"/>; version 1 snapshots load unchanged.
/// </summary>
public static class Snapshot
{
    public const int FormatVersion = 2;
    private static ReadOnlySpan<byte> Magic => "OCSNAP"u8;
    private const int HeaderLength = 6 + 2 + 8 + 8 + 8;

    /// <summary>
    /// Writes every live key of <paramref name="db"/> to a new array, with the effect offset it holds (after the keys
    /// found expired on the way were deleted); <paramref name="offset"/> overrides it (tests).
    /// </summary>
    public static byte[] Write(Keyspace db, long? offset = null)
    {
        db.Tick();
        var w = new SnapshotWriter(1024 + db.Count * 48);
        w.Raw(Magic);
        w.UInt16(FormatVersion);
        int offsetAt = w.Position;
        w.Int64(0);
        w.Int64(db.Now);
        int countAt = w.Position;
        w.Int64(0);
        long keys = 0;
        foreach (var e in db.Entries())
        {
            if (e.Value is RedisHash h && h.CountLive(db.Now) == 0) continue; // every field expired, not yet reclaimed
            w.Byte((byte)ValueCodec.TypeOf(e.Value));
            w.Bytes(e.Key);
            w.VarInt((ulong)e.ExpireAt);
            ValueCodec.Write(ref w, e.Value, db.Now);
            keys++;
        }
        w.PatchInt64(countAt, keys);
        // Functions live with the data, as in Redis's RDB: a partition that reloads has its libraries back.
        w.Bytes(db.ScriptsIfStarted is { FunctionCount: > 0 } scripts ? scripts.FunctionDump() : []);
        w.PatchInt64(offsetAt, offset ?? db.Effects.Offset);
        w.UInt64(XxHash64.HashToUInt64(w.Written));
        return w.ToArray();
    }

    /// <summary>Reads the header only (and checks the checksum).</summary>
    public static SnapshotInfo ReadInfo(ReadOnlySpan<byte> data) => ReadHeader(Verify(data));

    /// <summary>Replaces the contents of <paramref name="db"/> with the snapshot; keys past their expiry are skipped.</summary>
    public static SnapshotInfo Load(ReadOnlySpan<byte> data, Keyspace db)
    {
        var body = Verify(data);
        var info = ReadHeader(body);
        var r = new SnapshotReader(body[HeaderLength..]);
        db.Flush();
        db.Tick();
        for (long i = 0; i < info.Keys; i++)
        {
            var type = (SnapshotType)r.Byte();
            var key = r.Bytes();
            long expireAt = (long)r.VarInt();
            var value = ValueCodec.Read(ref r, type, db.Now);
            if (expireAt != 0 && expireAt < db.Now || value is RedisHash { Count: 0 }) continue;
            var entry = db.Set(key, value);
            if (expireAt != 0) db.SetExpiry(entry, expireAt);
        }
        if (info.Version >= 2 && r.Bytes() is { Length: > 0 } libraries && db.Scripts.FunctionRestore(libraries, "FLUSH") is { IsError: true } error)
            throw new SnapshotFormatException("snapshot's function libraries could not be restored: " + error.Text);
        if (!r.AtEnd) throw new SnapshotFormatException("snapshot has trailing bytes after its last key");
        db.Effects.Reset(info.Offset);
        return info;
    }

    private static ReadOnlySpan<byte> Verify(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderLength + 8 || !data.StartsWith(Magic))
            throw new SnapshotFormatException("not an Orleans.Cache snapshot (bad magic or too short)");
        int version = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]);
        if (version > FormatVersion)
            throw new SnapshotFormatException($"snapshot format version {version} is newer than this build reads ({FormatVersion})");
        var body = data[..^8];
        ulong expected = BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]);
        if (XxHash64.HashToUInt64(body) != expected)
            throw new SnapshotFormatException("snapshot checksum mismatch: the data is truncated or corrupt");
        return body;
    }

    private static SnapshotInfo ReadHeader(ReadOnlySpan<byte> body) => new(
        BinaryPrimitives.ReadUInt16LittleEndian(body[6..]),
        BinaryPrimitives.ReadInt64LittleEndian(body[8..]),
        BinaryPrimitives.ReadInt64LittleEndian(body[24..]),
        BinaryPrimitives.ReadInt64LittleEndian(body[16..]));
}
