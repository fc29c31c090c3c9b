using Lamina.Contracts.Code;

namespace Lamina.Operator.Api;

/// <summary>
/// Lambda's defaults and limits, in one place: the CRD schema is generated from these, and the
/// builders apply the same values to objects that predate a default (or come from a fake).
/// </summary>
public static class FunctionDefaults
{
    /// <summary>The AWS base images' entrypoint.</summary>
    public static readonly IReadOnlyList<string> Command = ["/lambda-entrypoint.sh"];

    /// <summary>Lambda's smallest memory size, and its default.</summary>
    public const int MemoryMB = 128;

    /// <summary>Lambda's largest memory size.</summary>
    public const int MaxMemoryMB = 10240;

    /// <summary>Lambda's default timeout.</summary>
    public const int TimeoutSeconds = 3;

    /// <summary>Lambda's longest timeout (15 minutes).</summary>
    public const int MaxTimeoutSeconds = 900;

    /// <summary>Keep environments warm this long after the last invocation before scaling to zero.</summary>
    public const int IdleSeconds = 300;

    /// <summary>Lambda's default (and maximum) retries of an async invocation that failed.</summary>
    public const int MaximumRetryAttempts = 2;

    /// <summary>Lambda's smallest maximum event age for async invocations.</summary>
    public const int MinMaximumEventAgeSeconds = 60;

    /// <summary>Lambda's default and largest maximum event age (6 hours).</summary>
    public const int MaximumEventAgeSeconds = 21600;

    /// <summary>Lambda's limit on all environment variables together (names and values, in bytes).</summary>
    public const int MaxEnvironmentBytes = 4096;

    /// <summary>Lambda's function-name characters, lowercased to a DNS label for Kubernetes.</summary>
    public const string NamePattern = "^[a-z]([-a-z0-9]*[a-z0-9])?$";

    /// <summary>A SHA-256 as the code store and the shim's fetch spell it: 64 lowercase hex digits.</summary>
    public const string Sha256Pattern = "^[0-9a-f]{64}$";

    /// <summary>
    /// A zip's largest size: Lambda's limit on the unzipped function and its layers together (a zip
    /// can hardly be larger than what it unpacks to, so a larger one cannot be valid).
    /// </summary>
    public const long MaxZipBytes = CodeFetchContract.MaxUnzippedBytes;

    /// <summary>A ConfigMap-sourced zip's largest size: 1 MiB, a ConfigMap's own limit (etcd's object size).</summary>
    public const int MaxConfigMapZipBytes = 1024 * 1024;

    /// <summary>Lambda's limit on layers per function.</summary>
    public const int MaxLayers = CodeFetchContract.MaxLayers;

    /// <summary>Lambda's default (and smallest) /tmp, in MB.</summary>
    public const int EphemeralStorageMB = 512;

    /// <summary>Lambda's largest /tmp, in MB.</summary>
    public const int MaxEphemeralStorageMB = 10240;

    /// <summary>A Kubernetes object name (DNS-1123 subdomain), as a ConfigMap's must be.</summary>
    public const string SubdomainPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /// <summary>A ConfigMap key's characters (Kubernetes' rule).</summary>
    public const string ConfigMapKeyPattern = "^[-._a-zA-Z0-9]+$";

    /// <summary>Lambda's LayerVersionArn pattern.</summary>
    public const string LayerArnPattern = "^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9_-]+:[0-9]+$";

    /// <summary>A runtime identifier's characters (nodejs22.x, python3.11, provided.al2023): also a configuration key.</summary>
    public const string RuntimePattern = "^[a-z][a-z0-9.-]*$";
}
