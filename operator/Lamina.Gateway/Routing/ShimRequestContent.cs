using System.Net;

namespace Lamina.Gateway.Routing;

/// <summary>
/// The event as the request body, remembering whether the handler began to send it. That is the
/// line between "never reached the shim" (safe to try another environment) and "may have run"
/// (never retried): SocketsHttpHandler writes the body only once a connection is up and the
/// headers are written, and it does not re-send a request that has a body after a connection
/// fails. Should a handler ever try, the second send is refused: at most once is kept here, not
/// assumed of the handler.
/// </summary>
internal sealed class ShimRequestContent(ReadOnlyMemory<byte> payload) : HttpContent
{
    private int _started;

    /// <summary>True once sending the body began, on any attempt.</summary>
    public bool Started => Volatile.Read(ref _started) != 0;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Begin();
        return stream.WriteAsync(payload, cancellationToken).AsTask();
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Begin();
        stream.Write(payload.Span);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = payload.Length;
        return true;
    }

    private void Begin()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("an invocation is sent at most once: the body was already sent on a connection that failed");
        }
    }
}
