using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Lamina.Gateway.Routing;

/// <summary>Where an environment's shim takes invocations: the pod's IP and the invoke port.</summary>
internal readonly record struct EnvironmentEndpoint(IPAddress Address, int Port)
{
    /// <summary><c>http://ip:port/lamina/v1/invoke</c>, with brackets around an IPv6 address.</summary>
    public Uri InvokeUri() => new($"http://{this}{ShimInvokeContract.Path}", UriKind.Absolute);

    public override string ToString() => Address.AddressFamily == AddressFamily.InterNetworkV6
        ? string.Create(CultureInfo.InvariantCulture, $"[{Address}]:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Address}:{Port}");
}
