using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Cache.Client;
using Orleans.Runtime;

namespace Orleans.Cache.Tests.Postgres;

/// <summary>Silos in this process, each on its own TCP ports, find each other through the membership table in PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AdoNetClusteringTests(PostgresServer postgres)
{
    [Fact]
    public async Task Two_silos_form_one_cluster_through_the_membership_table_and_leave_it_dead_on_shutdown()
    {
        var db = await postgres.CreateDatabaseAsync();
        const string ClusterId = "two-silos";
        var first = await PostgresSilo.StartAsync(PostgresSilo.Settings(db, ClusterId));
        var second = await PostgresSilo.StartAsync(PostgresSilo.Settings(db, ClusterId));
        try
        {
            var rows = await PostgresSilo.WaitForMembershipAsync(db, ClusterId,
                r => r.Count == 2 && r.All(s => s.Status == PostgresSilo.Active), TimeSpan.FromSeconds(30));
            Assert.Equal(2, rows.Count);

            // Each silo sees the other as active, and grain calls cross between them.
            var management = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            var hosts = await management.GetHosts(onlyActive: true);
            Assert.Equal(2, hosts.Count);

            await first.Services.GetRequiredService<ICache>().SetAsync("shared", "by first");
            Assert.Equal("by first", await second.Services.GetRequiredService<ICache>().GetStringAsync("shared"));
        }
        catch
        {
            first.Dispose();
            second.Dispose();
            throw;
        }

        await Task.WhenAll(first.StopAsync(), second.StopAsync());
        var after = await PostgresSilo.MembershipAsync(db, ClusterId);
        Assert.Equal(2, after.Count);
        Assert.All(after, s => Assert.Equal(PostgresSilo.Dead, s.Status));

        // The provider's housekeeping queries: dead silos' rows are cleaned up, then the whole cluster is forgotten.
        var table = first.Services.GetRequiredService<IMembershipTable>();
        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        Assert.Empty(await PostgresSilo.MembershipAsync(db, ClusterId));
        Assert.Equal(1, await VersionRowsAsync(db, ClusterId));
        await table.DeleteMembershipTableEntriesAsync(ClusterId, CancellationToken.None);
        Assert.Equal(0, await VersionRowsAsync(db, ClusterId));
        first.Dispose();
        second.Dispose();
    }

    private static async Task<long> VersionRowsAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM OrleansMembershipVersionTable WHERE DeploymentId = @c", connection);
        command.Parameters.AddWithValue("c", clusterId);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
