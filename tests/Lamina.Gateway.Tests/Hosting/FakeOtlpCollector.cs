using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Lamina.Gateway.Tests.Hosting;

/// <summary>An OTLP/HTTP receiver on a free loopback port that keeps the first export it is sent.</summary>
internal sealed class FakeOtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<(string Path, string? ContentType, string Text)> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeOtlpCollector(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The request path, its content type, and its protobuf body read as UTF-8 (names and strings show).</summary>
    public Task<(string Path, string? ContentType, string Text)> FirstExportAsync => _first.Task;

    public static async Task<FakeOtlpCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var collector = new FakeOtlpCollector(app);
        app.Run(collector.ReceiveAsync);
        await app.StartAsync();
        collector.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return collector;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        _first.TrySetResult((context.Request.Path, context.Request.ContentType, Encoding.UTF8.GetString(body.ToArray())));
        context.Response.ContentType = "application/x-protobuf"; // an empty ExportMetricsServiceResponse
    }
}
