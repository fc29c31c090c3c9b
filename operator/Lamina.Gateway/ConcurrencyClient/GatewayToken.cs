namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>
/// The token this gateway presents to the shims' invoke contract (header <c>Lamina-Token</c>) and to the
/// concurrency controller (gRPC metadata <c>lamina-token</c>): the first line of the operator's Secret
/// <c>lamina-invoke-token</c>, kept current by <see cref="GatewayTokenRefresher"/>. Without it nothing
/// reaches a function, so the gateway is not ready until it has one.
/// </summary>
internal sealed class GatewayToken
{
    private volatile string? _current;

    /// <summary>The token now, or null before the Secret was read.</summary>
    public string? Current
    {
        get => _current;
        set => _current = value;
    }
}
