using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.AspNetCore;

/// <summary>
/// Keeps this app instance's HybridCache first level (L1) in step with the cluster. HybridCache has no backplane, but
/// its L1 is the app's <see cref="IMemoryCache"/> keyed by the HybridCache key, and its tag invalidations are local
/// timestamps plus an L2 entry per tag (<c>__MSFT_HCT__&lt;tag&gt;</c>) that other instances read once. So: every key the
/// cluster modifies (client tracking's announcements, <see cref="ICachePubSub.SubscribeKeyChangesAsync"/>) that is one of
/// this cache's (its InstanceName prefix) is removed from the IMemoryCache, leaving L2 alone; a change of a tag's entry
/// is replayed as a local <see cref="HybridCache.RemoveByTagAsync(string, CancellationToken)"/> whose L2 write is skipped
/// (the instance that removed the tag wrote it; writing it again would announce it again); a flush invalidates everything
/// (the wildcard tag), as does the moment listening starts, so nothing cached before then outlives a change it missed.
/// </summary>
internal sealed partial class HybridCacheInvalidation(IServiceProvider services, KeyReads reads, TimeProvider time,
    IOptions<OrleansCacheDistributedCacheOptions> options, ILogger<HybridCacheInvalidation> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>DefaultHybridCache's L2 key prefix for a tag's invalidation time.</summary>
    private const string TagKeyPrefix = "__MSFT_HCT__";
    private const string Wildcard = "*";
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100), MaxRetry = TimeSpan.FromSeconds(5);

    private readonly string _prefix = options.Value.InstanceName ?? "";
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _run = Task.CompletedTask;
    private CacheSubscription? _subscription;
    private HybridCache _hybrid = null!;
    private IMemoryCache _local = null!;

    /// <summary>Completes once every change made from now on reaches this instance.</summary>
    public Task Listening => _listening.Task;

    /// <summary>Called with a HybridCache key right after this instance dropped its local copy (the tests time the staleness window with it).</summary>
    internal Action<string>? Dropped { get; set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var pubSub = services.GetService<ICachePubSub>() ?? throw new InvalidOperationException(
            "AddOrleansCacheHybridCache keeps HybridCache's first level in step through the silo's pub/sub (ICachePubSub), which only a " +
            "co-hosted app has (AddOrleansCache in its silo). In an Orleans client app use AddOrleansCacheDistributedCache() and " +
            "AddHybridCache() with a short LocalCacheExpiration instead.");
        _hybrid = services.GetRequiredService<HybridCache>();
        _local = services.GetRequiredService<IMemoryCache>();
        _run = RunAsync(pubSub, services.GetService<IHostApplicationLifetime>(), _stopping.Token);
        return Task.CompletedTask;
    }

    private async Task RunAsync(ICachePubSub pubSub, IHostApplicationLifetime? lifetime, CancellationToken cancellationToken)
    {
        try
        {
            // A co-hosted app's silo may start after this service: subscribe once the whole host runs.
            if (lifetime is not null) await WhenStarted(lifetime, cancellationToken);
            var subscription = _subscription = await SubscribeAsync(pubSub, cancellationToken);
            await ReplayTagAsync(Wildcard);
            _listening.TrySetResult();
            LogListening(logger, _prefix);
            await foreach (var change in subscription.ReadAllAsync(cancellationToken)) await ApplyAsync(change);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        catch (Exception e)
        {
            LogStopped(logger, e);
            _listening.TrySetException(e);
        }
    }

    private static Task WhenStarted(IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Subscribes, trying again with a back-off (100 ms doubling to 5 s) while the silo's pub/sub cannot be reached.</summary>
    private async Task<CacheSubscription> SubscribeAsync(ICachePubSub pubSub, CancellationToken cancellationToken)
    {
        for (var delay = FirstRetry; ; delay = delay * 2 < MaxRetry ? delay * 2 : MaxRetry)
        {
            try { return await pubSub.SubscribeKeyChangesAsync(cancellationToken); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSubscribeFailed(logger, e, delay.TotalMilliseconds);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    private async ValueTask ApplyAsync(CacheMessage change)
    {
        if (change.IsFlush)
        {
            reads.ChangedAll();
            await ReplayTagAsync(Wildcard);
            return;
        }
        string key = Encoding.UTF8.GetString(change.Payload);
        if (!key.StartsWith(_prefix, StringComparison.Ordinal)) return;
        // Reads of the key in flight read again (they may have read it before the change), then the L1 copy goes.
        reads.Changed(key);
        string hybridKey = key[_prefix.Length..];
        if (hybridKey.StartsWith(TagKeyPrefix, StringComparison.Ordinal))
        {
            await ReplayTagAsync(hybridKey[TagKeyPrefix.Length..]);
            return;
        }
        _local.Remove(hybridKey);
        Dropped?.Invoke(hybridKey);
    }

    /// <summary>A tag another instance removed (or the wildcard): invalidated here, without writing L2 again.</summary>
    private async ValueTask ReplayTagAsync(string tag)
    {
        DistributedCache.ReplayingTagInvalidation.Value = true;
        try { await _hybrid.RemoveByTagAsync(tag); }
        catch (Exception e) { LogTagFailed(logger, e, tag); }
        finally { DistributedCache.ReplayingTagInvalidation.Value = false; }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _run.WaitAsync(cancellationToken);
        if (_subscription is { } subscription)
        {
            try { await subscription.DisposeAsync(); }
            catch (Exception e) when (e is not OperationCanceledException) { LogUnsubscribeFailed(logger, e); }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested) await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "HybridCache L1 follows every change of the keys under '{Prefix}' in the cluster")]
    private static partial void LogListening(ILogger logger, string prefix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HybridCache L1 invalidation could not subscribe to key changes; trying again in {Milliseconds} ms")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "HybridCache L1 invalidation stopped: this instance's first level no longer follows the cluster")]
    private static partial void LogStopped(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HybridCache could not invalidate tag '{Tag}' locally")]
    private static partial void LogTagFailed(ILogger logger, Exception exception, string tag);

    [LoggerMessage(Level = LogLevel.Debug, Message = "HybridCache L1 invalidation could not unsubscribe")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception);
}
