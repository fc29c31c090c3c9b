namespace Lamina.Gateway.Functions;

/// <summary>The part of a Function's spec the gateway reads.</summary>
public sealed class GatewayFunctionSpec
{
    /// <summary><c>spec.concurrency</c>.</summary>
    public GatewayFunctionConcurrency? Concurrency { get; set; }

    /// <summary><c>spec.async</c>: how Event invocations are retried and where their records go.</summary>
    public GatewayFunctionAsync? Async { get; set; }
}
