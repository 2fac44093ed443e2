using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.Cache.Tests.Snapshots;

/// <summary>
/// Grain storage whose writes wait until the test opens the gate: a snapshot that is still being written for as
/// long as the test needs. Reads find nothing (every partition starts empty); writes are otherwise dropped.
/// </summary>
internal sealed class GatedStorage : IGrainStorage
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writesStarted;

    /// <summary>How many writes have reached the gate (and, before <see cref="Open"/>, wait there).</summary>
    public int WritesStarted => Volatile.Read(ref _writesStarted);

    public void Open() => _gate.TrySetResult();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        grainState.RecordExists = false;
        grainState.ETag = null;
        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Interlocked.Increment(ref _writesStarted);
        await _gate.Task;
        grainState.RecordExists = true;
        grainState.ETag = "1";
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        grainState.RecordExists = false;
        grainState.ETag = null;
        return Task.CompletedTask;
    }
}
