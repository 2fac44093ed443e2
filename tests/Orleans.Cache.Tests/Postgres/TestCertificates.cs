using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orleans.Cache.Tests.Postgres;

/// <summary>Self-signed certificates for mutual TLS on the Orleans links, made once per test run as PKCS#12 files.</summary>
internal static class TestCertificates
{
    public const string Password = "test-cluster";

    /// <summary>The cluster's certificate: silos and clients of the tests' AdoNet clusters share it.</summary>
    public static string Cluster { get; } = Create("orleans-cache-cluster");

    /// <summary>A certificate the cluster never saw.</summary>
    public static string Stranger { get; } = Create("orleans-cache-stranger");

    public static X509Certificate2 Load(string path) => X509CertificateLoader.LoadPkcs12FromFile(path, Password);

    /// <summary>The settings a silo of the tests' clusters gets for its Orleans links.</summary>
    public static (string Key, string Value)[] SiloSettings(string path) => [("Silo:Tls:Certificate", path), ("Silo:Tls:Password", Password)];

    private static string Create(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(Directory.CreateTempSubdirectory("orleans-cache-tls-").FullName, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }
}
