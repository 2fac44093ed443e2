namespace Orleans.Cache;

/// <summary>
/// The cluster's script cache (Redis's SCRIPT LOAD / EVAL cache, made cluster-wide): a script loaded through one silo
/// runs by its sha through any other, and survives a restart (kept in the snapshot storage).
/// </summary>
[Alias("Orleans.Cache.IScriptRegistryGrain")]
internal interface IScriptRegistryGrain : IGrainWithIntegerKey
{
    [Alias("Add")] Task Add(string sha, byte[] body);
    [Alias("Get")] Task<byte[]?> Get(string sha);
    [Alias("Exists")] Task<bool[]> Exists(string[] shas);
    [Alias("Flush")] Task Flush();
}
