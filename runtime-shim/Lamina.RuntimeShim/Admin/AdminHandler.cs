using Lamina.Metrics;
using Lamina.RuntimeShim.Execution;

namespace Lamina.RuntimeShim.Admin;

/// <summary>Health, readiness and metrics, for the kubelet and Prometheus.</summary>
internal sealed class AdminHandler(ExecutionEnvironment environment, IMetricsExporter exporter)
{
    public const string HealthPath = "/healthz";
    public const string ReadyPath = "/readyz";
    public const string MetricsPath = "/metrics";

    public static bool Serves(string path) => path is HealthPath or ReadyPath or MetricsPath;

    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        if (context.Request.Method != HttpMethods.Get && context.Request.Method != HttpMethods.Head)
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }

        response.Headers.CacheControl = "no-store";
        switch (context.Request.Path.Value)
        {
            case HealthPath:
                // Liveness is the shim answering: a runtime that crashes is restarted by the shim, not the kubelet.
                await WriteTextAsync(context, StatusCodes.Status200OK, "ok\n").ConfigureAwait(false);
                break;
            case ReadyPath:
                var ready = environment.IsReady;
                var text = ready ? "ready\n" : environment.IsDraining ? "draining\n" : "initialising\n";
                await WriteTextAsync(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, text).ConfigureAwait(false);
                break;
            case MetricsPath:
                response.ContentType = exporter.ContentType;
                await exporter.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
                break;
            default:
                await WriteTextAsync(context, StatusCodes.Status404NotFound, "not found: try /healthz, /readyz or /metrics\n").ConfigureAwait(false);
                break;
        }
    }

    private static Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }
}
