using Lamina.Contracts.Concurrency;
using Lamina.Operator.Api;
using Lamina.Operator.Reconciliation;

namespace Lamina.Operator.Hosting;

/// <summary>The operator's settings: configuration section <c>Lamina:Operator</c> (or LAMINA__OPERATOR__* variables).</summary>
internal sealed class OperatorOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lamina:Operator";

    /// <summary>Reconciles run at once: enough to keep up with bursts of changes on two cores, few enough not to flood the API server.</summary>
    public int Workers { get; set; } = 4;

    /// <summary>
    /// Watch and manage Functions in this namespace only (empty: every namespace). Two operators whose
    /// scopes overlap would both reconcile and scale the same Functions, each undoing the other.
    /// </summary>
    public string? WatchNamespace { get; set; }

    /// <summary>The default <see cref="LeaseName"/>; gateways look for the same name by default.</summary>
    public const string DefaultLeaseName = ConcurrencyConnectionContract.DefaultLeaseName;

    /// <summary>The lease that elects one active operator; other replicas wait as warm standbys.</summary>
    public string LeaseName { get; set; } = DefaultLeaseName;

    /// <summary>The lease's namespace; the pod's own namespace (POD_NAMESPACE) or the kubeconfig's when empty.</summary>
    public string? LeaseNamespace { get; set; }

    /// <summary>Every object is re-reconciled this often, so a missed event cannot leave drift for long.</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The runtime shim's image.</summary>
    public string ShimImage { get; set; } = "docker.io/lamina/runtime-shim:dev";

    /// <summary>Pull policy of function and shim images.</summary>
    public string ImagePullPolicy { get; set; } = "IfNotPresent";

    /// <summary>AWS_REGION and the region in function ARNs.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The account in function ARNs.</summary>
    public string AccountId { get; set; } = "000000000000";

    /// <summary>
    /// The managed runtimes zip functions may name, by name (nodejs22.x, python3.11, …). None by default:
    /// which images an installation runs is its choice, so the chart lists them (operator.runtimes) and a
    /// Function naming any other gets UnsupportedRuntime listing these.
    /// </summary>
    public Dictionary<string, RuntimeOptions> Runtimes { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The gateway's code endpoint function pods fetch zips and layers from, e.g.
    /// http://lamina-gateway.lamina-system.svc:8085 (the chart sets it). Empty: no code store, so only
    /// ConfigMap-sourced functions without layers can run.
    /// </summary>
    public string? CodeEndpoint { get; set; }

    /// <summary>The builders' view of the runtimes.</summary>
    public IReadOnlyDictionary<string, ManagedRuntime> ManagedRuntimes() =>
        Runtimes.ToDictionary(
            pair => pair.Key,
            pair => new ManagedRuntime(pair.Value.Image, pair.Value.Command.Count > 0 ? [.. pair.Value.Command] : FunctionDefaults.Command, pair.Value.HandlerRequired),
            StringComparer.Ordinal);
}
