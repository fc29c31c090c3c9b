using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Models;

namespace Lamina.Operator.Api;

/// <summary>A Lambda-style function: <c>lamina.dev/v1alpha1</c>, kind <c>Function</c>.</summary>
[Doc("A Lambda-style function: an image running an unmodified Lambda runtime, invoked through the Lamina gateway with the Lambda Invoke API.")]
public sealed class Function : KubernetesObject<Function>, IKubernetesObject<Function>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("lamina.dev", "v1alpha1", "functions", "Function");

    /// <inheritdoc />
    public static JsonTypeInfo<Function> JsonTypeInfo => OperatorJsonContext.Default.Function;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Function>> ListJsonTypeInfo => OperatorJsonContext.Default.KubernetesListFunction;

    /// <summary>What the function runs and how.</summary>
    [RequiredField]
    public FunctionSpec Spec { get; set; } = new();

    /// <summary>What the operator observed.</summary>
    public FunctionStatus? Status { get; set; }
}
