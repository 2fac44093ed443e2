using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Grains;
using Orleans.Cache.Tests.Cluster;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.Cache.Tests.Snapshots;

/// <summary>
/// A partition whose snapshot load outlives Orleans's activation timeout: Orleans gives up on that activation, and
/// when the load finally ends the copy must not register itself for direct local calls (it would serve a partition
/// another activation may own); the next call gets a working activation.
/// </summary>
public sealed class SlowActivationTests
{
    [Fact]
    public async Task An_activation_that_outlived_its_timeout_leaves_no_copy_serving_local_calls()
    {
        var storage = new SlowLoadStorage();
        await using var cache = await CacheCluster.StartAsync(1, builder => builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>(SnapshotOptions.StorageName, storage);
            silo.Configure<GrainCollectionOptions>(o => o.ActivationTimeout = TimeSpan.FromSeconds(2));
        }), snapshots: o => { o.Storage = "None"; o.Save = ""; });
        var local = cache.Cluster.Silos[0].ServiceProvider.GetRequiredService<LocalPartitions>();
        try
        {
            var first = cache.Partition(0).Execute(new CommandBatch([Command("EXISTS", "k")])).AsTask();
            await Until(() => storage.LoadsStarted >= 1, "the first activation to start loading");
            // Orleans gives up on it after its activation timeout, while the load still waits.
            await Assert.ThrowsAnyAsync<Exception>(() => first.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Null(local.Find(0));

            storage.Open(); // the stale activation's load ends now, and it goes on to the end of OnActivateAsync
            await Until(() => storage.LoadsFinished >= 1, "the stale load to finish");
            for (int i = 0; i < 20; i++)
            {
                Assert.Null(local.Find(0)); // it never registered itself
                await Task.Delay(50);
            }

            // The partition works again through a fresh activation, which serves local calls as usual.
            var reply = await cache.Partition(0).Execute(new CommandBatch([Command("EXISTS", "k")])).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Single(reply.Replies);
            Assert.NotNull(local.Find(0));
        }
        finally
        {
            storage.Open();
        }
    }

    private static Core.Command Command(params string[] argv) =>
        Core.CommandRouter.Resolve([.. argv.Select(System.Text.Encoding.UTF8.GetBytes)], out _) ?? throw new InvalidOperationException(argv[0]);

    private static Task Until(Func<bool> condition, string what) => Poll.Until(condition, what, TimeSpan.FromSeconds(30));

    /// <summary>Grain storage whose snapshot reads wait for <see cref="Open"/>; nothing is stored.</summary>
    private sealed class SlowLoadStorage : IGrainStorage
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started, _finished;

        public int LoadsStarted => Volatile.Read(ref _started);
        public int LoadsFinished => Volatile.Read(ref _finished);
        public void Open() => _gate.TrySetResult();

        public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Interlocked.Increment(ref _started);
            await _gate.Task;
            grainState.RecordExists = false;
            Interlocked.Increment(ref _finished);
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;
        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;
    }
}
