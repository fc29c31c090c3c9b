using System.Buffers;
using System.Diagnostics;
using Org.BouncyCastle.Crypto.Digests;

namespace Lamina.RuntimeShim.Code;

/// <summary>
/// Copies a blob while hashing it: it never holds more than its declared size (a store that sends
/// more is cut off at the first byte too many) and it is accepted only if size and SHA-256 match.
/// </summary>
/// <remarks>
/// SHA-256 in managed code (BouncyCastle, as for the invoke tokens): .NET's own hashing calls OpenSSL
/// on Linux, and the images the shim runs in need not have libssl.
/// </remarks>
internal static class VerifiedCopy
{
    private const int BufferSize = 128 * 1024;

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> and checks it against
    /// <paramref name="expected"/>. A mismatch throws <see cref="FetchFailure"/> naming both digests or
    /// sizes; <paramref name="what"/> says which blob (e.g. "code sha256:…" or "layer 2 sha256:…").
    /// <paramref name="progressed"/> is called after every read (the HTTP client's stall timeout).
    /// </summary>
    public static async Task CopyAsync(Stream source, Stream destination, BlobDigest expected, string what, FetchTimings timings, Action? progressed, CancellationToken cancellationToken)
    {
        var digest = new Sha256Digest();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            while (true)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                progressed?.Invoke();
                total += read;
                if (total > expected.Size)
                {
                    throw new FetchFailure($"{what}: size mismatch: more than the {expected.Size} bytes expected arrived");
                }

                var hashing = Stopwatch.GetTimestamp();
                digest.BlockUpdate(buffer.AsSpan(0, read));
                timings.AddHashing(hashing);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            if (total != expected.Size)
            {
                throw new FetchFailure($"{what}: size mismatch: {total} bytes arrived, {expected.Size} expected");
            }

            Span<byte> hash = stackalloc byte[32];
            digest.DoFinal(hash);
            var actual = Convert.ToHexStringLower(hash);
            if (actual != expected.Hex)
            {
                throw new FetchFailure($"{what}: digest mismatch: the bytes have sha256:{actual}, expected sha256:{expected.Hex}");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
