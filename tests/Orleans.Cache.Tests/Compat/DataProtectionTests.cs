using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Tests.Differential;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Compat;

/// <summary>
/// Microsoft.AspNetCore.DataProtection.StackExchangeRedis — the key ring of a web farm — over RESP: the key one app
/// creates is stored as a list element on the server, and a second app (on Orleans.Cache through the other silo) uses
/// it to unprotect what the first protected, and the other way round, without making a key of its own.
/// Each row runs against a real redis-server and against the Orleans.Cache 2-silo cluster, over RESP2 and RESP3.
/// </summary>
[Collection(OrleansDiffCollection.Name)]
public sealed class DataProtectionTests(OrleansDiffFixture fixture)
{
    public static TheoryData<string> Servers => CompatServers.All;

    private static ServiceProvider App(IConnectionMultiplexer connection, RedisKey keyRing)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().SetApplicationName("compat-tests").PersistKeysToStackExchangeRedis(connection, keyRing);
        return services.BuildServiceProvider();
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task A_key_ring_made_by_one_app_unprotects_in_another(string server)
    {
        RedisKey keyRing = CompatServers.Unique("dataprotection") + "keys";
        await using var connectionA = await ConnectionMultiplexer.ConnectAsync(fixture.Options(server, 0));
        await using var connectionB = await ConnectionMultiplexer.ConnectAsync(fixture.Options(server, 1));
        await using var inspect = await fixture.InspectAsync(server);
        await using var appA = App(connectionA, keyRing);
        await using var appB = App(connectionB, keyRing);

        string token = appA.GetDataProtector("orders").Protect("order 42 for alice");
        Assert.Equal(1, await inspect.GetDatabase().ListLengthAsync(keyRing));
        Assert.Contains("<key id=", (string?)await inspect.GetDatabase().ListGetByIndexAsync(keyRing, 0));

        Assert.Equal("order 42 for alice", appB.GetDataProtector("orders").Unprotect(token));
        Assert.Equal("reply", appA.GetDataProtector("orders").Unprotect(appB.GetDataProtector("orders").Protect("reply")));
        Assert.Equal(1, await inspect.GetDatabase().ListLengthAsync(keyRing));
        // Another purpose does not unprotect it: the payload really was protected by the shared key.
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => appB.GetDataProtector("other").Unprotect(token));
    }
}
