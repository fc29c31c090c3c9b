using System.Diagnostics.CodeAnalysis;
using Lamina.Contracts.Shim;

namespace Lamina.Gateway.Routing;

/// <summary>
/// One execution environment of a function: a function pod, named by <paramref name="Pod"/>
/// (unique within the function's namespace), and where its shim takes invocations.
/// </summary>
internal sealed record FunctionEnvironment(string Pod, string Address, Uri InvokeUri)
{
    /// <summary>
    /// The environment at <paramref name="address"/> (<c>host:port</c>, as a lease carries it; an
    /// IPv6 host with or without brackets, the port after the last colon); false when that is not an
    /// address the gateway can call. The invoke URI is built here, once per lease, not per invocation.
    /// </summary>
    public static bool TryCreate(string pod, string address, [NotNullWhen(true)] out FunctionEnvironment? environment)
    {
        environment = null;
        if (string.IsNullOrEmpty(address))
        {
            return false;
        }

        var authority = address;
        var lastColon = address.LastIndexOf(':');
        if (address[0] != '[' && lastColon > 0 && address.IndexOf(':', StringComparison.Ordinal) != lastColon)
        {
            authority = $"[{address[..lastColon]}]{address[lastColon..]}"; // a pod IP of an IPv6 cluster
        }

        if (!Uri.TryCreate($"http://{authority}{ShimInvokeContract.Path}", UriKind.Absolute, out var uri)
            || uri.AbsolutePath != ShimInvokeContract.Path
            || uri.Query.Length != 0
            || uri.Fragment.Length != 0
            || uri.UserInfo.Length != 0)
        {
            return false;
        }

        environment = new FunctionEnvironment(pod, address, uri);
        return true;
    }

    public override string ToString() => $"{Pod} ({Address})";
}
