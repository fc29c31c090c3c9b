using System.Buffers;

namespace Lamina.RuntimeShim.Http;

/// <summary>
/// Reads a request body whole, refusing it (without reading on) once it is over a limit. Memory grows
/// with the bytes that arrive, never with the length a client claims: a Content-Length of 6 MB
/// followed by a trickle (or nothing) must not cost 6 MB up front.
/// </summary>
internal static class RequestBody
{
    /// <summary>A typical event fits at once; larger ones double from here.</summary>
    private const int InitialBuffer = 16 * 1024;

    /// <summary>The body, or null when it is larger than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > limit)
        {
            return null;
        }

        if (declared == 0)
        {
            return [];
        }

        // Grow as it comes (declared or chunked: Kestrel ends a declared body at its length, and fails
        // the read if the connection ends first), and stop one byte past the limit.
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, total).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(total, Math.Min(buffer.Length, limit + 1) - total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    // Kestrel fails a short declared body itself; another server (or a test's stream) may not.
                    return declared is null || declared == total
                        ? buffer.AsSpan(0, total).ToArray()
                        : throw new EndOfStreamException($"the body ended after {total} of its {declared} bytes");
                }

                total += read;
                if (total > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
