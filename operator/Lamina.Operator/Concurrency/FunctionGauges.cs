namespace Lamina.Operator.Concurrency;

/// <summary>
/// One function's figures for the controller's gauges, read at scrape time. <c>Reserved</c> is the
/// reserved concurrency in force (0 while the pool refuses the reservation), null for an unreserved
/// function; <c>TimeoutSeconds</c> is spec.timeoutSeconds with its default.
/// </summary>
internal sealed record FunctionGauges(
    FunctionId Function,
    int? Reserved,
    int Busy,
    int Leases,
    int Ready,
    int Desired,
    int Environments,
    int ProvisionedReady,
    int ProvisionedLeased,
    int Provisioned,
    int TimeoutSeconds)
{
    /// <summary>True when the function has no reservation and shares the unreserved pool.</summary>
    public bool Unreserved => Reserved is null;
}
