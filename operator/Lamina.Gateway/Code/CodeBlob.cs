namespace Lamina.Gateway.Code;

/// <summary>A blob being read from the code store: its bytes and how many there are (the response's Content-Length).</summary>
/// <param name="Content">The blob's bytes; the endpoint disposes it.</param>
/// <param name="Length">Its size in bytes, as the store reports it.</param>
internal sealed record CodeBlob(Stream Content, long Length) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
