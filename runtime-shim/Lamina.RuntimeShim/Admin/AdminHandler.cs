using Lamina.Contracts.Shim;
using Lamina.RuntimeShim.Execution;

namespace Lamina.RuntimeShim.Admin;

/// <summary>
/// Health and readiness for the kubelet, and the rest of the admin paths. A scrape of /metrics
/// (<see cref="IsScrape"/>) never gets here: OpenTelemetry's Prometheus exporter answers it, in the
/// branch <see cref="Hosting.ShimHost"/> puts before the dispatcher.
/// </summary>
internal sealed class AdminHandler(ExecutionEnvironment environment)
{
    // The kubelet's paths are the pod contract's (ShimPod): the operator's probes name them.
    public const string HealthPath = ShimPod.HealthPath;
    public const string ReadyPath = ShimPod.ReadyPath;
    public const string MetricsPath = "/metrics";

    /// <summary>The query parameter of <see cref="ReadyPath"/> that asks to wait for readiness (milliseconds).</summary>
    public const string ReadyWaitParameter = ShimPod.ReadyWaitParameter;

    /// <summary>A long poll's longest hold: well within any client's timeout, and one request per 10 s per starting pod.</summary>
    public static readonly TimeSpan MaxReadyWait = TimeSpan.FromSeconds(10);

    public static bool Serves(string path) => path is HealthPath or ReadyPath or MetricsPath;

    /// <summary>A GET or HEAD of /metrics: the exporter's to answer (any other method gets 405 here).</summary>
    public static bool IsScrape(HttpContext context) =>
        context.Request.Path.Value == MetricsPath && IsRead(context.Request.Method);

    /// <summary>Admin answers are never cached by a proxy on the way.</summary>
    public static void NoStore(HttpResponse response) => response.Headers.CacheControl = "no-store";

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method);

    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        if (!IsRead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }

        NoStore(response);
        switch (context.Request.Path.Value)
        {
            case HealthPath:
                // Liveness is the shim answering: a runtime that crashes is restarted by the shim, not the kubelet.
                await WriteTextAsync(context, StatusCodes.Status200OK, "ok\n").ConfigureAwait(false);
                break;
            case ReadyPath:
                var ready = ReadyWait(context.Request) is { } wait
                    ? await environment.WaitUntilReadyAsync(wait, context.RequestAborted).ConfigureAwait(false)
                    : environment.IsReady;
                var text = ready ? "ready\n" : environment.IsDraining ? "draining\n" : "initialising\n";
                await WriteTextAsync(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, text).ConfigureAwait(false);
                break;
            default:
                await WriteTextAsync(context, StatusCodes.Status404NotFound, "not found: try /healthz, /readyz or /metrics\n").ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// <c>/readyz?wait=&lt;ms&gt;</c>: how long a not-yet-ready environment holds the answer until it is
    /// ready (the concurrency controller's long poll; the kubelet asks without it). At most
    /// <see cref="MaxReadyWait"/>; null without a valid value.
    /// </summary>
    private static TimeSpan? ReadyWait(HttpRequest request)
    {
        var text = request.Query[ReadyWaitParameter].ToString();
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0
            ? TimeSpan.FromMilliseconds(Math.Min(milliseconds, MaxReadyWait.TotalMilliseconds))
            : null;
    }

    private static Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }
}
