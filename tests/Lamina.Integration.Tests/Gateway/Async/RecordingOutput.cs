using System.Collections.Concurrent;
using Xunit.Abstractions;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>A test's output that also keeps every line, so a test can check what the code logged.</summary>
internal sealed class RecordingOutput(ITestOutputHelper output) : ITestOutputHelper
{
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>Everything written so far, one line after another.</summary>
    public string Text => string.Join('\n', _lines);

    public void WriteLine(string message)
    {
        _lines.Enqueue(message);
        output.WriteLine(message);
    }

    public void WriteLine(string format, params object[] args) => WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
}
