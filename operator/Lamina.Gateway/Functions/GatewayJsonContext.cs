using System.Text.Json.Serialization;
using Lamina.Kubernetes.Models;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Gateway.Functions;

/// <summary>Source-generated JSON for the gateway's own types, with the client's conventions.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(KubernetesTimeConverter)])]
[JsonSerializable(typeof(GatewayFunction))]
[JsonSerializable(typeof(KubernetesList<GatewayFunction>))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;
