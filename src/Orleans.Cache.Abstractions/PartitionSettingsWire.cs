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
}

[RegisterConverter]
internal sealed class PartitionSettingsSurrogateConverter : IConverter<PartitionSettings, PartitionSettingsSurrogate>
{
    public PartitionSettings ConvertFromSurrogate(in PartitionSettingsSurrogate s) => new(
        new EncodingThresholds(s.HashMaxListpackEntries, s.HashMaxListpackValue, s.ZsetMaxListpackEntries, s.ZsetMaxListpackValue,
            s.SetMaxIntsetEntries, s.SetMaxListpackEntries, s.SetMaxListpackValue, s.ListMaxListpackSize),
        s.BusyReplyThresholdMs, !s.WritesAllowedOnBgsaveError, s.MinReplicasToWrite,
        s.MinReplicasMaxLagPlusOne == 0 ? 10 : s.MinReplicasMaxLagPlusOne - 1);

    public PartitionSettingsSurrogate ConvertToSurrogate(in PartitionSettings p)
    {
        var e = p.Encodings;
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
