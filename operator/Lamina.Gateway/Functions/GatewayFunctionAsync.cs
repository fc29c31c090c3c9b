namespace Lamina.Gateway.Functions;

/// <summary><c>spec.async</c> as the gateway reads it (Lambda's EventInvokeConfig); the CRD schema enforces the ranges and defaults.</summary>
public sealed class GatewayFunctionAsync
{
    /// <summary>Retries after a function error (0-2).</summary>
    public int? MaximumRetryAttempts { get; set; }

    /// <summary>Events older than this many seconds are not invoked again (60-21600).</summary>
    public int? MaximumEventAgeSeconds { get; set; }

    /// <summary>Where a successful async invocation's record goes.</summary>
    public GatewayFunctionDestination? OnSuccess { get; set; }

    /// <summary>Where a failed or expired async invocation's record goes.</summary>
    public GatewayFunctionDestination? OnFailure { get; set; }
}
