using System.Security.Cryptography;
using Lamina.Contracts.Code;

namespace Lamina.CodeStore;

/// <summary>
/// <see cref="ICodeStore"/> over an OCI registry: a zip is the blob of its SHA-256 in its namespace's
/// repository, kept from garbage collection by <see cref="CodeManifest"/>. Tenancy is the
/// repository: a blob is read only through the repository of the namespace asked for, and the
/// registry links blobs per repository, so one namespace's digest is unknown in another's.
/// </summary>
internal sealed partial class OciCodeStore(OciRegistryClient registry, CodeStoreOptions options, ILogger<OciCodeStore> logger) : ICodeStore
{
    public async Task<CodeBlob?> OpenBlobAsync(string @namespace, string sha256Hex, CancellationToken cancellationToken)
    {
        CodeStoreNames.ValidateNamespace(@namespace);
        CodeStoreNames.ValidateSha256Hex(sha256Hex);
        EnsureConfigured();
        return await registry.OpenBlobAsync(CodeFetchContract.Repository(@namespace), CodeFetchContract.DigestPrefix + sha256Hex, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredCode> PutAsync(string @namespace, Stream zip, CodeKind kind, CancellationToken cancellationToken)
    {
        CodeStoreNames.ValidateNamespace(@namespace);
        ArgumentNullException.ThrowIfNull(zip);
        if (!zip.CanRead)
        {
            throw new ArgumentException("the zip's stream cannot be read", nameof(zip));
        }

        EnsureConfigured();
        var repository = CodeFetchContract.Repository(@namespace);
        StoredCode stored;
        if (zip.CanSeek)
        {
            // Hashed first, so a zip already stored is not sent again (a re-push of the same code is a HEAD).
            var start = zip.Position;
            if (zip.Length - start > CodeStoreLimits.MaxZipBytes)
            {
                throw new CodeTooLargeException(CodeStoreLimits.MaxZipBytes);
            }

            var hash = await SHA256.HashDataAsync(zip, cancellationToken).ConfigureAwait(false);
            stored = StoredCode.FromHash(hash, zip.Position - start);
            zip.Position = start;
            if (await registry.BlobExistsAsync(repository, stored.Digest, cancellationToken).ConfigureAwait(false))
            {
                LogAlreadyStored(repository, stored.Digest, stored.Size);
            }
            else
            {
                await registry.UploadBlobAsync(repository, zip, stored.Digest, null, cancellationToken).ConfigureAwait(false);
                LogStored(kind, repository, stored.Digest, stored.Size);
            }
        }
        else
        {
            using var hashing = new HashingReadStream(zip, CodeStoreLimits.MaxZipBytes);
            StoredCode? finished = null;
            await registry.UploadBlobAsync(repository, hashing, null, () => (finished = hashing.Finish()).Digest, cancellationToken).ConfigureAwait(false);
            stored = finished!;
            LogStored(kind, repository, stored.Digest, stored.Size);
        }

        var config = CodeManifest.Config(kind);
        var configDigest = CodeManifest.Digest(config);
        if (!await registry.BlobExistsAsync(repository, configDigest, cancellationToken).ConfigureAwait(false))
        {
            using var configStream = new MemoryStream(config, writable: false);
            await registry.UploadBlobAsync(repository, configStream, configDigest, null, cancellationToken).ConfigureAwait(false);
        }

        await registry.PutManifestAsync(repository, stored.Tag, CodeManifest.Build(stored, kind, config), cancellationToken).ConfigureAwait(false);
        return stored;
    }

    private void EnsureConfigured()
    {
        if (!options.IsConfigured)
        {
            throw new CodeStoreException(CodeStoreFailure.NotConfigured, $"no code store is configured ({CodeStoreOptions.Section}:Url is empty)");
        }
    }
}
