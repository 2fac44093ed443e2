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
}
