using System.Text.Json.Serialization;
using Lamina.Kubernetes.Models;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Operator.Api;

/// <summary>Source-generated JSON for the operator's own types, with the client's conventions.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(KubernetesTimeConverter)])]
[JsonSerializable(typeof(Function))]
[JsonSerializable(typeof(KubernetesList<Function>))]
[JsonSerializable(typeof(FunctionStatusApply))]
[JsonSerializable(typeof(KubernetesList<FunctionStatusApply>))]
[JsonSerializable(typeof(FunctionStatus))]
public sealed partial class OperatorJsonContext : JsonSerializerContext;
