using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lamina.Testing;

/// <summary>
/// A throw-away certificate authority and a loopback serving certificate signed by it, made in
/// process (no openssl), so each fixture has its own trust root.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 authority, X509Certificate2 serving, string servingKeyPem)
    {
        Authority = authority;
        Serving = serving;
        ServingKeyPem = servingKeyPem;
    }

    /// <summary>The CA certificate clients trust.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The server certificate, valid for 127.0.0.1, ::1 and localhost.</summary>
    public X509Certificate2 Serving { get; }

    /// <summary>The serving certificate's private key in PKCS#8 PEM.</summary>
    public string ServingKeyPem { get; }

    /// <summary>The CA certificate in PEM.</summary>
    public string AuthorityPem => Authority.ExportCertificatePem();

    /// <summary>The serving certificate in PEM.</summary>
    public string ServingPem => Serving.ExportCertificatePem();

    /// <summary>Makes a CA and a serving certificate valid from an hour ago for one day.</summary>
    public static TestCertificates Create(DateTimeOffset now)
    {
        var notBefore = now.AddHours(-1);
        var notAfter = now.AddDays(1);

        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=lamina-test-ca", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        var authority = authorityRequest.CreateSelfSigned(notBefore, notAfter);

        using var servingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var servingRequest = new CertificateRequest("CN=localhost", servingKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        servingRequest.CertificateExtensions.Add(names.Build());
        servingRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        servingRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        servingRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        var serving = servingRequest.Create(authority, notBefore, notAfter, serial);

        return new TestCertificates(authority, serving, servingKey.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// A handler that trusts only <paramref name="authorityPem"/> (not the machine's roots) and
    /// still checks the host name.
    /// </summary>
    public static HttpClientHandler CreateTrustingHandler(string authorityPem)
    {
        var authority = X509Certificate2.CreateFromPem(authorityPem);
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Authority.Dispose();
        Serving.Dispose();
    }
}
