using Lamina.Gateway.Code;

namespace Lamina.Gateway.Tests.Code;

/// <summary>A code store in memory: blobs by namespace and hex; it can fail, or lie about a blob's length.</summary>
internal sealed class InMemoryCodeBlobSource : ICodeBlobSource
{
    private readonly Dictionary<(string Namespace, string Hex), byte[]> _blobs = [];

    public Exception? Failure { get; set; }

    /// <summary>Added to every blob's reported length (a store whose index and bytes disagree).</summary>
    public long LengthError { get; set; }

    public List<(string Namespace, string Hex)> Opened { get; } = [];

    public InMemoryCodeBlobSource With(string @namespace, string hex, byte[] bytes)
    {
        _blobs[(@namespace, hex)] = bytes;
        return this;
    }

    public Task<CodeBlob?> OpenBlobAsync(string @namespace, string sha256Hex, CancellationToken cancellationToken)
    {
        lock (Opened)
        {
            Opened.Add((@namespace, sha256Hex));
        }

        if (Failure is not null)
        {
            throw Failure;
        }

        return Task.FromResult(_blobs.TryGetValue((@namespace, sha256Hex), out var bytes)
            ? new CodeBlob(new MemoryStream(bytes, writable: false), bytes.Length + LengthError)
            : null);
    }
}
