using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Orleans.Cache.Silo;

/// <summary>
/// Mutual TLS on the Orleans links (silo to silo, client to gateway), section "Silo:Tls". Every side presents the
/// cluster's certificate and accepts only a peer whose certificate is issued by <see cref="Ca"/> or, without a CA, is the
/// very same certificate (a self-signed cluster certificate shared by silos and clients, e.g. from a Kubernetes Secret).
/// </summary>
public sealed class SiloTlsSettings
{
    /// <summary>The certificate: a PKCS#12 file (.pfx/.p12), or a PEM certificate with <see cref="Key"/>.</summary>
    public string? Certificate { get; set; }
    /// <summary>The PEM private key of a PEM <see cref="Certificate"/> (Kubernetes's tls.key).</summary>
    public string? Key { get; set; }
    /// <summary>The password of a PKCS#12 <see cref="Certificate"/>.</summary>
    public string? Password { get; set; }
    /// <summary>A PEM CA certificate: peers whose certificate it issued are accepted (Kubernetes's ca.crt).</summary>
    public string? Ca { get; set; }
    /// <summary>Run a non-Localhost cluster without TLS on its Orleans links (anyone who reaches them can call partitions).</summary>
    public bool Insecure { get; set; }

    public bool Enabled => Certificate is { Length: > 0 };

    /// <summary>The local certificate with its private key.</summary>
    public X509Certificate2 LoadCertificate()
    {
        var path = Certificate ?? throw new InvalidOperationException("Silo:Tls:Certificate is not set.");
        if (Key is { Length: > 0 } key) return X509Certificate2.CreateFromPemFile(path, key);
        return X509CertificateLoader.LoadPkcs12FromFile(path, Password);
    }

    /// <summary>Configures both directions: our certificate, a required peer certificate, and the trust rule above.</summary>
    public void Configure(TlsOptions options, X509Certificate2 certificate)
    {
        var ca = Ca is { Length: > 0 } caPath ? X509CertificateLoader.LoadCertificateFromFile(caPath) : null;
        options.LocalCertificate = certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (remote, _, _) => Trusted(remote, certificate, ca);
        // Silos reach each other by IP: the name in the certificate is not what is checked, its issuer is.
        options.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = certificate.GetNameInfo(X509NameType.SimpleName, false);
    }

    /// <summary>The peer's certificate chains to <paramref name="ca"/>, or (without one) is our own certificate.</summary>
    public static bool Trusted(X509Certificate2? remote, X509Certificate2 local, X509Certificate2? ca)
    {
        if (remote is null) return false;
        if (ca is null) return remote.Thumbprint == local.Thumbprint;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(remote);
    }
}
