namespace Lamina.Operator.Concurrency;

/// <summary>
/// What the concurrency controller knows of one function, for the reconciler: the on-demand
/// Deployment's replicas it wants, and the figures the Function's status shows.
/// </summary>
/// <param name="OnDemandReplicas">Replicas of the on-demand Deployment (desired minus provisioned).</param>
/// <param name="Desired">Environments the autoscaler wants, provisioned ones included.</param>
/// <param name="Ready">Environments that can take an invocation now.</param>
/// <param name="Busy">Environments running an invocation now, as the gateways report.</param>
/// <param name="ProvisionedReady">Provisioned-concurrency environments ready now.</param>
/// <param name="LastScale">The last decision that changed <paramref name="Desired"/>, if any.</param>
internal sealed record FunctionScale(int OnDemandReplicas, int Desired, int Ready, int Busy, int ProvisionedReady, ScaleEvent? LastScale);

/// <summary>One scaling decision: when, from how many environments to how many, and why.</summary>
internal sealed record ScaleEvent(DateTimeOffset Time, int From, int To, string Reason)
{
    /// <summary><c>Up</c> or <c>Down</c>.</summary>
    public string Direction => To > From ? "Up" : "Down";
}

/// <summary>The controller's view, for the reconciler (null: no view yet, e.g. not leading or just started).</summary>
internal interface IScaleSource
{
    FunctionScale? Get(string ns, string name);
}
