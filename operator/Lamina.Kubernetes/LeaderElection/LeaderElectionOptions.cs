using System.Security.Cryptography;

namespace Lamina.Kubernetes.LeaderElection;

/// <summary>Which Lease replicas compete for, who this replica is, and client-go's timings.</summary>
public sealed class LeaderElectionOptions
{
    /// <summary>
    /// client-go's default (<c>LeaseDuration</c>): how long a lease holds after its last renewal,
    /// and so how long a crashed leader's successor waits. Shorter means faster fail-over and
    /// more API traffic; 15 s is what kube-controller-manager uses.
    /// </summary>
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromSeconds(15);

    /// <summary>
    /// client-go's default: a leader that has not renewed for this long steps down. It must be
    /// shorter than the lease duration, so that the leader stops working before anyone else may
    /// take the lease (5 s of margin for clock drift and slow requests).
    /// </summary>
    public static readonly TimeSpan DefaultRenewDeadline = TimeSpan.FromSeconds(10);

    /// <summary>client-go's default: how often a leader renews and a follower tries to acquire.</summary>
    public static readonly TimeSpan DefaultRetryPeriod = TimeSpan.FromSeconds(2);

    /// <summary>The environment variable the chart sets from the downward API (<c>metadata.name</c>).</summary>
    public const string PodNameVariable = "POD_NAME";

    /// <summary>The Lease's namespace (usually the operator's own).</summary>
    public required string Namespace { get; set; }

    /// <summary>The Lease's name, e.g. <c>lamina-operator</c>.</summary>
    public required string LeaseName { get; set; }

    /// <summary>This replica's identity, written as the Lease's holderIdentity; unique per process.</summary>
    public string Identity { get; set; } = DefaultIdentity();

    /// <inheritdoc cref="DefaultLeaseDuration"/>
    public TimeSpan LeaseDuration { get; set; } = DefaultLeaseDuration;

    /// <inheritdoc cref="DefaultRenewDeadline"/>
    public TimeSpan RenewDeadline { get; set; } = DefaultRenewDeadline;

    /// <inheritdoc cref="DefaultRetryPeriod"/>
    public TimeSpan RetryPeriod { get; set; } = DefaultRetryPeriod;

    /// <summary>
    /// On shutdown, give the lease up (empty holderIdentity) so that a successor takes over at
    /// its next retry instead of waiting for the lease to expire.
    /// </summary>
    public bool ReleaseOnCancel { get; set; } = true;

    /// <summary>
    /// The pod name (or host name outside Kubernetes) and a random suffix: a container restarted in
    /// the same pod must not mistake its predecessor's lease for its own.
    /// </summary>
    public static string DefaultIdentity()
    {
        var name = Environment.GetEnvironmentVariable(PodNameVariable);
        if (string.IsNullOrEmpty(name))
        {
            name = Environment.MachineName;
        }

        return $"{name}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
    }
}
