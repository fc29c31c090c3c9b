namespace Lamina.Gateway.Tests.Fakes;

/// <summary>
/// A request body that records every read and, once its bytes run out, never ends: like a client
/// that claimed a long body and trickles (or stops). A handler that reads it when it should not
/// either counts a read or hangs, and the test's deadline catches the hang.
/// </summary>
internal sealed class WatchedBodyStream(byte[] sent) : Stream
{
    private int _position;

    /// <summary>Reads the handler made (each, whether or not it got bytes).</summary>
    public int Reads { get; private set; }

    /// <summary>The most bytes one read asked for: what the handler had room for.</summary>
    public int LargestRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Reads++;
        LargestRead = Math.Max(LargestRead, buffer.Length);
        if (_position < sent.Length)
        {
            var count = Math.Min(buffer.Length, sent.Length - _position);
            sent.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        // The rest of the claimed body never comes.
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the server's body is read asynchronously");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
