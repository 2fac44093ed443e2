using Microsoft.Extensions.Options;
using Orleans.Cache.PubSub;
using Orleans.Streams;

namespace Orleans.Cache.Grains;

/// <summary>
/// The stream consumer of one silo's <see cref="PubSubHub"/>, placed on that silo (<see cref="HubPlacement"/>): it holds
/// one stream subscription per channel (and per shard pattern stream) that the silo's clients need, and hands every
/// item to the hub synchronously, so delivery to clients never waits on a slow one.
/// </summary>
[HubPlacement]
internal sealed class PubSubHubGrain(PubSubHub hub, IOptions<PubSubOptions> options, IClusterMembershipService membership, ILocalSiloDetails local) : Grain, IPubSubHubGrain
{
    private readonly Dictionary<(ChannelSpace, string), StreamSubscriptionHandle<PubSubDelivery>> _handles = [];
    private bool Mine => hub.Id == this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(() => Task.CompletedTask, new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The last silo stopping: the subscriptions end with the cluster, and unsubscribing would only try to place the
        // streams' rendezvous grains on a silo that no longer takes activations (a page of retry warnings at each stop).
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown && !AnotherSiloIsActive())
        {
            _handles.Clear();
            return;
        }
        foreach (var handle in _handles.Values)
        {
            try { await handle.UnsubscribeAsync(); }
            catch (Exception) when (cancellationToken.IsCancellationRequested) { break; }
            catch (Exception) { /* best effort: the pub/sub store drops dead consumers itself */ }
        }
        _handles.Clear();
    }

    private bool AnotherSiloIsActive() =>
        membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(local.SiloAddress));

    public async Task Subscribe(ChannelSpace space, byte[] key)
    {
        if (!Mine) throw new InvalidOperationException($"Hub grain {this.GetPrimaryKeyString()} is not on its hub's silo");
        var id = (space, System.Text.Encoding.Latin1.GetString(key));
        if (_handles.ContainsKey(id)) return;
        var stream = this.GetStreamProvider(options.Value.StreamProvider).GetStream<PubSubDelivery>(StreamIds.Of(space, key));
        _handles[id] = await stream.SubscribeAsync((item, _) =>
        {
            hub.Deliver(space, key, item);
            return Task.CompletedTask;
        });
    }

    public async Task Unsubscribe(ChannelSpace space, byte[] key)
    {
        var id = (space, System.Text.Encoding.Latin1.GetString(key));
        if (!_handles.Remove(id, out var handle)) return;
        await handle.UnsubscribeAsync();
    }
}
