namespace Lamina.Operator.Reconciliation;

/// <summary>How an execution environment came to be, as Lambda's AWS_LAMBDA_INITIALIZATION_TYPE says; each kind has its own Deployment.</summary>
internal enum EnvironmentKind
{
    /// <summary>Started for demand by the autoscaler (Deployment <c>&lt;name&gt;-fn</c>), from zero.</summary>
    OnDemand,

    /// <summary>Kept initialised for <c>spec.concurrency.provisioned</c> (Deployment <c>&lt;name&gt;-pc</c>), before any traffic.</summary>
    Provisioned,
}
