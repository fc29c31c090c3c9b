namespace Lamina.Gateway.Code;

/// <summary>
/// Where the code endpoint reads blobs: the code store (an OCI registry, one repository per
/// namespace, <c>CodeFetchContract.Repository</c>). The endpoint has decided the caller may read the
/// blob before it asks, so a source does no authorization of its own.
/// </summary>
internal interface ICodeBlobSource
{
    /// <summary>
    /// The blob of <paramref name="sha256Hex"/> (64 lowercase hex digits) in <paramref name="namespace"/>'s
    /// repository, or null when the store has no such blob. Throws when the store cannot be reached or
    /// refuses the gateway: the endpoint answers 503, never 404, so a pod does not take an outage for a
    /// missing blob.
    /// </summary>
    Task<CodeBlob?> OpenBlobAsync(string @namespace, string sha256Hex, CancellationToken cancellationToken);
}
