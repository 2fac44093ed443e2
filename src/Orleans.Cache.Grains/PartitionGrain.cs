using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Cache.Core;

namespace Orleans.Cache.Grains;

/// <summary>
/// The distributed shell around one partition's <see cref="Keyspace"/>: runs command batches in order, and
/// runs the active-expire cycle on a grain timer. The timer keeps the activation alive: a partition holds
/// data, so it must not be collected when idle.
/// </summary>
[PartitionPlacement]
public sealed partial class PartitionGrain(IOptions<CacheOptions> options, CacheClock clock, ILogger<PartitionGrain> logger)
    : Grain, IPartitionGrain
{
    private readonly Keyspace _keyspace = new(clock.Time);
    private readonly CacheOptions _options = options.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = _options.ExpireSweepInterval;
        this.RegisterGrainTimer(SweepTick, new GrainTimerCreationOptions(period, period) { KeepAlive = true });
        LogActivated(this.GetPrimaryKeyLong(), RuntimeIdentity);
        return Task.CompletedTask;
    }

    public ValueTask<ReplyBatch> Execute(CommandBatch batch)
    {
        var commands = batch.Commands;
        var replies = new Reply[commands.Length];
        for (int i = 0; i < commands.Length; i++)
        {
            try
            {
                replies[i] = _keyspace.Execute(commands[i]);
            }
            catch (Exception e)
            {
                // A bug in one command must not fail the other commands of the batch or the partition.
                LogCommandFailed(e, commands[i].Length > 0 ? Args.Text(commands[i][0]) : "");
                replies[i] = Reply.Error("ERR internal error: " + e.Message);
            }
        }
        return ValueTask.FromResult(new ReplyBatch(replies));
    }

    public ValueTask<int> SweepExpired(int maxKeys) => ValueTask.FromResult(_keyspace.ActiveExpire(maxKeys));

    public ValueTask<string> GetSilo() => ValueTask.FromResult(RuntimeIdentity);

    private Task SweepTick(CancellationToken cancellationToken)
    {
        _keyspace.ActiveExpire(_options.ExpireSweepMaxKeys);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition} activated on {Silo}")]
    private partial void LogActivated(long partition, string silo);

    [LoggerMessage(Level = LogLevel.Error, Message = "Command {Command} failed inside a partition")]
    private partial void LogCommandFailed(Exception exception, string command);
}

/// <summary>The clock partitions read for expiry; tests put a fake one here without touching Orleans's own timers.</summary>
public sealed class CacheClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
