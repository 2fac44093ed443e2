using System.Net;
using System.Net.Sockets;
using Orleans.Cache.Tests.Postgres;
using Xunit.Abstractions;

namespace Orleans.Cache.Tests.Resp;

/// <summary>
/// SHUTDOWN on a real silo process (as `dotnet Orleans.Cache.Silo.dll` runs it, snapshots in a local folder and no save
/// rules, so only shutdown saves): the client's connection closes without a reply and the process exits; SAVE keeps what
/// was written across a restart, NOSAVE drops what was not saved.
/// </summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Shutdown_save_keeps_a_key_across_a_restart_and_shutdown_nosave_loses_an_unsaved_one()
    {
        var snapshots = Directory.CreateTempSubdirectory("orleans-cache-shutdown-").FullName;
        try
        {
            using (var silo = await StartAsync(snapshots))
            {
                using var client = await RawClient.ConnectAsync(silo.EndPoint);
                Assert.Equal("+OK", await client.CommandAsync("SET", "kept", "v1"));
                Assert.Equal("<closed>", await CloseReplyAsync(client, "SHUTDOWN", "SAVE"));
                await silo.Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.Equal(0, silo.Process.ExitCode);
            }
            using (var silo = await StartAsync(snapshots))
            {
                using var client = await RawClient.ConnectAsync(silo.EndPoint);
                Assert.Equal("$2\r\nv1\r\n", await client.CommandAsync("GET", "kept"));
                Assert.Equal("+OK", await client.CommandAsync("SET", "lost", "v2"));
                Assert.Equal("+OK", await client.CommandAsync("SET", "kept", "v3"));
                Assert.Equal("<closed>", await CloseReplyAsync(client, "SHUTDOWN", "NOSAVE", "NOW"));
                await silo.Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.Equal(0, silo.Process.ExitCode);
                output.WriteLine(silo.Process.Output);
            }
            using (var silo = await StartAsync(snapshots))
            {
                using var client = await RawClient.ConnectAsync(silo.EndPoint);
                Assert.Equal("$-1", await client.CommandAsync("GET", "lost"));
                Assert.Equal("$2\r\nv1\r\n", await client.CommandAsync("GET", "kept"));
                await silo.Process.StopAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            Directory.Delete(snapshots, recursive: true);
        }
    }

    private static Task<RunningSilo> StartAsync(string snapshots) => RunningSilo.StartAsync("--Snapshots:Dir", snapshots, "--Snapshots:Save", "");

    /// <summary>Sends a command that should close the connection without a reply ("&lt;closed&gt;"; a reset counts as closed too).</summary>
    private static async Task<string> CloseReplyAsync(RawClient client, params string[] command)
    {
        try { return await client.CommandAsync(command); }
        catch (SocketException) { return "<closed>"; }
    }
}
