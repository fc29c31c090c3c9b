using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the metrics of <c>AddLaminaMetrics</c> to Prometheus.</summary>
public static class LaminaMetricsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// The Prometheus text format 0.0.4 on GET <c>/metrics</c>, whatever the scraper asks for:
    /// OpenMetrics, which Prometheus prefers, would rename integer buckets (<c>le="1"</c> becomes
    /// <c>le="1.0"</c>) and add a <c>_created</c> series to every counter and histogram.
    /// </summary>
    public static IEndpointConventionBuilder MapLaminaMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints
            .MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: PinTextFormat, optionsName: null)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
    }

    private static void PinTextFormat(IApplicationBuilder branch) => branch.Use((context, next) =>
    {
        context.Request.Headers.Accept = "text/plain; version=0.0.4";
        // The exporter names the type only when it writes something; an empty page is text too.
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        // Every scrape must see current values, never a proxy's copy.
        context.Response.Headers.CacheControl = "no-store";
        return next(context);
    });
}
