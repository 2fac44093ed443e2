namespace Orleans.Cache;

/// <summary>One ACL user as stored and sent between silos: its name and the rules that rebuild it (ACL LIST's words).</summary>
[GenerateSerializer, Alias("Orleans.Cache.AclUserRecord")]
internal sealed class AclUserRecord
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public string[] Rules { get; set; } = [];
}

/// <summary>A version of the cluster's ACL users. Version 0 with no users: nothing was ever set (each silo keeps its own default).</summary>
[GenerateSerializer, Alias("Orleans.Cache.AclSnapshot")]
internal sealed class AclSnapshot
{
    [Id(0)] public long Version { get; set; }
    [Id(1)] public AclUserRecord[] Users { get; set; } = [];
}

/// <summary>What a change of the users did: Redis's error text (nothing changed), or the new version; a count for DELUSER.</summary>
[GenerateSerializer, Alias("Orleans.Cache.AclChange")]
internal sealed class AclChange
{
    [Id(0)] public string? Error { get; set; }
    [Id(1)] public long Count { get; set; }
    [Id(2)] public AclSnapshot Snapshot { get; set; } = new();
}

/// <summary>
/// The cluster's ACL users (Redis's ACL SETUSER / DELUSER / LOAD made cluster-wide): one activation applies every change
/// in order, numbers the versions and writes them through to the snapshot storage, so users survive a full restart.
/// Silos keep the latest version they have seen and enforce it locally.
/// </summary>
[Alias("Orleans.Cache.IAclGrain")]
internal interface IAclGrain : IGrainWithIntegerKey
{
    [Alias("Get")] Task<AclSnapshot> Get();

    /// <summary>ACL SETUSER: the rules applied to the user (created when missing), all or none.</summary>
    [Alias("SetUser")] Task<AclChange> SetUser(string name, byte[][] rules, bool pubsubAllChannels);

    [Alias("DelUser")] Task<AclChange> DelUser(string[] names);

    /// <summary>ACL LOAD: every user replaced by <paramref name="users"/> (all or none).</summary>
    [Alias("Replace")] Task<AclChange> Replace(AclUserRecord[] users, bool pubsubAllChannels);
}
