using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.Cache.Tests.Snapshots;

/// <summary>
/// Grain storage in memory that fails on demand: while <see cref="ReadFault"/> or <see cref="WriteFault"/> returns an
/// exception for a state name, that read or write throws it instead. One instance can outlive a cluster, so a second
/// cluster finds what the first saved. With an <c>inner</c> storage, what does not fail goes there instead.
/// </summary>
internal sealed class FaultyStorage(IGrainStorage? inner = null) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string Grain, string State), object?> _records = new();
    private int _readsFailed, _writesFailed;

    public Func<string, Exception?>? ReadFault { get; set; }
    public Func<string, Exception?>? WriteFault { get; set; }
    public Func<string, Exception?>? ClearFault { get; set; }

    public int ReadsFailed => Volatile.Read(ref _readsFailed);
    public int WritesFailed => Volatile.Read(ref _writesFailed);

    /// <summary>The state names stored now (e.g. "snapshot", "snapshot-638…-0").</summary>
    public IReadOnlyList<string> StateNames => [.. _records.Keys.Select(k => k.State)];

    /// <summary>Per grain, the generations its chunk records belong to ("snapshot-{generation}-{index}").</summary>
    public Dictionary<string, long[]> ChunkGenerations() => _records.Keys
        .Where(k => k.State.StartsWith("snapshot-", StringComparison.Ordinal))
        .GroupBy(k => k.Grain)
        .ToDictionary(g => g.Key, g => g.Select(k => long.Parse(k.State.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToArray());

    /// <summary>Per grain, the generation its manifest points at.</summary>
    public Dictionary<string, long> ManifestGenerations() => _records
        .Where(r => r.Key.State == "snapshot" && r.Value is Grains.SnapshotManifest)
        .ToDictionary(r => r.Key.Grain, r => ((Grains.SnapshotManifest)r.Value!).Generation);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (ReadFault?.Invoke(stateName) is { } fault)
        {
            Interlocked.Increment(ref _readsFailed);
            return Task.FromException(fault);
        }
        if (inner is not null) return inner.ReadStateAsync(stateName, grainId, grainState);
        if (_records.TryGetValue((grainId.ToString(), stateName), out var state))
        {
            grainState.State = (T)state!;
            grainState.RecordExists = true;
            grainState.ETag = "1";
        }
        else
        {
            grainState.RecordExists = false;
            grainState.ETag = null;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (WriteFault?.Invoke(stateName) is { } fault)
        {
            Interlocked.Increment(ref _writesFailed);
            return Task.FromException(fault);
        }
        if (inner is not null) return inner.WriteStateAsync(stateName, grainId, grainState);
        _records[(grainId.ToString(), stateName)] = grainState.State;
        grainState.RecordExists = true;
        grainState.ETag = "1";
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (ClearFault?.Invoke(stateName) is { } fault) return Task.FromException(fault);
        if (inner is not null) return inner.ClearStateAsync(stateName, grainId, grainState);
        _records.TryRemove((grainId.ToString(), stateName), out _);
        grainState.RecordExists = false;
        grainState.ETag = null;
        return Task.CompletedTask;
    }
}
