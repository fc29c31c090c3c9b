namespace Lamina.Gateway.Routing;

/// <summary>
/// The labels the operator puts on function pods (operator/Lamina.Operator/Reconciliation/Names.cs),
/// which the gateway selects on. The gateway does not reference the operator, so they are repeated here.
/// </summary>
internal static class FunctionPodLabels
{
    /// <summary>Names the Function a pod runs.</summary>
    public const string Function = "lamina.dev/function";

    public const string ManagedBy = "app.kubernetes.io/managed-by";

    public const string ManagedByValue = "lamina";

    public const string Component = "app.kubernetes.io/component";

    public const string ComponentValue = "function";

    /// <summary>Lamina's function pods that name their function: the informer's label selector.</summary>
    public const string Selector = ManagedBy + "=" + ManagedByValue + "," + Component + "=" + ComponentValue + "," + Function;
}
