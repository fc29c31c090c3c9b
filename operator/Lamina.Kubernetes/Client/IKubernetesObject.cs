using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Models;

namespace Lamina.Kubernetes.Client;

/// <summary>Any Kubernetes object: type metadata plus object metadata.</summary>
public interface IKubernetesObject
{
    /// <summary><c>group/version</c> (or <c>v1</c> for the core group).</summary>
    string? ApiVersion { get; set; }

    /// <summary>The object's kind, e.g. <c>Deployment</c>.</summary>
    string? Kind { get; set; }

    /// <summary>Name, namespace, labels, resource version, owners…</summary>
    ObjectMeta Metadata { get; set; }
}

/// <summary>
/// A typed object the client can read and write. The static members tell the client where the
/// resource lives and how to (de)serialise it with source-generated JSON (no reflection, AOT-safe).
/// </summary>
public interface IKubernetesObject<TSelf> : IKubernetesObject
    where TSelf : class, IKubernetesObject<TSelf>
{
    /// <summary>Where the resource is served.</summary>
    static abstract ResourceType Resource { get; }

    /// <summary>JSON metadata for one object.</summary>
    static abstract JsonTypeInfo<TSelf> JsonTypeInfo { get; }

    /// <summary>JSON metadata for a list of objects.</summary>
    static abstract JsonTypeInfo<KubernetesList<TSelf>> ListJsonTypeInfo { get; }
}
