using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Lamina.Kubernetes.Configuration;
using Lamina.Kubernetes.Http;
using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.Http;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class KubernetesHttpClientFactoryTests : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create(DateTimeOffset.UtcNow);
    private readonly X509Certificate2 _serving;

    public KubernetesHttpClientFactoryTests()
    {
        // A PKCS#12 round trip gives SslStream a certificate whose key it can use on every platform.
        using var pem = X509Certificate2.CreateFromPem(_certificates.ServingPem, _certificates.ServingKeyPem);
        _serving = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        _serving.Dispose();
        _certificates.Dispose();
    }

    [Fact]
    public async Task CreateHttpClient_ServerSignedByConfiguredCa_SucceedsAndSendsBearerToken()
    {
        await using var server = new LoopbackTlsServer(_serving);
        using var client = KubernetesHttpClientFactory.CreateHttpClient(Configuration(server, ca: _certificates.Authority) with
        {
            TokenSource = new StaticTokenSource("the-token"),
        });

        using var response = await client.GetAsync("/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer the-token", server.LastAuthorization);
        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
    }

    [Fact]
    public async Task CreateHttpClient_ServerSignedByAnotherCa_HandshakeRefused()
    {
        using var other = TestCertificates.Create(DateTimeOffset.UtcNow);
        await using var server = new LoopbackTlsServer(_serving);
        using var client = KubernetesHttpClientFactory.CreateHttpClient(Configuration(server, ca: other.Authority));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/version"));

        Assert.IsType<System.Security.Authentication.AuthenticationException>(error.InnerException);
    }

    [Fact]
    public async Task CreateHttpClient_CertificateForAnotherName_HandshakeRefused()
    {
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var authority = SelfSignedAuthority(authorityKey);
        using var wrongName = Leaf(authority, "not-this-host.example");
        await using var server = new LoopbackTlsServer(wrongName);
        using var client = KubernetesHttpClientFactory.CreateHttpClient(Configuration(server, ca: authority));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/version"));

        Assert.IsType<System.Security.Authentication.AuthenticationException>(error.InnerException);
    }

    [Fact]
    public async Task CreateHttpClient_SkipTlsVerify_AcceptsAnyCertificate()
    {
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var authority = SelfSignedAuthority(authorityKey);
        using var wrongName = Leaf(authority, "not-this-host.example");
        await using var server = new LoopbackTlsServer(wrongName);
        using var client = KubernetesHttpClientFactory.CreateHttpClient(Configuration(server, ca: null) with { SkipTlsVerify = true });

        using var response = await client.GetAsync("/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task CreateHttpClient_ClientCertificate_PresentedToServer()
    {
        await using var server = new LoopbackTlsServer(_serving, askForClientCertificate: true);
        using var clientCertificate = X509Certificate2.CreateFromPem(_certificates.ServingPem, _certificates.ServingKeyPem);
        using var client = KubernetesHttpClientFactory.CreateHttpClient(Configuration(server, ca: _certificates.Authority) with
        {
            ClientCertificate = clientCertificate,
        });

        using var response = await client.GetAsync("/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(clientCertificate.Thumbprint, server.LastClientCertificateThumbprint);
        Assert.Null(server.LastAuthorization);
    }

    private static KubernetesClientConfiguration Configuration(LoopbackTlsServer server, X509Certificate2? ca) => new()
    {
        Server = new Uri($"https://127.0.0.1:{server.Port}"),
        CertificateAuthorities = ca is null ? [] : [ca],
    };

    private static X509Certificate2 SelfSignedAuthority(ECDsa key)
    {
        var request = new CertificateRequest("CN=other-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Leaf(X509Certificate2 authority, string dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
