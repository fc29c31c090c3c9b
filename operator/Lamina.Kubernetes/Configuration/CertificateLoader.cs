using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lamina.Kubernetes.Configuration;

/// <summary>PEM to certificates, with errors that name where the PEM came from.</summary>
internal static class CertificateLoader
{
    /// <summary>Every certificate in a PEM bundle (a CA file may hold several).</summary>
    public static IReadOnlyList<X509Certificate2> Authorities(string pem, string origin)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new KubernetesConfigurationException($"{origin} is not a PEM certificate bundle: {e.Message}", e);
        }

        if (collection.Count == 0)
        {
            throw new KubernetesConfigurationException($"{origin} holds no PEM certificate");
        }

        return [.. collection];
    }

    /// <summary>A client certificate joined with its private key (RSA, EC, PKCS#1 or PKCS#8).</summary>
    public static X509Certificate2 ClientCertificate(string certificatePem, string keyPem, string origin)
    {
        try
        {
            return X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (CryptographicException e)
        {
            throw new KubernetesConfigurationException($"{origin}: the client certificate and key do not load as a PEM pair: {e.Message}", e);
        }
    }
}
