using Lamina.Contracts.Code;

namespace Lamina.Gateway.Code;

/// <summary>
/// The code endpoint (docs/code-endpoint.md): section <c>Lamina:Gateway:Code</c>, validated on start
/// (<see cref="CodeEndpointOptionsValidator"/>).
/// </summary>
internal sealed class CodeEndpointOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lamina:Gateway:Code";

    /// <summary>
    /// Where the code listener binds, a Kestrel URL apart from the Invoke API's (only this port serves
    /// code, and it serves nothing else). Loopback by default like the Invoke API's; the chart binds
    /// every address on <see cref="CodeFetchContract.GatewayPort"/>.
    /// </summary>
    public string Url { get; set; } = $"http://127.0.0.1:{CodeFetchContract.GatewayPort}";

    /// <summary>
    /// How long a successful TokenReview is reused for the same token. 30 s covers a pod's zip and
    /// layers and a scale-out burst, and is a small fraction of a projected token's life (10 min at
    /// least); a revoked ServiceAccount is honoured within it.
    /// </summary>
    public TimeSpan ReviewCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reviews kept at once. An entry is a hash and a few short strings (about 300 bytes), so 4096 is
    /// about a megabyte, and more pods than start within <see cref="ReviewCacheTtl"/> on most clusters.
    /// </summary>
    public int ReviewCacheSize { get; set; } = 4096;

    /// <summary>
    /// The deadline of each API server call (TokenReview, the pod's get). Both answer in milliseconds
    /// when the API server is well; 5 s fails a fetch clearly (503) rather than hanging a pod's start.
    /// </summary>
    public TimeSpan KubernetesTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
