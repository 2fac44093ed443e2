using System.Collections.Concurrent;
using Orleans.Cache.Execution;
using Orleans.Cache.PubSub;

namespace Orleans.Cache.Resp;

/// <summary>
/// The endpoint as one logical Redis node: its id, settings, connected clients and counters — the state that
/// server commands (CLIENT, CONFIG, INFO, CLUSTER) read and change, shared by all connections of this silo.
/// </summary>
public sealed class RespNode
{
    public RespNode(RespOptions options, ICommandExecutor executor, TimeProvider time, IPubSubBroker? broker = null)
    {
        Broker = broker;
        Options = options;
        Config = new RespConfig(options);
        Executor = executor;
        Time = time;
        NodeId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        StartedAt = Environment.TickCount64;
        StartupAllocated = GC.GetTotalMemory(false);
        Pause = new ClientPause(time);
        Tracking = new ClientTracking(this);
        ClusterPause = new ClusterPause(this);
    }

    /// <summary>CLIENT PAUSE / UNPAUSE announced to every silo.</summary>
    public ClusterPause ClusterPause { get; }

    /// <summary>CLIENT PAUSE / UNPAUSE of this silo's clients.</summary>
    public ClientPause Pause { get; }

    /// <summary>CLIENT TRACKING: the keys this silo's clients read, and where their invalidations go.</summary>
    public ClientTracking Tracking { get; }

    public RespOptions Options { get; }
    public RespConfig Config { get; }
    public ICommandExecutor Executor { get; }
    /// <summary>The silo's pub/sub broker; null where the endpoint runs without Orleans.Cache's silo part (pub/sub commands then fail).</summary>
    public IPubSubBroker? Broker { get; }
    public TimeProvider Time { get; }
    /// <summary>40 hex characters, new at every start: CLUSTER MYID and INFO's run_id.</summary>
    public string NodeId { get; }
    public long StartedAt { get; }
    /// <summary>The managed heap in use when the endpoint started (MEMORY STATS's <c>startup.allocated</c>).</summary>
    public long StartupAllocated { get; }

    /// <summary>The silo's SHUTDOWN switch (NOSAVE); null where no partitions run in this process.</summary>
    public SiloShutdown? Silo { get; internal set; }
    /// <summary>Stops the host (SHUTDOWN's last step); null where the endpoint runs without one.</summary>
    public Action? StopHost { get; internal set; }
    public Microsoft.Extensions.Logging.ILogger Logger { get; internal set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    /// <summary>The port the plain listener bound (differs from the option when it was 0).</summary>
    public int Port { get; internal set; }

    public ConcurrentDictionary<long, RespSession> Clients { get; } = new();

    /// <summary>This node's clients waiting in a blocking command (INFO's blocked_clients).</summary>
    public int BlockedClients
    {
        get
        {
            int blocked = 0;
            foreach (var (_, client) in Clients) if (client.Blocked) blocked++;
            return blocked;
        }
    }

    private long _totalConnections, _rejectedConnections, _totalCommands, _netInput, _netOutput;
    public long TotalConnections => Interlocked.Read(ref _totalConnections);
    public long RejectedConnections => Interlocked.Read(ref _rejectedConnections);
    public long TotalCommands => Interlocked.Read(ref _totalCommands);
    public long NetInputBytes => Interlocked.Read(ref _netInput);
    public long NetOutputBytes => Interlocked.Read(ref _netOutput);

    internal void CountConnection() => Interlocked.Increment(ref _totalConnections);
    internal void CountRejected() => Interlocked.Increment(ref _rejectedConnections);
    internal void CountCommands(int n) => Interlocked.Add(ref _totalCommands, n);
    internal void CountInput(long n) => Interlocked.Add(ref _netInput, n);
    internal void CountOutput(long n) => Interlocked.Add(ref _netOutput, n);
}
