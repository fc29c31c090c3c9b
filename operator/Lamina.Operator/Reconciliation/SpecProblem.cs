namespace Lamina.Operator.Reconciliation;

/// <summary>One reason a Function cannot be run as it is: a CamelCase condition reason and a message naming the field and what to do.</summary>
internal sealed record SpecProblem(string Reason, string Message)
{
    /// <summary>The generic reason: a field the schema could not check is wrong.</summary>
    public const string InvalidSpec = "InvalidSpec";

    /// <summary>spec.code without spec.runtime.</summary>
    public const string RuntimeRequired = "RuntimeRequired";

    /// <summary>spec.runtime names a runtime this installation does not have.</summary>
    public const string UnsupportedRuntime = "UnsupportedRuntime";

    /// <summary>The runtime needs spec.handler and there is none.</summary>
    public const string HandlerRequired = "HandlerRequired";

    /// <summary>The code source names something that is not a usable zip.</summary>
    public const string InvalidCode = "InvalidCode";

    /// <summary>The ConfigMap is not among the labelled ConfigMaps the operator watches.</summary>
    public const string CodeConfigMapNotFound = "CodeConfigMapNotFound";

    /// <summary>The ConfigMap's zip is over 1 MiB.</summary>
    public const string CodeConfigMapTooLarge = "CodeConfigMapTooLarge";

    /// <summary>The function needs the code store and this installation names none (Lamina:Operator:CodeEndpoint).</summary>
    public const string CodeStoreNotConfigured = "CodeStoreNotConfigured";

    /// <summary>A problem of the generic kind.</summary>
    public static SpecProblem Invalid(string message) => new(InvalidSpec, message);
}
