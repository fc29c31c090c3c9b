using System.Text;
using Lamina.RuntimeShim.Execution;

namespace Lamina.RuntimeShim.Tests.Fakes;

/// <summary>The function's log stream, kept in memory: what <c>kubectl logs</c> would show.</summary>
internal sealed class RecordingFunctionLog : IFunctionLog
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _text = new();

    /// <summary>Everything written so far, in order.</summary>
    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>The lines written so far.</summary>
    public IReadOnlyList<string> Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void Write(ReadOnlySpan<byte> bytes, bool error = false)
    {
        var text = Encoding.UTF8.GetString(bytes);
        lock (_gate)
        {
            _text.Append(text);
        }
    }
}
