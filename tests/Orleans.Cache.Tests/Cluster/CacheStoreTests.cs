using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Client;
using Orleans.Cache.Core;

namespace Orleans.Cache.Tests.Cluster;

/// <summary>The typed client's read-through, write-through and write-behind store (<see cref="CacheStore{T}"/>).</summary>
public sealed class CacheStoreTests(ThreeSiloFixture fixture) : IClassFixture<ThreeSiloFixture>
{
    private CacheCluster C => fixture.Cache;
    private static string Me([System.Runtime.CompilerServices.CallerMemberName] string name = "") => name + ":" + Guid.NewGuid().ToString("N")[..8];

    private sealed record Product(int Id, string Name);

    /// <summary>A "database": a table of rows, a count of reads and writes, and writes that fail while <see cref="Down"/> is set.</summary>
    private sealed class Database : ICacheLoader<Product>, ICacheWriter<Product>
    {
        public readonly ConcurrentDictionary<string, Product> Rows = new();
        public readonly ConcurrentQueue<string> Log = new();
        public int Loads, Writes, Refused;
        public volatile bool Down;
        public TaskCompletionSource? Gate;

        public async Task<Product?> LoadAsync(string key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Loads);
            if (Gate is { } gate) await gate.Task.WaitAsync(cancellationToken);
            return Rows.TryGetValue(key, out var row) ? row : null;
        }

        public Task WriteAsync(string key, Product value, CancellationToken cancellationToken)
        {
            if (Down) { Interlocked.Increment(ref Refused); throw new InvalidOperationException("database down"); }
            Interlocked.Increment(ref Writes);
            Rows[key] = value;
            Log.Enqueue($"set {key} {value.Name}");
            return Task.CompletedTask;
        }

        public Task DeleteAsync(string key, CancellationToken cancellationToken)
        {
            if (Down) { Interlocked.Increment(ref Refused); throw new InvalidOperationException("database down"); }
            Interlocked.Increment(ref Writes);
            Rows.TryRemove(key, out _);
            Log.Enqueue($"delete {key}");
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Read_through_loads_a_missing_key_once_for_all_callers_and_caches_it()
    {
        var db = new Database { Gate = new TaskCompletionSource() };
        string key = Me(), missing = Me();
        db.Rows[key] = new Product(7, "chair");
        var stores = Enumerable.Range(0, 3).Select(i => new CacheStore<Product>(C.CacheOnSilo(i), db, db)).ToArray();

        var readers = Enumerable.Range(0, 300).Select(i => stores[i % 3].GetAsync(key)).ToArray();
        await Poll.Until(() => Volatile.Read(ref db.Loads) > 0, "the loader to be called", TimeSpan.FromSeconds(30));
        db.Gate.SetResult();
        Assert.All(await Task.WhenAll(readers), p => Assert.Equal(new Product(7, "chair"), p));
        Assert.Equal(1, db.Loads);
        Assert.InRange((await C.CacheOnSilo(1).TimeToLiveAsync(key))!.Value, TimeSpan.FromMinutes(4.9), TimeSpan.FromMinutes(5));

        // A row the store does not have is cached as null too, so a miss does not reach the store every time.
        Assert.Null(await stores[0].GetAsync(missing));
        Assert.Null(await stores[1].GetAsync(missing));
        Assert.Equal(2, db.Loads);
    }

    [Fact]
    public async Task Write_through_writes_the_store_then_the_cache_and_a_refused_write_changes_neither()
    {
        var db = new Database();
        string key = Me();
        var store = new CacheStore<Product>(C.CacheOnSilo(0), db, db);
        await store.SetAsync(key, new Product(1, "lamp"));
        Assert.Equal(new Product(1, "lamp"), db.Rows[key]);
        Assert.Equal("{\"Id\":1,\"Name\":\"lamp\"}", await C.CacheOnSilo(2).GetStringAsync(key));

        db.Down = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SetAsync(key, new Product(1, "desk")));
        Assert.Equal(new Product(1, "lamp"), db.Rows[key]);
        Assert.Equal(new Product(1, "lamp"), await store.GetAsync(key));

        db.Down = false;
        await store.RemoveAsync(key);
        Assert.False(db.Rows.ContainsKey(key));
        Assert.False(await C.CacheOnSilo(1).ExistsAsync(key));
        Assert.Equal(0, db.Loads);
    }

    [Fact]
    public async Task Write_behind_coalesces_writes_per_key_and_the_worker_writes_each_latest_value_once()
    {
        var db = new Database();
        var options = new CacheStoreOptions { Mode = CacheWriteMode.WriteBehind, QueueName = Me() };
        var store = new CacheStore<Product>(C.CacheOnSilo(0), db, db, options, C.Time);
        string a = Me(), b = Me(), c = Me();
        db.Rows[c] = new Product(3, "old");
        foreach (var name in new[] { "v1", "v2", "v3" }) await store.SetAsync(a, new Product(1, name));
        await store.SetAsync(b, new Product(2, "only"));
        await store.RemoveAsync(c);

        // Served from the cache at once; the store has seen nothing yet. A read of a key whose write is still queued
        // (the delete of c, or a cached value that expired) finds the queued write, not the store's older row.
        Assert.Equal(new Product(1, "v3"), await store.GetAsync(a));
        Assert.Null(await store.GetAsync(c));
        await C.CacheOnSilo(2).DeleteAsync(b);
        Assert.Equal(new Product(2, "only"), await store.GetAsync(b));
        Assert.Equal(0, db.Loads);
        Assert.Equal(3, await store.WriteBehind!.DepthAsync());
        Assert.Equal(0, db.Writes);

        using var stop = new CancellationTokenSource();
        var worker = store.WriteBehind.RunAsync(stop.Token);
        await Poll.Until(async () => await store.WriteBehind.DepthAsync() == 0, "the queue to drain", TimeSpan.FromSeconds(30));
        Assert.Equal([$"set {a} v3", $"set {b} only", $"delete {c}"], db.Log.ToArray());
        Assert.Equal(3, store.WriteBehind.Written);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker);
    }

    [Fact]
    public async Task A_refused_write_behind_write_is_retried_first_in_line_after_a_doubling_back_off()
    {
        var db = new Database { Down = true };
        var time = new RecordingTime(C.Time);
        var options = new CacheStoreOptions { Mode = CacheWriteMode.WriteBehind, QueueName = Me(), RetryDelay = TimeSpan.FromSeconds(3) };
        var store = new CacheStore<Product>(C.CacheOnSilo(1), db, db, options, time);
        string first = Me(), second = Me();
        await store.SetAsync(first, new Product(1, "a"));
        await store.SetAsync(second, new Product(2, "b"));
        using var stop = new CancellationTokenSource();
        var worker = store.WriteBehind!.RunAsync(stop.Token);

        // Each refusal is followed by a wait on the (fake) clock of 3 s, then 6 s; the next try comes only once it has passed.
        await Poll.Until(() => time.Waits.Contains(TimeSpan.FromSeconds(3)), "the first back-off", TimeSpan.FromSeconds(30));
        Assert.Equal(1, db.Refused);
        C.Time.Advance(TimeSpan.FromSeconds(3));
        await Poll.Until(() => time.Waits.Contains(TimeSpan.FromSeconds(6)), "the second back-off", TimeSpan.FromSeconds(30));
        Assert.Equal(2, db.Refused);
        db.Down = false;
        C.Time.Advance(TimeSpan.FromSeconds(6));
        await Poll.Until(async () => await store.WriteBehind.DepthAsync() == 0, "the queue to drain", TimeSpan.FromSeconds(30));
        // The refused key kept its place: it is written before the one queued after it.
        Assert.Equal([$"set {first} a", $"set {second} b"], db.Log.ToArray());
        Assert.Equal(2, store.WriteBehind.Failures);
        Assert.DoesNotContain(TimeSpan.FromSeconds(12), time.Waits);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker);
    }

    /// <summary>The cluster's fake clock, noting the due time of every timer made on it (a Task.Delay's wait).</summary>
    private sealed class RecordingTime(TimeProvider inner) : TimeProvider
    {
        public readonly ConcurrentQueue<TimeSpan> Waits = new();
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();
        public override long GetTimestamp() => inner.GetTimestamp();
        public override long TimestampFrequency => inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Waits.Enqueue(dueTime);
            return inner.CreateTimer(callback, state, dueTime, period);
        }
    }

    [Fact]
    public async Task Queued_writes_survive_the_death_of_the_silo_holding_the_queue_and_a_new_worker_writes_them()
    {
        await using var c = await CacheCluster.StartAsync(3, b => b.ConfigureSilo((_, silo) =>
            silo.Services.Configure<CacheOptions>(o => o.Replicas = 1)), snapshots: o => o.Storage = "None");
        var db = new Database();
        // A queue whose partition has its primary on silo 1, which is killed; the app runs on silo 0.
        var map = new PartitionMap(CacheCluster.Partitions);
        var victim = c.Cluster.Silos[1];
        string? name = null;
        int partition = -1;
        for (int i = 0; name is null; i++)
        {
            partition = map.PartitionOfKey(Encoding.UTF8.GetBytes($"{{wb:orders{i}}}:queue"));
            if ((await c.Partition(partition).ReplicationState()).Silo == victim.SiloAddress.ToParsableString()) name = $"orders{i}";
        }
        var options = new CacheStoreOptions { Mode = CacheWriteMode.WriteBehind, QueueName = name };
        var store = new CacheStore<Product>(c.CacheOnSilo(0), db, db, options, c.Time);
        for (int i = 0; i < 50; i++) await store.SetAsync($"order:{i}", new Product(i, "paid"));
        for (int p = 0; p < CacheCluster.Partitions; p++) Assert.Equal(1, await c.Partition(p).WaitReplicas(1, 0));

        await c.Cluster.KillSiloAsync(victim);
        await c.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        Assert.NotEqual(victim.SiloAddress.ToParsableString(), (await c.Partition(partition).ReplicationState()).Silo);
        Assert.Equal(50, await store.WriteBehind!.DepthAsync());
        using var stop = new CancellationTokenSource();
        var worker = store.WriteBehind.RunAsync(stop.Token);
        await Poll.Until(async () => await store.WriteBehind.DepthAsync() == 0, "the queue to drain", TimeSpan.FromSeconds(60));
        Assert.Equal(50, db.Rows.Count);
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(new Product(i, "paid"), db.Rows[$"order:{i}"]));
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker);
    }
}
