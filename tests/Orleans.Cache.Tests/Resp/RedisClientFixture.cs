using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>StackExchange.Redis connections to a test server, one per protocol, made on first use.</summary>
public static class RedisClients
{
    public static ConfigurationOptions Options(RespTestServer server, RedisProtocol protocol, string? password = null)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { server.EndPoint },
            Protocol = protocol,
            AllowAdmin = true,
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
            SyncTimeout = 5000,
            Password = password,
        };
        return options;
    }

    public static Task<ConnectionMultiplexer> ConnectAsync(RespTestServer server, RedisProtocol protocol, string? password = null) =>
        ConnectionMultiplexer.ConnectAsync(Options(server, protocol, password));

    /// <summary>A key unique to the calling test and protocol, so tests sharing a server don't collide.</summary>
    public static RedisKey Me(RedisProtocol protocol, [CallerMemberName] string caller = "") => $"{caller}:{protocol}";

    /// <summary>Both protocols, for a theory's MemberData: each RESP test runs over RESP2 and RESP3.</summary>
    public static TheoryData<RedisProtocol> Protocols => new() { RedisProtocol.Resp2, RedisProtocol.Resp3 };

    /// <summary>A fresh hash tag for the calling test and protocol: keys built on it share one slot and no other test's.</summary>
    public static string Tag(RedisProtocol protocol, [CallerMemberName] string caller = "") => $"{{{caller}:{protocol}:{Guid.NewGuid():N}}}";
}
