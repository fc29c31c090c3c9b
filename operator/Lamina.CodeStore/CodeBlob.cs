namespace Lamina.CodeStore;

/// <summary>
/// A blob being read from the code store: the response body as a stream and its length from the
/// registry's Content-Length. Dispose it to give the connection back. The bytes are the registry's:
/// whoever runs them verifies the digest (the shim does), the store does not.
/// </summary>
public sealed class CodeBlob : IDisposable, IAsyncDisposable
{
    private readonly HttpResponseMessage _response;

    internal CodeBlob(HttpResponseMessage response, Stream content, long length)
    {
        _response = response;
        Content = content;
        Length = length;
    }

    /// <summary>The blob's bytes, read once, front to back.</summary>
    public Stream Content { get; }

    /// <summary>The blob's length in bytes.</summary>
    public long Length { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Content.Dispose();
        _response.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
    }
}
