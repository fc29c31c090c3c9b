namespace Lamina.CodeStore;

/// <summary>
/// The code store: function and layer zips, content-addressed, in the repository of their namespace
/// (<see cref="Lamina.Contracts.Code.CodeFetchContract.Repository"/>). Failures of the store (refused
/// credentials, the registry down or unreachable) are <see cref="CodeStoreException"/>s.
/// </summary>
public interface ICodeStore
{
    /// <summary>
    /// Opens the blob of <paramref name="sha256Hex"/> in <paramref name="namespace"/>'s repository for
    /// reading; null when that repository has no such blob (another namespace's blob included: the
    /// registry links blobs per repository).
    /// </summary>
    Task<CodeBlob?> OpenBlobAsync(string @namespace, string sha256Hex, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="zip"/> (read to its end) in <paramref name="namespace"/>'s repository, with
    /// the manifest that keeps it from garbage collection. Storing a zip already there uploads nothing
    /// when the stream can seek (its hash is read first). Does not check that the bytes are a zip.
    /// </summary>
    Task<StoredCode> PutAsync(string @namespace, Stream zip, CodeKind kind, CancellationToken cancellationToken);
}
