using System.Globalization;

namespace Orleans.Cache.Grains;

/// <summary>Snapshot settings (configuration section "Snapshots").</summary>
public sealed class SnapshotOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "Snapshots";

    /// <summary>The grain storage name partitions save to.</summary>
    public const string StorageName = "snapshots";

    /// <summary>"File" (default: a local folder, like Redis's dir + dump.rdb) or "AdoNet" (PostgreSQL).</summary>
    public string Storage { get; set; } = "File";

    /// <summary>Folder for File storage (Redis's <c>dir</c>).</summary>
    public string Dir { get; set; } = "data";

    /// <summary>
    /// Redis's <c>save</c>: pairs of "seconds changes" — snapshot when at least <c>changes</c> writes happened
    /// within <c>seconds</c>. Empty turns automatic snapshots off (SAVE, BGSAVE and shutdown still save).
    /// </summary>
    public string Save { get; set; } = "3600 1 300 100 60 10000";

    /// <summary>Snapshots are stored in pieces of at most this many bytes (one storage row or file each).</summary>
    public int ChunkBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The parsed <see cref="Save"/> rules.</summary>
    public IReadOnlyList<(TimeSpan After, long Changes)> SaveRules()
    {
        var parts = Save.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length % 2 != 0) throw new FormatException($"Snapshots:Save needs pairs of 'seconds changes', got '{Save}'");
        var rules = new List<(TimeSpan, long)>();
        for (int i = 0; i < parts.Length; i += 2)
            rules.Add((TimeSpan.FromSeconds(long.Parse(parts[i], CultureInfo.InvariantCulture)), long.Parse(parts[i + 1], CultureInfo.InvariantCulture)));
        return rules;
    }

    /// <summary>True when some <see cref="Save"/> rule holds: at least its seconds since the last save and at least its changes.</summary>
    public bool SaveIsDue(TimeSpan sinceLastSave, long changes)
    {
        if (changes <= 0) return false;
        foreach (var (after, atLeast) in SaveRules())
            if (sinceLastSave >= after && changes >= atLeast) return true;
        return false;
    }
}
