namespace Lamina.Operator.Concurrency;

/// <summary>One function's figures for the controller's gauges, read at scrape time.</summary>
internal sealed record FunctionGauges(
    FunctionId Function,
    bool Unreserved,
    int Busy,
    int Leases,
    int Ready,
    int Desired,
    int Environments,
    int ProvisionedReady,
    int ProvisionedLeased,
    int Provisioned);
