using Lamina.RuntimeShim.Http;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;

namespace Lamina.RuntimeShim.Tests.Http;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RequestBodyTests
{
    [Fact]
    public async Task ReadAsync_ClaimedLengthFarAboveWhatArrives_BufferSizedByTheBytesNotTheClaim()
    {
        var body = new TrickleStream([1, 2, 3]);
        var request = Request(body, contentLength: PayloadLimits.Request);

        await Assert.ThrowsAsync<EndOfStreamException>(() => RequestBody.ReadAsync(request, PayloadLimits.Request, CancellationToken.None));

        // A client that claims 6 MB and sends three bytes gets a 16 KB buffer, not a 6 MB one.
        Assert.True(body.LargestRead <= 64 * 1024, $"the first read asked for {body.LargestRead} bytes");
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthArrivesInPieces_WholeBody()
    {
        var bytes = new byte[100_000];
        Random.Shared.NextBytes(bytes);
        var request = Request(new TrickleStream(bytes, piece: 7_000), contentLength: bytes.Length);

        var read = await RequestBody.ReadAsync(request, PayloadLimits.Request, CancellationToken.None);

        Assert.Equal(bytes, read);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadAsync_OverTheLimit_Null(bool declared)
    {
        var bytes = new byte[1_001];
        var request = Request(new TrickleStream(bytes), contentLength: declared ? bytes.Length : null);

        Assert.Null(await RequestBody.ReadAsync(request, limit: 1_000, CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_ExactlyTheLimitChunked_WholeBody()
    {
        var bytes = new byte[40_000];
        var request = Request(new TrickleStream(bytes, piece: 4_096), contentLength: null);

        Assert.Equal(bytes.Length, (await RequestBody.ReadAsync(request, limit: 40_000, CancellationToken.None))!.Length);
    }

    private static HttpRequest Request(Stream body, long? contentLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = body;
        context.Request.ContentLength = contentLength;
        return context.Request;
    }

    /// <summary>Hands out its bytes at most <c>piece</c> at a time, and records the largest buffer it was asked to fill.</summary>
    private sealed class TrickleStream(byte[] bytes, int piece = int.MaxValue) : Stream
    {
        private int _position;

        public int LargestRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            LargestRead = Math.Max(LargestRead, buffer.Length);
            var count = Math.Min(Math.Min(piece, buffer.Length), bytes.Length - _position);
            bytes.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return ValueTask.FromResult(count);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
