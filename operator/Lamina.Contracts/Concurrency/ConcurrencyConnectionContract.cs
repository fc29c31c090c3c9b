namespace Lamina.Contracts.Concurrency;

/// <summary>
/// How a gateway finds the concurrency controller's leader and proves itself to it; the service it
/// then speaks is <c>Protos/concurrency.proto</c> (docs/concurrency.md). The operator writes each of
/// these, the gateway reads them.
/// </summary>
public static class ConcurrencyConnectionContract
{
    /// <summary>The operator's leader-election Lease (<c>coordination.k8s.io/v1</c>, in the operator's namespace) unless configured otherwise.</summary>
    public const string DefaultLeaseName = "lamina-operator";

    /// <summary>
    /// The leader's holder identity on that Lease is <c>&lt;identity&gt;@&lt;address&gt;</c>: its gRPC
    /// address follows the last <see cref="AddressSeparator"/>.
    /// </summary>
    public const char AddressSeparator = '@';

    /// <summary>The gRPC metadata key that carries the gateway's invoke token (<see cref="Tokens.InvokeTokenSecretContract"/>).</summary>
    public const string TokenMetadata = "lamina-token";
}
