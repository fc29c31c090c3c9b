using Lamina.Gateway.Code;
using Lamina.Kubernetes.Client;
using Lamina.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Lamina.Integration.Tests.Gateway.Code;

/// <summary>
/// The gateway's code endpoint as the gateway hosts it (<see cref="CodeEndpointHosting"/>): its own
/// Kestrel listener beside an "Invoke API" one, on free loopback ports, over the given API server
/// clients (Lamina's seam and the library's, as the gateway registers both) and code store.
/// </summary>
internal sealed class CodeEndpointHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CodeEndpointHost(WebApplication app, Uri code, Uri invoke)
    {
        _app = app;
        CodeAddress = code;
        InvokeAddress = invoke;
    }

    /// <summary>The code listener.</summary>
    public Uri CodeAddress { get; }

    /// <summary>The other listener, which answers <c>invoke</c> to anything.</summary>
    public Uri InvokeAddress { get; }

    public static async Task<CodeEndpointHost> StartAsync(IKubernetesClient kubernetes, k8s.IKubernetes library, ICodeBlobSource store)
    {
        var invoke = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var code = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(invoke.GetLeftPart(UriPartial.Authority));
        builder.Configuration[CodeEndpointOptions.Section + ":Url"] = code.GetLeftPart(UriPartial.Authority);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(kubernetes);
        builder.Services.AddSingleton(library);
        builder.Services.AddSingleton(store);
        builder.AddCodeEndpoint();
        var app = builder.Build();
        app.MapCodeEndpoint();
        app.MapFallback(static context => context.Response.WriteAsync("invoke"));
        await app.StartAsync();
        return new CodeEndpointHost(app, code, invoke);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
