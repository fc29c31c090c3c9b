using Microsoft.AspNetCore.Connections;

namespace Lamina.RuntimeShim.Http;

/// <summary>
/// At most <c>maximum</c> connections open on one listener; one more is closed at once, before a byte
/// is read. Kestrel's own <c>MaxConcurrentConnections</c> counts every port together; the shim's ports
/// need different numbers (a few gateways on the invoke port, one runtime on the Runtime API), and an
/// idle flood on one must not lock out the others.
/// </summary>
internal sealed class ConnectionCap(int maximum, Action? refused = null)
{
    private int _open;
    private long _refused;

    /// <summary>Connections closed because the cap was reached.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>For <c>ListenOptions.Use</c>.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        if (Interlocked.Increment(ref _open) > maximum)
        {
            Interlocked.Decrement(ref _open);
            Interlocked.Increment(ref _refused);
            refused?.Invoke();
            await connection.Transport.Input.CompleteAsync().ConfigureAwait(false);
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    };
}
