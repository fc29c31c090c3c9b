using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Lamina.Kubernetes.Http;

/// <summary>
/// Checks the API server's certificate against the configured certificate authorities only
/// (<see cref="X509ChainTrustMode.CustomRootTrust"/>): a cluster CA is private, and trusting the
/// machine's public roots as well would let any publicly trusted certificate for the name pass.
/// The host name is still checked.
/// </summary>
internal sealed class ServerCertificateValidator
{
    private readonly X509Certificate2Collection _authorities;

    public ServerCertificateValidator(IReadOnlyList<X509Certificate2> authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        if (authorities.Count == 0)
        {
            throw new ArgumentException("at least one certificate authority is needed", nameof(authorities));
        }

        _authorities = [.. authorities];
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // The platform's chain error is expected (it does not know our CA); a wrong name or no certificate is not.
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        // Cluster CAs publish no revocation lists; checking would fail every handshake.
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            // Intermediates the server sent along with its certificate.
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        if (certificate is X509Certificate2 certificate2)
        {
            return custom.Build(certificate2);
        }

        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(copy);
    }
}
