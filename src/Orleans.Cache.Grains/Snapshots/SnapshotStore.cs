using System.Buffers;
using System.Runtime.InteropServices;
using Orleans.Cache.Core;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.Cache.Grains;

/// <summary>Points at the chunks of a partition's current snapshot.</summary>
[GenerateSerializer, Alias("Orleans.Cache.SnapshotManifest")]
internal sealed class SnapshotManifest
{
    /// <summary>Distinguishes the chunk records of one save from those of the previous one.</summary>
    [Id(0)] public long Generation { get; set; }
    [Id(1)] public int Chunks { get; set; }
    [Id(2)] public long Bytes { get; set; }
    /// <summary>A save in progress (or one interrupted by a crash): its generation and chunk count, cleared by the next save.</summary>
    [Id(3)] public long PendingGeneration { get; set; }
    [Id(4)] public int PendingChunks { get; set; }
    /// <summary>The cluster's partition count when this snapshot was written (0: written before it was recorded).</summary>
    [Id(5)] public int Partitions { get; set; }
    /// <summary>The effect offset the snapshot holds (0: written before it was recorded), compared with a replica's copy.</summary>
    [Id(6)] public long Offset { get; set; }
}

/// <summary>One piece of a snapshot.</summary>
[GenerateSerializer, Alias("Orleans.Cache.SnapshotChunk")]
internal sealed class SnapshotChunk
{
    [Id(0)] public byte[] Data { get; set; } = [];
}

/// <summary>
/// Saves and loads one partition's snapshot through <see cref="IGrainStorage"/>, in chunks so that no single
/// record grows past what a provider handles well. A save marks itself pending in the manifest, writes the new
/// generation's chunks, switches the manifest to them, then clears the old chunks: a crash at any point leaves a
/// readable snapshot, and the chunks of a failed or interrupted save are cleared.
/// Not thread-safe; the partition grain runs one save at a time.
/// </summary>
internal sealed class SnapshotStore(IGrainStorage storage, GrainId grain, int chunkBytes, int partitions)
{
    private const string ManifestName = "snapshot";
    private readonly GrainState<SnapshotManifest> _manifest = new(new SnapshotManifest());
    private List<(string Name, string? ETag)> _chunks = [];

    private static string ChunkName(long generation, int index) => $"snapshot-{generation}-{index}";

    /// <summary>
    /// Reads only the manifest (its ETag, for the next save; the offset the stored snapshot holds): a partition promoted
    /// from a replica has its data already, unless the stored snapshot is ahead of the copy.
    /// </summary>
    public async Task<long> ReadManifestAsync()
    {
        await storage.ReadStateAsync(ManifestName, grain, _manifest);
        return _manifest.RecordExists ? _manifest.State?.Offset ?? 0 : 0;
    }

    /// <summary>The stored snapshot, or null when this partition never saved.</summary>
    public async Task<SnapshotData?> LoadAsync()
    {
        await storage.ReadStateAsync(ManifestName, grain, _manifest);
        var manifest = _manifest.State;
        if (!_manifest.RecordExists || manifest is null || manifest.Chunks == 0) return null;
        if (manifest.Partitions != 0 && manifest.Partitions != partitions)
            throw PartitionCountMismatchException.For(partitions, manifest.Partitions, "this snapshot");
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

    /// <summary>
    /// Writes a new generation of chunks, then switches the manifest to it, then clears the previous one. The manifest
    /// first records the save as pending, so that the chunks of a save that fails, or of one a crash interrupts, are
    /// cleared (at once, or by the next save): storage never fills up with orphans, and the previous snapshot stays the
    /// one that loads until the new one is complete.
    /// </summary>
    public async Task SaveAsync(SnapshotData data)
    {
        var current = _manifest.State ?? new SnapshotManifest();
        if (current.PendingGeneration != 0) await ClearGenerationAsync(current.PendingGeneration, current.PendingChunks, known: null);
        long generation = Math.Max(DateTime.UtcNow.Ticks, current.Generation + 1);
        int count = (int)Math.Max(1, (data.Length + chunkBytes - 1) / chunkBytes);
        await WriteManifestAsync(new SnapshotManifest
        {
            Generation = current.Generation, Chunks = current.Chunks, Bytes = current.Bytes, Partitions = current.Partitions,
            Offset = current.Offset, PendingGeneration = generation, PendingChunks = count,
        });

        var written = new List<(string, string?)>();
        try
        {
            foreach (var piece in Chunks(data, chunkBytes))
            {
                var state = new GrainState<SnapshotChunk>(new SnapshotChunk { Data = piece });
                var name = ChunkName(generation, written.Count);
                written.Add((name, null));
                await storage.WriteStateAsync(name, grain, state);
                written[^1] = (name, state.ETag);
            }
        }
        catch
        {
            await AbandonAsync(current, generation, count, written);
            throw;
        }

        try
        {
            await WriteManifestAsync(new SnapshotManifest
            {
                Generation = generation, Chunks = written.Count, Bytes = data.Length, Partitions = partitions, Offset = Snapshot.OffsetOf(data),
            });
        }
        catch
        {
            // The write may have happened (a timeout after the commit): storage says which.
            bool? switched = await ManifestIsAsync(generation);
            if (switched == false) await AbandonAsync(current, generation, count, written);
            if (switched != true) throw; // unknown: leave the chunks; the pending mark has the next save clear them
        }

        var old = _chunks;
        _chunks = written;
        foreach (var (name, etag) in old)
        {
            var state = new GrainState<SnapshotChunk>(new SnapshotChunk()) { ETag = etag, RecordExists = true };
            try { await storage.ClearStateAsync(name, grain, state); }
            catch { /* an orphan of the previous generation; harmless, the manifest no longer names it */ }
        }
    }

    /// <summary>Whether the stored manifest points at <paramref name="generation"/> (null: storage cannot say); keeps its ETag.</summary>
    private async Task<bool?> ManifestIsAsync(long generation)
    {
        var stored = new GrainState<SnapshotManifest>(new SnapshotManifest());
        try { await storage.ReadStateAsync(ManifestName, grain, stored); }
        catch { return null; }
        (_manifest.State, _manifest.ETag, _manifest.RecordExists) = (stored.State, stored.ETag, stored.RecordExists);
        return stored.State?.Generation == generation;
    }

    private async Task WriteManifestAsync(SnapshotManifest manifest)
    {
        var previous = _manifest.State;
        _manifest.State = manifest;
        try { await storage.WriteStateAsync(ManifestName, grain, _manifest); }
        catch
        {
            _manifest.State = previous;
            throw;
        }
    }

    /// <summary>A failed save: its chunks are cleared and the manifest's pending mark removed (best effort; else the next save does it).</summary>
    private async Task AbandonAsync(SnapshotManifest current, long generation, int count, List<(string Name, string? ETag)> written)
    {
        try
        {
            await ClearGenerationAsync(generation, count, written);
            await WriteManifestAsync(new SnapshotManifest { Generation = current.Generation, Chunks = current.Chunks, Bytes = current.Bytes, Partitions = current.Partitions });
        }
        catch { /* storage is failing: the pending mark stays, and the next save clears these chunks */ }
    }

    /// <summary>Clears the chunks of a generation the manifest does not point at; <paramref name="known"/>: those written, with ETags.</summary>
    private async Task ClearGenerationAsync(long generation, int count, List<(string Name, string? ETag)>? known)
    {
        for (int i = 0; i < count; i++)
        {
            var name = ChunkName(generation, i);
            var state = new GrainState<SnapshotChunk>(new SnapshotChunk());
            if (known is not null && i < known.Count && known[i].ETag is { } etag) (state.ETag, state.RecordExists) = (etag, true);
            else
            {
                await storage.ReadStateAsync(name, grain, state);
                if (!state.RecordExists) continue;
            }
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
