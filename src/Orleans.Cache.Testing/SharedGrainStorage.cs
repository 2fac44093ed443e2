using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace Orleans.Cache.Testing;

/// <summary>
/// Grain storage that every silo of one in-process test cluster shares and that outlives any of them: the stand-in for
/// the PostgreSQL "PubSubStore" a multi-silo deployment runs with (AdoNet clustering). Orleans's memory storage keeps
/// each record in one storage grain on one silo, so killing that silo takes stream subscriptions of the survivors with
/// it (their rendezvous state is gone or refuses its next write) — a loss the deployed configuration does not have.
/// Records are stored serialized (each silo reads its own copy) and guarded by ETags as real storage does.
/// </summary>
internal sealed class SharedGrainStorage(SharedGrainStorage.Table table, Serializer serializer) : IGrainStorage
{
    /// <summary>The records, one table per cluster.</summary>
    public sealed class Table
    {
        public readonly ConcurrentDictionary<string, (string ETag, byte[] Data)> Records = new();
        private long _version;
        public string NextETag() => Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Key(string stateName, GrainId grainId) => $"{stateName}/{grainId}";

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (table.Records.TryGetValue(Key(stateName, grainId), out var record))
        {
            grainState.State = serializer.Deserialize<T>(record.Data);
            grainState.ETag = record.ETag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string key = Key(stateName, grainId);
        lock (table)
        {
            Check(key, grainState.ETag);
            string etag = table.NextETag();
            table.Records[key] = (etag, serializer.SerializeToArray(grainState.State));
            grainState.ETag = etag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string key = Key(stateName, grainId);
        lock (table)
        {
            Check(key, grainState.ETag);
            table.Records.TryRemove(key, out _);
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        return Task.CompletedTask;
    }

    private void Check(string key, string? etag)
    {
        string? stored = table.Records.TryGetValue(key, out var record) ? record.ETag : null;
        if (stored != etag) throw new InconsistentStateException($"ETag mismatch on {key}", stored, etag);
    }
}
