using k8s.Models;
using Lamina.Contracts.Concurrency;
using Lamina.Kubernetes.Client;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>
/// Finds the concurrency controller's leader: the holder of the operator's <c>coordination.k8s.io/v1</c>
/// Lease announces itself as <c>&lt;pod&gt;_&lt;random&gt;@&lt;address&gt;</c>. Read whenever the gateway
/// (re)connects, so a new leader is found on the first attempt after it takes the Lease. Needs get
/// on that Lease.
/// </summary>
internal sealed partial class LeaderDiscovery(IKubernetesClient client, IOptions<ConcurrencyClientOptions> options, ILogger<LeaderDiscovery> logger)
{
    private readonly ConcurrencyClientOptions _options = options.Value;

    /// <summary>The leader's gRPC address, or null when there is no leader yet (no Lease, no holder, or a holder that announces no address).</summary>
    public async Task<Uri?> FindAsync(CancellationToken cancellationToken)
    {
        var ns = _options.LeaseNamespace ?? "default";
        V1Lease lease;
        try
        {
            lease = await client.GetAsync<V1Lease>(ns, _options.LeaseName, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException error)
        {
            LogUnreadable(logger, ns, _options.LeaseName, error.Message);
            return null;
        }

        var holder = lease.Spec?.HolderIdentity;
        if (AddressOf(holder) is { } address)
        {
            return address;
        }

        LogNoLeader(logger, ns, _options.LeaseName, holder ?? "");
        return null;
    }

    /// <summary>What follows the last <c>@</c> of a holder identity, as an http:// URI (the scheme added when missing); null when there is none.</summary>
    public static Uri? AddressOf(string? holderIdentity)
    {
        var at = holderIdentity?.LastIndexOf(ConcurrencyConnectionContract.AddressSeparator) ?? -1;
        if (at < 0 || at == holderIdentity!.Length - 1)
        {
            return null;
        }

        var address = holderIdentity[(at + 1)..];
        if (!address.Contains("://", StringComparison.Ordinal))
        {
            address = "http://" + address;
        }

        return Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp ? uri : null;
    }
}
