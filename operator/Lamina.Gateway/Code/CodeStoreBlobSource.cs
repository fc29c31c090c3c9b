using Lamina.CodeStore;

namespace Lamina.Gateway.Code;

/// <summary>
/// The code endpoint's blobs from the code store (<c>Lamina:CodeStore:*</c>, an OCI registry):
/// the gateway's read-only view of <see cref="ICodeStore"/>. A store that cannot be reached or refuses
/// the gateway's credentials throws, which the endpoint answers 503, never 404.
/// </summary>
internal sealed class CodeStoreBlobSource(ICodeStore store) : ICodeBlobSource
{
    public async Task<CodeBlob?> OpenBlobAsync(string @namespace, string sha256Hex, CancellationToken cancellationToken)
    {
        var blob = await store.OpenBlobAsync(@namespace, sha256Hex, cancellationToken).ConfigureAwait(false);
        return blob is null ? null : new CodeBlob(blob.Content, blob.Length, blob);
    }
}
