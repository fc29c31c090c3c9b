using Lamina.Contracts.Code;

namespace Lamina.RuntimeShim.Code;

/// <summary><c>runtime-shim fetch</c>'s command line, parsed and checked (<see cref="FetchCommandLine"/>).</summary>
internal sealed record FetchOptions
{
    /// <summary>The function's zip.</summary>
    public required BlobDigest Code { get; init; }

    /// <summary>Read the zip from this file (a mounted ConfigMap key) rather than from the store.</summary>
    public string? CodeFile { get; init; }

    /// <summary>The layers, in the order they are unpacked.</summary>
    public IReadOnlyList<BlobDigest> Layers { get; init; } = [];

    /// <summary>The gateway's code endpoint; null only when nothing comes from the store (a code file, no layers).</summary>
    public Uri? Store { get; init; }

    /// <summary>The pod's own namespace: whose blobs these are.</summary>
    public string? Namespace { get; init; }

    /// <summary>The projected ServiceAccount token; null only when nothing comes from the store.</summary>
    public string? TokenFile { get; init; }

    /// <summary>Where the zip is unpacked.</summary>
    public string Task { get; init; } = CodeFetchContract.TaskPath;

    /// <summary>Where the layers are unpacked.</summary>
    public string Opt { get; init; } = CodeFetchContract.OptPath;

    /// <summary>Where the reason of a failure is also written (Kubernetes' terminationMessagePath).</summary>
    public string TerminationLog { get; init; } = TerminationMessage.DefaultPath;

    /// <summary>Whether any blob comes from the store.</summary>
    public bool NeedsStore => CodeFile is null || Layers.Count > 0;
}
