using Lamina.Contracts.Concurrency;

namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>How the gateway finds and talks to the concurrency controller: section <c>Lamina:Gateway:Controller</c>.</summary>
internal sealed class ConcurrencyClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lamina:Gateway:Controller";

    /// <summary>The operator's leader election Lease (the operator's <c>LeaseName</c>).</summary>
    public const string DefaultLeaseName = ConcurrencyConnectionContract.DefaultLeaseName;

    /// <summary>
    /// The controller's gRPC address (<c>http://host:port</c>, plaintext HTTP/2). When set, the
    /// gateway connects there and never reads the Lease (tests, benchmarks, a single operator).
    /// </summary>
    public string? Address { get; set; }

    /// <summary>The Lease whose holder is the controller's leader; its identity ends with <c>@address</c>.</summary>
    public string LeaseName { get; set; } = DefaultLeaseName;

    /// <summary>
    /// The Lease's namespace: the operator's. Unset: POD_NAMESPACE (the gateway runs beside the
    /// operator), else the kubeconfig's namespace, else <c>default</c>, as the operator chooses its own.
    /// </summary>
    public string? LeaseNamespace { get; set; }

    /// <summary>
    /// A lease idle this long goes back to the controller, so environments move to the gateways that
    /// have demand and scale-down finds unleased ones; 2 s outlasts the gaps between a caller's
    /// back-to-back invocations, which keep their environment warm.
    /// </summary>
    public TimeSpan IdleRelease { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often demand is reported: the autoscaler samples every second.</summary>
    public TimeSpan DemandInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The wait before reconnecting after a stream ends or fails; doubled on each failure in a row, up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between attempts: a new leader is found within this of being announced.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A TCP connect to the controller: in-cluster connects take milliseconds; a dead leader's IP may drop packets silently.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The Lease's namespace when none is configured: the pod's, else the kubeconfig's, else <c>default</c>.</summary>
    public static string LeaseNamespaceOr(string? configured, string? podNamespace, string? kubeconfigNamespace) =>
        configured is { Length: > 0 } ? configured
        : podNamespace is { Length: > 0 } ? podNamespace
        : kubeconfigNamespace is { Length: > 0 } ? kubeconfigNamespace
        : "default";
}
