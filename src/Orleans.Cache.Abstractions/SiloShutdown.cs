namespace Orleans.Cache;

/// <summary>
/// SHUTDOWN's part in this silo, shared by the front doors (which stop the host) and the partition grains (which read it
/// when they deactivate). After <see cref="DiscardUnsavedChanges"/> (SHUTDOWN NOSAVE) the partitions deactivating here skip
/// the snapshot a graceful stop otherwise saves, and the scripts running in them stop at once, even those that wrote.
/// </summary>
internal sealed class SiloShutdown(LocalPartitions partitions)
{
    private volatile bool _skipSave;

    /// <summary>Set by SHUTDOWN NOSAVE: changes not saved yet are dropped with the silo.</summary>
    public bool SkipSave => _skipSave;

    /// <summary>A script runs in one of this silo's partitions (SHUTDOWN without NOSAVE then fails, as Redis's does).</summary>
    public bool ScriptRunning => partitions.Active.Any(p => p.ScriptRunning);

    /// <summary>SHUTDOWN NOSAVE: no partition of this silo saves on its way out, and running scripts are aborted.</summary>
    public void DiscardUnsavedChanges()
    {
        _skipSave = true;
        foreach (var partition in partitions.Active) partition.AbortScript();
    }
}
