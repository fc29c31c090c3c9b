using System.Net;

namespace Lamina.CodeStore;

/// <summary>
/// An upload body read from a stream the caller owns. <see cref="StreamContent"/> would dispose the
/// stream with the request, closing the caller's file (or, for a hashing stream, its hash before the
/// digest is read); this one only reads it.
/// </summary>
internal sealed class BorrowedStreamContent(Stream stream) : HttpContent
{
    /// <summary>Copy buffer: large enough that a 250 MB zip is few system calls, small enough to stay off the large-object heap.</summary>
    private const int BufferSize = 64 * 1024;

    protected override Task SerializeToStreamAsync(Stream target, TransportContext? context) => stream.CopyToAsync(target, BufferSize);

    protected override Task SerializeToStreamAsync(Stream target, TransportContext? context, CancellationToken cancellationToken) =>
        stream.CopyToAsync(target, BufferSize, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        // A seekable stream sends Content-Length; any other is sent chunked.
        length = stream.CanSeek ? stream.Length - stream.Position : 0;
        return stream.CanSeek;
    }
}
