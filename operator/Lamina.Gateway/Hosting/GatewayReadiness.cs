namespace Lamina.Gateway.Hosting;

/// <summary>/readyz: 503 from the moment the gateway starts stopping, whatever else holds, so the Service drops it at once.</summary>
internal static class GatewayReadiness
{
    public static IResult Answer(ShutdownGate shutdown, Func<bool> synced)
    {
        ArgumentNullException.ThrowIfNull(shutdown);
        ArgumentNullException.ThrowIfNull(synced);
        if (shutdown.Draining)
        {
            return Results.Text("not ready: stopping", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return synced()
            ? Results.Text("ok")
            : Results.Text("not ready: caches not synced, or no word from the concurrency controller", statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
