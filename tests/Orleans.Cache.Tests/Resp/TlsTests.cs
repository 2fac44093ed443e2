using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>TLS on its own port with a certificate from a PKCS#12 file; the plain port keeps working beside it.</summary>
public sealed class TlsTests : IAsyncLifetime
{
    private string _pfx = null!;
    private RespTestServer _server = null!;

    public async Task InitializeAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        _pfx = Path.Combine(Path.GetTempPath(), $"resp-tls-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(_pfx, cert.Export(X509ContentType.Pfx, "pw"));
        _server = await RespTestServer.StartAsync(o =>
        {
            o.Tls.Port = -1;
            o.Tls.CertificatePath = _pfx;
            o.Tls.CertificatePassword = "pw";
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        File.Delete(_pfx);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task StackExchange_Redis_works_over_TLS(RedisProtocol protocol)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { _server.Server.TlsEndPoint! },
            Protocol = protocol,
            Ssl = true,
            AllowAdmin = true,
            SslHost = "localhost",
            AbortOnConnectFail = true,
            ConnectTimeout = 10_000,
        };
        options.CertificateValidation += (_, _, _, _) => true;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var db = redis.GetDatabase();
        await db.StringSetAsync($"tls:{protocol}", "secret");
        Assert.Equal("secret", (string?)await db.StringGetAsync($"tls:{protocol}"));
        Assert.Contains("tls-port", (await redis.GetServer(_server.Server.TlsEndPoint!).ConfigGetAsync("tls-port")).Select(p => p.Key));
    }

    [Fact]
    public async Task Plain_port_keeps_working_beside_TLS_and_garbage_on_the_TLS_port_closes_only_that_connection()
    {
        using (var garbage = await RawClient.ConnectAsync(_server.Server.TlsEndPoint!))
            Assert.EndsWith("<closed>", await garbage.RoundTripAsync("PING\r\n", 500));
        using var plain = await RawClient.ConnectAsync(_server.EndPoint);
        Assert.Equal("+PONG\r\n", await plain.RoundTripAsync("PING\r\n", 200));
    }
}
