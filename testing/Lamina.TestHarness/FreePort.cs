using System.Net;
using System.Net.Sockets;

namespace Lamina.Testing;

/// <summary>Picks loopback TCP ports that nothing listens on right now.</summary>
public static class FreePort
{
    /// <summary>
    /// Asks the kernel for an unused port. Another process may take it before ours binds, so
    /// callers that start servers must retry on "address already in use".
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
