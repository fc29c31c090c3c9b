using System.Diagnostics.CodeAnalysis;
using Lamina.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the registered <see cref="IMetricsExporter"/> over HTTP.</summary>
public static class PrometheusMetricsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Answers GET <paramref name="pattern"/> with the exposition, as
    /// <c>text/plain; version=0.0.4; charset=utf-8</c>. Needs <c>AddPrometheusMetrics</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var exporter = endpoints.ServiceProvider.GetRequiredService<IMetricsExporter>();
        // A RequestDelegate, not a lambda with parameters: no request-delegate generation, AOT-safe.
        RequestDelegate handler = context => WriteAsync(context, exporter);
        return endpoints.MapGet(pattern, handler);
    }

    private static async Task WriteAsync(HttpContext context, IMetricsExporter exporter)
    {
        context.Response.ContentType = exporter.ContentType;
        // Every scrape must see current values, never a proxy's copy.
        context.Response.Headers.CacheControl = "no-store";
        await exporter.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
