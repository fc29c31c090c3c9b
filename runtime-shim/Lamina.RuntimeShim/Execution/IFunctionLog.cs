namespace Lamina.RuntimeShim.Execution;

/// <summary>The function's log stream (the shim's stdout, so <c>kubectl logs</c> shows it).</summary>
internal interface IFunctionLog
{
    /// <summary>Writes bytes as they are (a runtime's output, or a whole line of the shim's own).</summary>
    void Write(ReadOnlySpan<byte> bytes, bool error = false);
}
