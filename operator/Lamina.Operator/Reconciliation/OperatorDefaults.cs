namespace Lamina.Operator.Reconciliation;

/// <summary>
/// Installation-wide settings the builders use (from the operator's configuration, section
/// <c>Lamina:Operator</c>); pure data, so builders stay pure functions.
/// </summary>
internal sealed record OperatorDefaults
{
    /// <summary>The runtime shim's image; an init container copies the shim from it into each pod.</summary>
    public string ShimImage { get; init; } = "docker.io/lamina/runtime-shim:dev";

    /// <summary>Pull policy of function and shim images (images are imported into the local cluster, never pulled).</summary>
    public string ImagePullPolicy { get; init; } = "IfNotPresent";

    /// <summary>AWS_REGION and the region part of function ARNs.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>The account part of function ARNs (LocalStack's all-zero convention).</summary>
    public string AccountId { get; init; } = "000000000000";

    /// <summary>The user function containers run as when the image's own user is root or a name.</summary>
    public long RunAsUser { get; init; } = 65532;

    /// <summary>After SIGTERM the shim finishes the invocation in flight (up to the timeout), then exits; this much more for shutdown.</summary>
    public int DrainSeconds { get; init; } = 10;

    /// <summary>The managed runtimes zip functions may name, by name (nodejs22.x, …); empty: none.</summary>
    public IReadOnlyDictionary<string, ManagedRuntime> Runtimes { get; init; } = new Dictionary<string, ManagedRuntime>(StringComparer.Ordinal);

    /// <summary>The gateway's code endpoint that function pods fetch zips and layers from (their fetch step's --store); null: none, so only ConfigMap code without layers can run.</summary>
    public string? CodeEndpoint { get; init; }

    /// <summary>
    /// SHA-256 hashes of the gateways' tokens (Access/InvokeTokenSecret), sorted and comma-separated:
    /// function pods get them as LAMINA_INVOKE_TOKEN_SHA256 and accept only callers presenting one of
    /// the tokens. Null: the operator never read a usable Secret; the reconciler then keeps the hashes an
    /// existing Deployment carries, and a new one gets none (its shims refuse every caller: fail closed).
    /// </summary>
    public string? InvokeTokenHashes { get; init; }
}
