using System.Security.Cryptography.X509Certificates;

namespace Lamina.Testing.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class TestCertificatesTests
{
    [Fact]
    public void Create_ServingCertificate_ChainsToAuthorityOnly()
    {
        using var certificates = TestCertificates.Create(DateTimeOffset.UtcNow);
        using var other = TestCertificates.Create(DateTimeOffset.UtcNow);

        Assert.True(Chains(certificates.Serving, certificates.Authority));
        Assert.False(Chains(certificates.Serving, other.Authority));
    }

    [Fact]
    public void Create_ServingCertificate_NamesLoopback()
    {
        using var certificates = TestCertificates.Create(DateTimeOffset.UtcNow);

        Assert.True(certificates.Serving.MatchesHostname("127.0.0.1"));
        Assert.True(certificates.Serving.MatchesHostname("localhost"));
        Assert.False(certificates.Serving.MatchesHostname("example.com"));
    }

    [Fact]
    public void ServingKeyPem_RoundTrips_MatchesCertificate()
    {
        using var certificates = TestCertificates.Create(DateTimeOffset.UtcNow);

        using var withKey = X509Certificate2.CreateFromPem(certificates.ServingPem, certificates.ServingKeyPem);

        Assert.True(withKey.HasPrivateKey);
    }

    private static bool Chains(X509Certificate2 leaf, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
