using System.Net;

namespace Lamina.RuntimeShim.Hosting;

/// <summary>What the shim was asked to do, parsed from its command line by <see cref="ShimCommandLine"/>.</summary>
internal sealed record ShimOptions
{
    /// <summary>The runtime's command and arguments (everything after <c>--</c>).</summary>
    public required IReadOnlyList<string> RuntimeCommand { get; init; }

    /// <summary>RIE-compatible local emulation: loopback only, defaults for the Lambda environment.</summary>
    public bool Local { get; init; }

    /// <summary>Where the invoke contract (and the RIE-compatible path) listens.</summary>
    public required IPEndPoint InvokeEndpoint { get; init; }

    /// <summary>Where /healthz, /readyz and /metrics listen; null serves them on the invoke endpoint.</summary>
    public IPEndPoint? AdminEndpoint { get; init; }

    /// <summary>Where the runtime finds the Runtime API (AWS_LAMBDA_RUNTIME_API); always loopback.</summary>
    public required IPEndPoint RuntimeApiEndpoint { get; init; }

    /// <summary>The function's timeout: each invocation's deadline is its start plus this.</summary>
    public required TimeSpan Timeout { get; init; }
}
