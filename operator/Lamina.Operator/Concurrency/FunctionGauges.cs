namespace Lamina.Operator.Concurrency;

/// <summary>
/// One function's figures for the controller's gauges, read at scrape time. <c>Reserved</c> is the
/// reserved concurrency in force (0 while the pool refuses the reservation), null for an unreserved
/// function; <c>TimeoutSeconds</c> is spec.timeoutSeconds with its default. <c>Busy</c> is the
/// invocations running now as the gateways last reported them, and <c>ProvisionedBusy</c> those of them on
/// provisioned-concurrency environments (not the leased ones: a gateway keeps an idle lease for a while).
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
    int ProvisionedBusy,
    int Provisioned,
    int TimeoutSeconds)
{
    /// <summary>True when the function has no reservation and shares the unreserved pool.</summary>
    public bool Unreserved => Reserved is null;
}
