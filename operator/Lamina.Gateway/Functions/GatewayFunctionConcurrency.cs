namespace Lamina.Gateway.Functions;

/// <summary><c>spec.concurrency</c> as the gateway reads it.</summary>
public sealed class GatewayFunctionConcurrency
{
    /// <summary>
    /// Provisioned concurrency: an invocation on an on-demand environment while this is above 0 is
    /// a spillover. Reserved concurrency is the controller's business, not the gateway's.
    /// </summary>
    public int? Provisioned { get; set; }
}
