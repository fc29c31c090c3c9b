using Lamina.RuntimeShim.Admin;
using Lamina.RuntimeShim.Invoke;
using Lamina.RuntimeShim.RuntimeApi;

namespace Lamina.RuntimeShim.Hosting;

/// <summary>
/// The shim's one request pipeline: a request is for the Runtime API, the invoke side or the admin
/// side by the port it arrived on (not by Host header, which a client may set to anything).
/// </summary>
internal sealed class ShimDispatcher(ShimOptions options, RuntimeApiHandler runtimeApi, InvokeHandler invoke, AdminHandler admin)
{
    public Task HandleAsync(HttpContext context)
    {
        var port = context.Connection.LocalPort;
        if (port == options.RuntimeApiEndpoint.Port)
        {
            return runtimeApi.HandleAsync(context);
        }

        return IsAdmin(context) ? admin.HandleAsync(context) : invoke.HandleAsync(context);
    }

    /// <summary>On the admin port, or (local mode, one port for all) on an admin path.</summary>
    public bool IsAdmin(HttpContext context) =>
        options.AdminEndpoint is { } adminEndpoint
            ? context.Connection.LocalPort == adminEndpoint.Port
            : context.Connection.LocalPort != options.RuntimeApiEndpoint.Port && AdminHandler.Serves(context.Request.Path.Value ?? string.Empty);
}
