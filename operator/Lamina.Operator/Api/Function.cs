using k8s;
using k8s.Models;

namespace Lamina.Operator.Api;

/// <summary>A Lambda-style function: <c>lamina.dev/v1alpha1</c>, kind <c>Function</c>.</summary>
[Doc("A Lambda-style function: an image running an unmodified Lambda runtime, invoked through the Lamina gateway with the Lambda Invoke API.")]
[KubernetesEntity(Group = KubeGroup, ApiVersion = KubeApiVersion, Kind = KubeKind, PluralName = KubePluralName)]
public sealed class Function : IKubernetesObject<V1ObjectMeta>, ISpec<FunctionSpec>, IStatus<FunctionStatus?>
{
    /// <summary>The API group.</summary>
    public const string KubeGroup = "lamina.dev";

    /// <summary>The served version.</summary>
    public const string KubeApiVersion = "v1alpha1";

    /// <summary>The kind.</summary>
    public const string KubeKind = "Function";

    /// <summary>The resource name in URLs.</summary>
    public const string KubePluralName = "functions";

    /// <inheritdoc />
    public string ApiVersion { get; set; } = $"{KubeGroup}/{KubeApiVersion}";

    /// <inheritdoc />
    public string Kind { get; set; } = KubeKind;

    /// <inheritdoc />
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>What the function runs and how.</summary>
    [RequiredField]
    public FunctionSpec Spec { get; set; } = new();

    /// <summary>What the operator observed.</summary>
    public FunctionStatus? Status { get; set; }
}
