namespace Lamina.Contracts.Code;

/// <summary>
/// How a function pod gets its zip and layers before its runtime starts (docs/code.md). Three
/// parties share it: the operator writes the pod's fetch step, the runtime shim's <c>fetch</c>
/// command carries it out, and the gateway's code endpoint serves the bytes from the code store.
/// </summary>
/// <remarks>
/// Pods never hold the code store's credentials. They ask the gateway's code endpoint with a
/// projected ServiceAccount token of audience <see cref="TokenAudience"/>; the gateway reviews the
/// token (TokenReview) and serves only blobs of the pod's own namespace that the pod's own spec
/// names. The shim verifies every digest itself, so neither a store nor a gateway can make a pod
/// run other code.
/// </remarks>
public static class CodeFetchContract
{
    /// <summary>The shim's subcommand: <c>runtime-shim fetch [options]</c>.</summary>
    public const string Command = "fetch";

    /// <summary><c>--code sha256:&lt;hex&gt;:&lt;size&gt;</c>: the function's zip, by digest and size in bytes. Required.</summary>
    public const string CodeOption = "--code";

    /// <summary><c>--code-file &lt;path&gt;</c>: read the zip from this file (a mounted ConfigMap key) instead of the store.</summary>
    public const string CodeFileOption = "--code-file";

    /// <summary><c>--layer sha256:&lt;hex&gt;:&lt;size&gt;</c>, repeated, in order: each is unpacked over the previous into <see cref="OptPath"/>.</summary>
    public const string LayerOption = "--layer";

    /// <summary><c>--store &lt;url&gt;</c>: the gateway's code endpoint, e.g. http://lamina-gateway.lamina-system.svc:8085.</summary>
    public const string StoreOption = "--store";

    /// <summary><c>--namespace &lt;ns&gt;</c>: whose code store repository the blobs are in (the pod's own namespace).</summary>
    public const string NamespaceOption = "--namespace";

    /// <summary><c>--token-file &lt;path&gt;</c>: the projected ServiceAccount token, sent as a Bearer token and re-read per request (the kubelet rotates it).</summary>
    public const string TokenFileOption = "--token-file";

    /// <summary><c>--task &lt;dir&gt;</c>: where the zip is unpacked (default <see cref="TaskPath"/>).</summary>
    public const string TaskOption = "--task";

    /// <summary><c>--opt &lt;dir&gt;</c>: where the layers are unpacked (default <see cref="OptPath"/>).</summary>
    public const string OptOption = "--opt";

    /// <summary>The function's code in the function container, read-only to the runtime (Lambda's LAMBDA_TASK_ROOT).</summary>
    public const string TaskPath = "/var/task";

    /// <summary>The layers in the function container, read-only to the runtime (Lambda's /opt).</summary>
    public const string OptPath = "/opt";

    /// <summary>Lambda's limit on the unzipped size of a function and all its layers together: 250 MB.</summary>
    public const long MaxUnzippedBytes = 262_144_000;

    /// <summary>At most this many layers per function, as in Lambda.</summary>
    public const int MaxLayers = 5;

    /// <summary>The audience of the pod's projected token; the gateway refuses tokens for any other.</summary>
    public const string TokenAudience = "lamina.dev/code";

    /// <summary>Where the fetch step mounts its projected token.</summary>
    public const string TokenPath = "/var/run/secrets/lamina.dev/code/token";

    /// <summary>The gateway's code endpoint: <c>GET {BlobPathPrefix}{namespace}/blobs/sha256:{hex}</c>, Bearer token.</summary>
    public const string BlobPathPrefix = "/code/v1/namespaces/";

    /// <summary>The gateway's code port (container and Service), apart from the Invoke API's.</summary>
    public const int GatewayPort = 8085;

    /// <summary>The digest's algorithm prefix, as OCI and the registry spell it.</summary>
    public const string DigestPrefix = "sha256:";

    /// <summary>The path of a blob on the code endpoint.</summary>
    public static string BlobPath(string @namespace, string sha256Hex) => $"{BlobPathPrefix}{@namespace}/blobs/{DigestPrefix}{sha256Hex}";

    /// <summary>The code store repository of a namespace: one per namespace holds its zips and layers, so a registry's own per-repository access rules can follow tenancy.</summary>
    public static string Repository(string @namespace) => $"lamina/{@namespace}";
}
