namespace Orleans.Cache.Core.Config;

/// <summary>
/// The parameters that decide which compact encoding OBJECT ENCODING reports for a small hash, sorted set, set or list
/// (hash-max-listpack-*, zset-max-listpack-*, set-max-intset-entries, set-max-listpack-*, list-max-listpack-size), with
/// config.c's defaults. Values here are stored one way whatever their size; only the reported encoding follows these.
/// </summary>
internal sealed record EncodingThresholds(
    long HashMaxListpackEntries = 512, long HashMaxListpackValue = 64,
    long ZsetMaxListpackEntries = 128, long ZsetMaxListpackValue = 64,
    long SetMaxIntsetEntries = 512, long SetMaxListpackEntries = 128, long SetMaxListpackValue = 64,
    long ListMaxListpackSize = -2)
{
    public static readonly EncodingThresholds Default = new();

    /// <summary>The thresholds as <paramref name="config"/> has them.</summary>
    public static EncodingThresholds From(Func<string, string?> config)
    {
        long Read(string name, long fallback) => long.TryParse(config(name), out long v) ? v : fallback;
        var d = Default;
        return new EncodingThresholds(
            Read("hash-max-listpack-entries", d.HashMaxListpackEntries), Read("hash-max-listpack-value", d.HashMaxListpackValue),
            Read("zset-max-listpack-entries", d.ZsetMaxListpackEntries), Read("zset-max-listpack-value", d.ZsetMaxListpackValue),
            Read("set-max-intset-entries", d.SetMaxIntsetEntries), Read("set-max-listpack-entries", d.SetMaxListpackEntries),
            Read("set-max-listpack-value", d.SetMaxListpackValue), Read("list-max-listpack-size", d.ListMaxListpackSize));
    }

    /// <summary>The parameters these thresholds come from (a CONFIG SET of one of them is pushed to the partitions).</summary>
    public static readonly string[] Parameters =
    [
        "hash-max-listpack-entries", "hash-max-listpack-value", "zset-max-listpack-entries", "zset-max-listpack-value",
        "set-max-intset-entries", "set-max-listpack-entries", "set-max-listpack-value", "list-max-listpack-size",
    ];

    /// <summary>
    /// Whether a list of <paramref name="count"/> elements of <paramref name="bytes"/> bytes in all fits one listpack:
    /// a positive list-max-listpack-size counts elements, a negative one (-1 … -5) is a size class of 4 to 64 KB.
    /// </summary>
    public bool ListFitsListpack(long count, long bytes)
    {
        long size = ListMaxListpackSize;
        if (size >= 0) return count <= size && bytes <= 8192;
        long limit = 4096L << (int)Math.Min(4, -size - 1);
        return bytes <= limit;
    }
}
