using System.Text.Json.Serialization;
using Lamina.Kubernetes.Models;

namespace Lamina.Kubernetes.Serialization;

/// <summary>
/// Source-generated JSON for the models (no reflection: trimming- and AOT-safe). camelCase names,
/// nulls omitted so that a server-side apply claims only the fields a builder sets.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(KubernetesTimeConverter)])]
[JsonSerializable(typeof(Deployment))]
[JsonSerializable(typeof(KubernetesList<Deployment>))]
[JsonSerializable(typeof(Service))]
[JsonSerializable(typeof(KubernetesList<Service>))]
[JsonSerializable(typeof(Pod))]
[JsonSerializable(typeof(KubernetesList<Pod>))]
[JsonSerializable(typeof(Lease))]
[JsonSerializable(typeof(KubernetesList<Lease>))]
[JsonSerializable(typeof(Event))]
[JsonSerializable(typeof(KubernetesList<Event>))]
[JsonSerializable(typeof(Scale))]
[JsonSerializable(typeof(KubernetesList<Scale>))]
[JsonSerializable(typeof(Namespace))]
[JsonSerializable(typeof(KubernetesList<Namespace>))]
[JsonSerializable(typeof(Secret))]
[JsonSerializable(typeof(KubernetesList<Secret>))]
[JsonSerializable(typeof(Status))]
public sealed partial class KubernetesJsonContext : JsonSerializerContext;
