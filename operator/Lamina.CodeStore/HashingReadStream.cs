using System.Security.Cryptography;

namespace Lamina.CodeStore;

/// <summary>
/// Reads another stream front to back, hashing (SHA-256) and counting what passes, and refuses to
/// read past <see cref="CodeStoreLimits.MaxZipBytes"/>: a stream that cannot seek is hashed while it is
/// uploaded, and must not be able to fill the registry's disk.
/// </summary>
internal sealed class HashingReadStream(Stream inner, long limit) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Bytes read so far.</summary>
    public long Count { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => Count; set => throw new NotSupportedException(); }

    /// <summary>The hash of everything read; call once, after the last read.</summary>
    public StoredCode Finish() => StoredCode.FromHash(_hash.GetHashAndReset(), Count);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        return Seen(buffer[..read]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Seen(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Seen(ReadOnlySpan<byte> bytes)
    {
        Count += bytes.Length;
        if (Count > limit)
        {
            throw new CodeTooLargeException(limit);
        }

        _hash.AppendData(bytes);
        return bytes.Length;
    }
}
