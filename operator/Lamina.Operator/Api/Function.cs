using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Models;

namespace Lamina.Operator.Api;

/// <summary>A Lambda-style function: <c>lamina.dev/v1alpha1</c>, kind <c>Function</c>.</summary>
[Doc("A Lambda-style function: an image running an unmodified Lambda runtime, invoked through the Lamina gateway with the Lambda Invoke API.")]
public sealed class Function : IKubernetesObject<Function>
{
    /// <inheritdoc />
    public static ResourceType Resource { get; } = new("lamina.dev", "v1alpha1", "functions", "Function");

    /// <inheritdoc />
    public static JsonTypeInfo<Function> JsonTypeInfo => OperatorJsonContext.Default.Function;

    /// <inheritdoc />
    public static JsonTypeInfo<KubernetesList<Function>> ListJsonTypeInfo => OperatorJsonContext.Default.KubernetesListFunction;

    /// <inheritdoc />
    public string? ApiVersion { get; set; } = Resource.ApiVersion;

    /// <inheritdoc />
    public string? Kind { get; set; } = Resource.Kind;

    /// <inheritdoc />
    public ObjectMeta Metadata { get; set; } = new();

    /// <summary>What the function runs and how.</summary>
    [RequiredField]
    public FunctionSpec Spec { get; set; } = new();

    /// <summary>What the operator observed.</summary>
    public FunctionStatus? Status { get; set; }

    /// <summary>Fields this model does not name.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
