using System.Text;

namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// Transactions whose keys span slots, where Orleans.Cache follows Redis Cluster rather than the standalone
/// redis-server of the differential runs: a cross-slot command is refused while queuing (and EXEC then aborts), and
/// single-slot commands on different slots are refused as a whole at EXEC, with nothing run.
/// </summary>
[Collection(OrleansDiffCollection.Name)]
public sealed class ClusterTransactionTests(OrleansDiffFixture fixture)
{
    private const string CrossSlot = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";

    private static string Me() => $"tx{Guid.NewGuid():N}"[..12];

    private async Task<Func<string, Task<string>>> ConnectAsync(int silo)
    {
        var connection = await RespConnection.ConnectAsync(fixture.EndPointOf(silo));
        return async line => Encoding.UTF8.GetString(await connection.CallAsync(line.Split(' ')));
    }

    [Fact]
    public async Task Cross_slot_command_inside_multi_gets_CROSSSLOT_and_EXEC_aborts()
    {
        var call = await ConnectAsync(0);
        string me = Me();
        Assert.Equal("+OK\r\n", await call("MULTI"));
        Assert.Equal("+QUEUED\r\n", await call($"SET {{{me}}}a 1"));
        Assert.Equal(CrossSlot, await call($"MSET {{{me}}}a 1 {{{me}x}}b 2"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", await call("EXEC"));
        Assert.Equal(":0\r\n", await call($"EXISTS {{{me}}}a"));
    }

    [Fact]
    public async Task Queued_commands_on_different_slots_get_CROSSSLOT_at_EXEC_and_none_runs()
    {
        var call = await ConnectAsync(1);
        string me = Me();
        Assert.Equal("+OK\r\n", await call("MULTI"));
        Assert.Equal("+QUEUED\r\n", await call($"SET {{{me}}}a 1"));
        Assert.Equal("+QUEUED\r\n", await call($"SET {{{me}x}}b 2"));
        Assert.Equal(CrossSlot, await call("EXEC"));
        Assert.Equal("-ERR EXEC without MULTI\r\n", await call("EXEC"));
        Assert.Equal(":0\r\n", await call($"EXISTS {{{me}}}a"));
        Assert.Equal(":0\r\n", await call($"EXISTS {{{me}x}}b"));
    }

    [Fact]
    public async Task Watch_of_keys_in_different_slots_gets_CROSSSLOT()
    {
        var call = await ConnectAsync(0);
        string me = Me();
        Assert.Equal(CrossSlot, await call($"WATCH {{{me}}}a {{{me}x}}b"));
        Assert.Equal("+OK\r\n", await call($"WATCH {{{me}}}a {{{me}}}b"));
        Assert.Equal("+OK\r\n", await call("UNWATCH"));
    }
}
