using Orleans.Cache.Core;
using Orleans.Cache.Observability;

namespace Orleans.Cache.Resp;

/// <summary>
/// One connection's commandstats: only its own loop writes them (a connection runs one round at a time), so recording a
/// call is a few plain increments, no lock and no interlocked add; INFO reads them from other threads (a read may miss
/// the latest call). A command's counters are allocated the first time the connection runs it.
/// </summary>
internal sealed class ClientStats
{
    private CommandStat?[] _byId = new CommandStat?[CommandTable.Rows.Count];

    /// <summary>The node's reset epoch these counters belong to; older counters are cleared before use and skipped by INFO.</summary>
    public int Epoch;

    public void Record(CommandInfo command, long microseconds, bool failed)
    {
        var stat = _byId[command.Id] ??= new CommandStat();
        stat.Calls++;
        stat.Microseconds += microseconds;
        stat.Histogram[LatencyHistogram.Bucket(microseconds)]++;
        if (failed) stat.Failed++;
    }

    public void Reject(CommandInfo command) => (_byId[command.Id] ??= new CommandStat()).Rejected++;

    /// <summary>Starts over for epoch <paramref name="epoch"/> (CONFIG RESETSTAT happened).</summary>
    public void Clear(int epoch)
    {
        _byId = new CommandStat?[CommandTable.Rows.Count];
        Volatile.Write(ref Epoch, epoch);
    }

    /// <summary>Adds these counters to <paramref name="into"/>, by command row.</summary>
    public void AddTo(Dictionary<int, CommandStat> into)
    {
        var all = Volatile.Read(ref _byId);
        for (int id = 0; id < all.Length; id++)
        {
            if (all[id] is not { } stat) continue;
            if (!into.TryGetValue(id, out var sum)) into[id] = sum = new CommandStat();
            sum.Add(stat);
        }
    }
}
