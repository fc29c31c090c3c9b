namespace Lamina.Gateway.Code;

/// <summary>A blob being read from the code store: its bytes and how many there are (the response's Content-Length).</summary>
/// <param name="Content">The blob's bytes; the endpoint disposes it.</param>
/// <param name="Length">Its size in bytes, as the store reports it.</param>
/// <param name="Owner">What else to dispose with it (the store's response, which holds the connection), if anything.</param>
internal sealed record CodeBlob(Stream Content, long Length, IAsyncDisposable? Owner = null) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync().ConfigureAwait(false);
        if (Owner is not null)
        {
            await Owner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
