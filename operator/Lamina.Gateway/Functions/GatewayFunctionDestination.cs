namespace Lamina.Gateway.Functions;

/// <summary>A destination for async invocation records: a Function in the same namespace.</summary>
public sealed class GatewayFunctionDestination
{
    /// <summary>The destination Function's name.</summary>
    public string? Function { get; set; }
}
