namespace Lamina.RuntimeShim.Execution;

/// <summary>
/// The last <see cref="Capacity"/> bytes written to it: what Lambda returns as X-Amz-Log-Result.
/// Not thread-safe; the environment appends and reads under its lock.
/// </summary>
internal sealed class LogTail
{
    /// <summary>Lambda returns the last 4 KB of an invocation's log.</summary>
    public const int Capacity = 4096;

    private readonly byte[] buffer = new byte[Capacity];
    private int start;
    private int length;

    public int Length => length;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.Length >= Capacity)
        {
            data[^Capacity..].CopyTo(buffer);
            start = 0;
            length = Capacity;
            return;
        }

        var end = (start + length) % Capacity;
        var first = Math.Min(data.Length, Capacity - end);
        data[..first].CopyTo(buffer.AsSpan(end));
        data[first..].CopyTo(buffer);
        var overflow = length + data.Length - Capacity;
        if (overflow > 0)
        {
            start = (start + overflow) % Capacity;
            length = Capacity;
        }
        else
        {
            length += data.Length;
        }
    }

    public byte[] ToArray()
    {
        var result = new byte[length];
        var first = Math.Min(length, Capacity - start);
        buffer.AsSpan(start, first).CopyTo(result);
        buffer.AsSpan(0, length - first).CopyTo(result.AsSpan(first));
        return result;
    }

    public void Clear()
    {
        start = 0;
        length = 0;
    }
}
