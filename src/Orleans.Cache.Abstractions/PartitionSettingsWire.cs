using Orleans.Cache.Core;
using Orleans.Cache.Core.Config;

namespace Orleans.Cache;

/// <summary>The wire form of <see cref="PartitionSettings"/>.</summary>
[GenerateSerializer, Alias("Orleans.Cache.PartitionSettings")]
internal struct PartitionSettingsSurrogate
{
    [Id(0)] public long HashMaxListpackEntries;
    [Id(1)] public long HashMaxListpackValue;
    [Id(2)] public long ZsetMaxListpackEntries;
    [Id(3)] public long ZsetMaxListpackValue;
    [Id(4)] public long SetMaxIntsetEntries;
    [Id(5)] public long SetMaxListpackEntries;
    [Id(6)] public long SetMaxListpackValue;
    [Id(7)] public long ListMaxListpackSize;
    [Id(8)] public long BusyReplyThresholdMs;
    /// <summary>stop-writes-on-bgsave-error no (inverted, so that a sender without this field means Redis's default, yes).</summary>
    [Id(9)] public bool WritesAllowedOnBgsaveError;
    [Id(10)] public int MinReplicasToWrite;
    /// <summary>min-replicas-max-lag, plus 1 (so that a sender without this field means Redis's default, 10).</summary>
    [Id(11)] public int MinReplicasMaxLagPlusOne;
    [Id(12)] public long MaxMemory;
    [Id(13)] public int MaxMemoryPolicy;
    /// <summary>maxmemory-samples (0 from a sender without this field: Redis's default, 5).</summary>
    [Id(14)] public int MaxMemorySamples;
    /// <summary>maxmemory-eviction-tenacity, plus 1 (0 from a sender without this field: Redis's default, 10).</summary>
    [Id(15)] public int EvictionTenacityPlusOne;
    /// <summary>lfu-log-factor, plus 1 (0 from a sender without this field: Redis's default, 10).</summary>
    [Id(16)] public int LfuLogFactorPlusOne;
    /// <summary>lfu-decay-time, plus 1 (0 from a sender without this field: Redis's default, 1).</summary>
    [Id(17)] public int LfuDecayTimePlusOne;
}

[RegisterConverter]
internal sealed class PartitionSettingsSurrogateConverter : IConverter<PartitionSettings, PartitionSettingsSurrogate>
{
    public PartitionSettings ConvertFromSurrogate(in PartitionSettingsSurrogate s) => new(
        new EncodingThresholds(s.HashMaxListpackEntries, s.HashMaxListpackValue, s.ZsetMaxListpackEntries, s.ZsetMaxListpackValue,
            s.SetMaxIntsetEntries, s.SetMaxListpackEntries, s.SetMaxListpackValue, s.ListMaxListpackSize),
        s.BusyReplyThresholdMs, !s.WritesAllowedOnBgsaveError, s.MinReplicasToWrite,
        s.MinReplicasMaxLagPlusOne == 0 ? 10 : s.MinReplicasMaxLagPlusOne - 1,
        new EvictionSettings(s.MaxMemory, (EvictionPolicy)s.MaxMemoryPolicy, s.MaxMemorySamples == 0 ? 5 : s.MaxMemorySamples,
            s.EvictionTenacityPlusOne == 0 ? 10 : s.EvictionTenacityPlusOne - 1, s.LfuLogFactorPlusOne == 0 ? 10 : s.LfuLogFactorPlusOne - 1,
            s.LfuDecayTimePlusOne == 0 ? 1 : s.LfuDecayTimePlusOne - 1));

    public PartitionSettingsSurrogate ConvertToSurrogate(in PartitionSettings p)
    {
        var e = p.Encodings;
        var m = p.Eviction ?? EvictionSettings.Default;
        return new()
        {
            HashMaxListpackEntries = e.HashMaxListpackEntries, HashMaxListpackValue = e.HashMaxListpackValue,
            ZsetMaxListpackEntries = e.ZsetMaxListpackEntries, ZsetMaxListpackValue = e.ZsetMaxListpackValue,
            SetMaxIntsetEntries = e.SetMaxIntsetEntries, SetMaxListpackEntries = e.SetMaxListpackEntries,
            SetMaxListpackValue = e.SetMaxListpackValue, ListMaxListpackSize = e.ListMaxListpackSize,
            BusyReplyThresholdMs = p.BusyReplyThresholdMs,
            WritesAllowedOnBgsaveError = !p.StopWritesOnBgsaveError,
            MinReplicasToWrite = p.MinReplicasToWrite,
            MinReplicasMaxLagPlusOne = p.MinReplicasMaxLagSeconds + 1,
            MaxMemory = m.MaxMemory, MaxMemoryPolicy = (int)m.Policy, MaxMemorySamples = m.Samples,
            EvictionTenacityPlusOne = m.Tenacity + 1, LfuLogFactorPlusOne = m.LfuLogFactor + 1, LfuDecayTimePlusOne = m.LfuDecayTime + 1,
        };
    }
}

/// <summary>Where the cluster-wide <see cref="PartitionSettings"/> live; partitions read them when they activate.</summary>
[Alias("Orleans.Cache.IPartitionSettingsGrain")]
internal interface IPartitionSettingsGrain : IGrainWithIntegerKey
{
    /// <summary>The settings last set, or null when never set (partitions use the configured defaults).</summary>
    [Alias("Get")]
    ValueTask<PartitionSettings?> Get();

    /// <summary>Stores the settings and pushes them to every partition.</summary>
    [Alias("Set")]
    ValueTask Set(PartitionSettings settings);
}

/// <summary>What the RESP endpoint calls to change settings that act in every partition of the cluster.</summary>
internal interface IClusterSettings
{
    /// <summary>Stores <paramref name="settings"/> cluster-wide and applies them to every partition; done once all have them.</summary>
    Task SetPartitionSettingsAsync(PartitionSettings settings);
}
