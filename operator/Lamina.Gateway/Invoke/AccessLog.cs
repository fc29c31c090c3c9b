namespace Lamina.Gateway.Invoke;

/// <summary>
/// The gateway's access log: one line per invocation answered, in a category of its own so that it
/// is switched apart from everything else. It is off unless configuration names the category
/// (<c>Logging:LogLevel:Lamina.Gateway.AccessLog=Information</c>; the chart's
/// <c>gateway.accessLog</c>): on two cores, writing the line cost about 0.1 ms of every warm
/// invocation's p50 (the console logger's thread is woken for each one), which was more than the
/// whole rest of the gateway (make bench SCENARIO=gateway, 2026-12-02). Counts, latencies and
/// errors per function are in the metrics either way; failures inside the gateway are logged at
/// Error whatever this says.
/// </summary>
internal static partial class AccessLog
{
    public const string Category = "Lamina.Gateway.AccessLog";

    [LoggerMessage(1, LogLevel.Information, "invoke {Namespace}.{Function} request {RequestId} by {Caller}: {Status} in {ElapsedMilliseconds} ms")]
    public static partial void Invoked(ILogger logger, string caller, string @namespace, string function, string requestId, int status, double elapsedMilliseconds);
}
