using System.Net;
using System.Security.Authentication;
using Lamina.Kubernetes.Configuration;

namespace Lamina.Kubernetes.Http;

/// <summary>
/// The HTTP stack of the client: one pooled <see cref="SocketsHttpHandler"/> per configuration,
/// TLS that trusts only the cluster's CA, an optional client certificate, and bearer tokens.
/// </summary>
public static class KubernetesHttpClientFactory
{
    /// <summary>Connections are replaced after this long so that a load-balanced API server spreads its clients.</summary>
    private static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Idle connections are closed before the usual 2-minute idle cut of load balancers and proxies.</summary>
    private static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90);

    /// <summary>An unreachable API server should fail fast and be retried, not hold a request for the OS's minutes.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An HttpClient for <paramref name="configuration"/>'s server (as <see cref="HttpClient.BaseAddress"/>)
    /// that authenticates every request. Its <see cref="HttpClient.Timeout"/> is infinite because
    /// watches stream for minutes; the client times out other requests itself.
    /// </summary>
    public static HttpClient CreateHttpClient(KubernetesClientConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        HttpMessageHandler handler = CreateHandler(configuration);
        if (configuration.TokenSource is { } tokens)
        {
            handler = new BearerTokenHandler(tokens) { InnerHandler = handler };
        }

        return new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = configuration.Server,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The transport alone: pooling, TLS trust and the client certificate (no token).</summary>
    public static SocketsHttpHandler CreateHandler(KubernetesClientConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = PooledConnectionLifetime,
            PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
            ConnectTimeout = ConnectTimeout,
            // Large lists compress well and the API server gzips them when asked.
            AutomaticDecompression = DecompressionMethods.GZip,
            UseCookies = false,
            AllowAutoRedirect = false,
        };

        handler.SslOptions.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        if (configuration.ClientCertificate is { } certificate)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }

        if (configuration.SkipTlsVerify)
        {
            // The kubeconfig asked for it (insecure-skip-tls-verify: true); meant for throw-away clusters.
#pragma warning disable CA5359
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (configuration.CertificateAuthorities.Count > 0)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = new ServerCertificateValidator(configuration.CertificateAuthorities).Validate;
        }

        // No CA configured and no skip: the platform's default validation (public roots), as kubectl does.
        return handler;
    }
}
