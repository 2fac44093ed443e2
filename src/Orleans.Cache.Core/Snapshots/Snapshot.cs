using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace Orleans.Cache.Core;

/// <summary>What a snapshot header says: its format version, the replication offset it contains, how many keys.</summary>
internal readonly record struct SnapshotInfo(int Version, long Offset, long Keys, long SavedAt);

/// <summary>A snapshot that cannot be read: wrong magic, newer format, truncated or corrupt.</summary>
internal sealed class SnapshotFormatException(string message) : Exception(message);

/// <summary>
/// The snapshot format of one partition (like Redis's RDB, but per partition):
/// <c>"OCSNAP" u16:version i64:offset i64:savedAt i64:keys</c>, then per key
/// <c>u8:type varint:keyLength key varint:expireAt value</c>, then (from version 2) <c>varint:length libraries</c>, the
/// partition's function libraries as FUNCTION DUMP writes them (empty: none), then <c>u64:xxhash64</c> of everything
/// before it. Expiry times are absolute Unix milliseconds; keys (and hash fields) already expired are not written, and
/// those that expired while the snapshot sat on disk are dropped when it is loaded. Version 2 added the libraries and the
/// value type <see cref="SnapshotType.HashWithFieldTtls"/>; version 1 snapshots load unchanged.
/// </summary>
internal static class Snapshot
{
    public const int FormatVersion = 2;
    private static ReadOnlySpan<byte> Magic => "OCSNAP"u8;
    private const int HeaderLength = 6 + 2 + 8 + 8 + 8;

    /// <summary>
    /// Writes every live key of <paramref name="db"/> to a new array, with the effect offset it holds (after the keys
    /// found expired on the way were deleted); <paramref name="offset"/> overrides it (tests). Small snapshots only: see
    /// <see cref="WriteSegments"/>.
    /// </summary>
    public static byte[] Write(Keyspace db, long? offset = null) => WriteSegments(db, offset).ToArray();

    /// <summary>
    /// Writes every live key of <paramref name="db"/> to segments of at most <paramref name="segmentBytes"/> each, so that a
    /// partition of any size can be snapshotted; <paramref name="offset"/> overrides the effect offset (tests).
    /// </summary>
    public static SnapshotData WriteSegments(Keyspace db, long? offset = null, int segmentBytes = SnapshotData.DefaultSegmentBytes)
    {
        db.Tick();
        var w = new SnapshotWriter((int)Math.Min(1024 + (long)db.Count * 48, segmentBytes), segmentBytes);
        w.Raw(Magic);
        w.UInt16(FormatVersion);
        long offsetAt = w.Position;
        w.Int64(0);
        w.Int64(db.Now);
        long countAt = w.Position;
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
        var body = w.ToData();
        w.UInt64(SnapshotData.Hash(body.AsSequence()));
        return w.ToData();
    }

    /// <summary>The effect offset a snapshot holds, read from its header without checking the rest (0 when too short).</summary>
    public static long OffsetOf(SnapshotData data)
    {
        var sequence = data.AsSequence();
        if (sequence.Length < HeaderLength) return 0;
        Span<byte> head = stackalloc byte[16];
        sequence.Slice(0, 16).CopyTo(head);
        return BinaryPrimitives.ReadInt64LittleEndian(head[8..]);
    }

    /// <summary>Reads the header only (and checks the checksum).</summary>
    public static SnapshotInfo ReadInfo(ReadOnlySpan<byte> data) => ReadInfo(SnapshotData.From(data.ToArray()));

    /// <summary>Reads the header only (and checks the checksum).</summary>
    public static SnapshotInfo ReadInfo(SnapshotData data) => ReadHeader(Verify(data.AsSequence()));

    /// <summary>Replaces the contents of <paramref name="db"/> with the snapshot; keys past their expiry are skipped.</summary>
    public static SnapshotInfo Load(ReadOnlySpan<byte> data, Keyspace db) => Load(SnapshotData.From(data.ToArray()), db);

    /// <summary>Replaces the contents of <paramref name="db"/> with the snapshot; keys past their expiry are skipped.</summary>
    public static SnapshotInfo Load(SnapshotData data, Keyspace db)
    {
        var body = Verify(data.AsSequence());
        var info = ReadHeader(body);
        var r = new SnapshotReader(body.Slice(HeaderLength));
        db.Flush();
        db.Tick();
        for (long i = 0; i < info.Keys; i++)
        {
            var type = (SnapshotType)r.Byte();
            var key = r.Bytes();
            long expireAt = (long)r.VarInt();
            var value = ValueCodec.Read(ref r, type, db.Now, db.Encodings);
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

    private static ReadOnlySequence<byte> Verify(ReadOnlySequence<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        if (data.Length < HeaderLength + 8) throw new SnapshotFormatException("not an Orleans.Cache snapshot (bad magic or too short)");
        data.Slice(0, 8).CopyTo(head);
        if (!head.StartsWith(Magic)) throw new SnapshotFormatException("not an Orleans.Cache snapshot (bad magic or too short)");
        int version = BinaryPrimitives.ReadUInt16LittleEndian(head[6..]);
        if (version > FormatVersion)
            throw new SnapshotFormatException($"snapshot format version {version} is newer than this build reads ({FormatVersion})");
        var body = data.Slice(0, data.Length - 8);
        data.Slice(data.Length - 8).CopyTo(head);
        if (SnapshotData.Hash(body) != BinaryPrimitives.ReadUInt64LittleEndian(head))
            throw new SnapshotFormatException("snapshot checksum mismatch: the data is truncated or corrupt");
        return body;
    }

    private static SnapshotInfo ReadHeader(ReadOnlySequence<byte> body)
    {
        Span<byte> h = stackalloc byte[HeaderLength];
        body.Slice(0, HeaderLength).CopyTo(h);
        return new(
            BinaryPrimitives.ReadUInt16LittleEndian(h[6..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[16..]));
    }
}
