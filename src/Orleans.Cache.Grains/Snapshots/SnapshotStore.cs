using System.Buffers;
using System.Runtime.InteropServices;
using Orleans.Cache.Core;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.Cache.Grains;

/// <summary>Points at the chunks of a partition's current snapshot.</summary>
[GenerateSerializer, Alias("Orleans.Cache.SnapshotManifest")]
public sealed class SnapshotManifest
{
    /// <summary>Distinguishes the chunk records of one save from those of the previous one.</summary>
    [Id(0)] public long Generation { get; set; }
    [Id(1)] public int Chunks { get; set; }
    [Id(2)] public long Bytes { get; set; }
}

/// <summary>One piece of a snapshot.</summary>
[GenerateSerializer, Alias("Orleans.Cache.SnapshotChunk")]
public sealed class SnapshotChunk
{
    [Id(0)] public byte[] Data { get; set; } = [];
}

/// <summary>
/// Saves and loads one partition's snapshot through <see cref="IGrainStorage"/>, in chunks so that no single
/// record grows past what a provider handles well. A save writes the new generation's chunks first, then
/// switches the manifest to them, then clears the old chunks: a crash at any point leaves a readable snapshot.
/// Not thread-safe; the partition grain runs one save at a time.
/// </summary>
internal sealed class SnapshotStore(IGrainStorage storage, GrainId grain, int chunkBytes)
{
    private const string ManifestName = "snapshot";
    private readonly GrainState<SnapshotManifest> _manifest = new(new SnapshotManifest());
    private List<(string Name, string? ETag)> _chunks = [];

    private static string ChunkName(long generation, int index) => $"snapshot-{generation}-{index}";

    /// <summary>The stored snapshot, or null when this partition never saved.</summary>
    public async Task<SnapshotData?> LoadAsync()
    {
        await storage.ReadStateAsync(ManifestName, grain, _manifest);
        var manifest = _manifest.State;
        if (!_manifest.RecordExists || manifest is null || manifest.Chunks == 0) return null;
        long total = 0;
        var segments = new List<ReadOnlyMemory<byte>>(manifest.Chunks);
        var chunks = new List<(string, string?)>();
        for (int i = 0; i < manifest.Chunks; i++)
        {
            var name = ChunkName(manifest.Generation, i);
            var chunk = new GrainState<SnapshotChunk>(new SnapshotChunk());
            await storage.ReadStateAsync(name, grain, chunk);
            var bytes = chunk.State?.Data ?? [];
            if (!chunk.RecordExists || total + bytes.Length > manifest.Bytes)
                throw new InvalidDataException($"snapshot chunk {i} of {manifest.Chunks} is missing or larger than the manifest says");
            segments.Add(bytes);
            total += bytes.Length;
            chunks.Add((name, chunk.ETag));
        }
        if (total != manifest.Bytes) throw new InvalidDataException($"snapshot chunks hold {total} bytes, the manifest says {manifest.Bytes}");
        _chunks = chunks;
        return new SnapshotData(segments);
    }

    /// <summary>Saves on the thread pool after <paramref name="previous"/> finished, so the grain keeps serving meanwhile.</summary>
    public Task SaveInBackground(Task previous, SnapshotData data) => Task.Run(async () =>
    {
        try { await previous.ConfigureAwait(false); }
        catch { /* the previous save reported its own failure */ }
        await SaveAsync(data).ConfigureAwait(false);
    });

    public async Task SaveAsync(SnapshotData data)
    {
        long generation = Math.Max(DateTime.UtcNow.Ticks, (_manifest.State?.Generation ?? 0) + 1);
        var written = new List<(string, string?)>();
        foreach (var piece in Chunks(data, chunkBytes))
        {
            var state = new GrainState<SnapshotChunk>(new SnapshotChunk { Data = piece });
            var name = ChunkName(generation, written.Count);
            await storage.WriteStateAsync(name, grain, state);
            written.Add((name, state.ETag));
        }
        _manifest.State = new SnapshotManifest { Generation = generation, Chunks = written.Count, Bytes = data.Length };
        await storage.WriteStateAsync(ManifestName, grain, _manifest);

        var old = _chunks;
        _chunks = written;
        foreach (var (name, etag) in old)
        {
            var state = new GrainState<SnapshotChunk>(new SnapshotChunk()) { ETag = etag, RecordExists = true };
            await storage.ClearStateAsync(name, grain, state);
        }
    }

    /// <summary>
    /// The snapshot cut into pieces of <paramref name="chunkBytes"/> (at least one, even when empty); a piece that is a whole
    /// segment of the snapshot is passed on as it is, without a copy.
    /// </summary>
    private static IEnumerable<byte[]> Chunks(SnapshotData data, int chunkBytes)
    {
        var rest = data.AsSequence();
        if (rest.IsEmpty) yield return [];
        while (!rest.IsEmpty)
        {
            var piece = rest.Slice(0, Math.Min(chunkBytes, rest.Length));
            yield return piece.IsSingleSegment && MemoryMarshal.TryGetArray(piece.First, out var array) && array.Offset == 0 && array.Count == array.Array!.Length
                ? array.Array
                : piece.ToArray();
            rest = rest.Slice(piece.Length);
        }
    }
}
