using System.Net;
using System.Text;

namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// Transactions whose keys span slots, where Orleans.Cache follows Redis Cluster rather than the standalone
/// redis-server of the differential runs: a cross-slot command is refused while queuing (and EXEC then aborts), and
/// single-slot commands on different slots are refused as a whole at EXEC, with nothing run. Each test also runs
/// against a one-node Redis Cluster (redis-server --cluster-enabled yes), which shows these are Redis's answers.
/// </summary>
[Collection(OrleansDiffCollection.Name)]
public sealed class ClusterTransactionTests(OrleansDiffFixture fixture) : IDisposable
{
    private const string CrossSlot = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";

    public static TheoryData<string> Servers => new() { "redis-cluster", "Orleans.Cache" };

    private static string Me() => $"tx{Guid.NewGuid():N}"[..12];

    private readonly List<RespConnection> _connections = [];

    /// <summary>A connection to <paramref name="server"/> (silo <paramref name="silo"/> of ours); the function sends
    /// one command, its arguments split on spaces, and returns the reply's text.</summary>
    private async Task<Func<string, Task<string>>> ConnectAsync(string server, int silo)
    {
        IPEndPoint endPoint = server == "redis-cluster" ? fixture.RedisCluster.EndPoint : fixture.EndPointOf(silo);
        var connection = await RespConnection.ConnectAsync(endPoint);
        _connections.Add(connection);
        return async line => Encoding.UTF8.GetString(await connection.CallAsync(line.Split(' ')));
    }

    public void Dispose()
    {
        foreach (var c in _connections) c.Dispose();
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Cross_slot_command_inside_multi_gets_CROSSSLOT_and_EXEC_aborts(string server)
    {
        var call = await ConnectAsync(server, 0);
        string me = Me();
        Assert.Equal("+OK\r\n", await call("MULTI"));
        Assert.Equal("+QUEUED\r\n", await call($"SET {{{me}}}a 1"));
        Assert.Equal(CrossSlot, await call($"MSET {{{me}}}a 1 {{{me}x}}b 2"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", await call("EXEC"));
        Assert.Equal(":0\r\n", await call($"EXISTS {{{me}}}a"));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Queued_commands_on_different_slots_get_CROSSSLOT_at_EXEC_and_none_runs(string server)
    {
        var call = await ConnectAsync(server, 1);
        string me = Me();
        Assert.Equal("+OK\r\n", await call("MULTI"));
        Assert.Equal("+QUEUED\r\n", await call($"SET {{{me}}}a 1"));
        Assert.Equal("+QUEUED\r\n", await call($"SET {{{me}x}}b 2"));
        Assert.Equal(CrossSlot, await call("EXEC"));
        Assert.Equal("-ERR EXEC without MULTI\r\n", await call("EXEC"));
        Assert.Equal(":0\r\n", await call($"EXISTS {{{me}}}a"));
        Assert.Equal(":0\r\n", await call($"EXISTS {{{me}x}}b"));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Eval_queued_on_another_slot_than_the_transaction_gets_CROSSSLOT_at_EXEC(string server)
    {
        var call = await ConnectAsync(server, 0);
        string me = Me();
        Assert.Equal("+OK\r\n", await call("MULTI"));
        Assert.Equal("+QUEUED\r\n", await call($"SET {{{me}}}a 1"));
        // The script is one word ("return"): the line is split on spaces.
        Assert.Equal("+QUEUED\r\n", await call($"EVAL return 1 {{{me}x}}b"));
        Assert.Equal(CrossSlot, await call("EXEC"));
        Assert.Equal(":0\r\n", await call($"EXISTS {{{me}}}a"));
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Watch_of_keys_in_different_slots_gets_CROSSSLOT(string server)
    {
        var call = await ConnectAsync(server, 0);
        string me = Me();
        Assert.Equal(CrossSlot, await call($"WATCH {{{me}}}a {{{me}x}}b"));
        Assert.Equal("+OK\r\n", await call($"WATCH {{{me}}}a {{{me}}}b"));
        Assert.Equal("+OK\r\n", await call("UNWATCH"));
    }
}
