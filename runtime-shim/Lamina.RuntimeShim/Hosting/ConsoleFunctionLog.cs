using Lamina.RuntimeShim.Execution;

namespace Lamina.RuntimeShim.Hosting;

/// <summary>
/// The function's log on the shim's own stdout and stderr (the container's log). One lock keeps a
/// runtime's chunk and the shim's START/END/REPORT lines from interleaving mid-write.
/// </summary>
internal sealed class ConsoleFunctionLog : IFunctionLog, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Stream _stdout = Console.OpenStandardOutput();
    private readonly Stream _stderr = Console.OpenStandardError();

    public void Write(ReadOnlySpan<byte> bytes, bool error = false)
    {
        lock (_gate)
        {
            try
            {
                (error ? _stderr : _stdout).Write(bytes);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // Nobody reads our output any more (the log pipe closed), or the shim is exiting and closed
                // it under a runtime's child still writing: the function (or the exit) must not fail for it.
            }
        }
    }

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
    }
}
