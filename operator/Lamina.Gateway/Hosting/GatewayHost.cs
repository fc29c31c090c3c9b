using Lamina.Gateway.Async;
using Lamina.Gateway.Code;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Worker;

namespace Lamina.Gateway.Hosting;

/// <summary>
/// The gateway program: the Invoke API on 127.0.0.1:8080 unless --urls says otherwise, the code
/// endpoint for function pods on its own port (127.0.0.1:8085 unless <c>Lamina:Gateway:Code:Url</c> says otherwise), SigV4 unless
/// --auth=none, Kubernetes from KUBECONFIG (or in-cluster), environments leased from the operator's
/// concurrency controller, async (Event) invocations stored in Redis when <c>Lamina:Gateway:Async:Redis</c>
/// is set, /healthz, /readyz, /metrics. The same program has two other roles:
/// <c>lamina-gateway worker …</c> runs the async workers instead (<see cref="WorkerHost"/>), and
/// <c>lamina-gateway dead-letter …</c> the operator's commands for failed async events (docs/async.md).
/// </summary>
internal static class GatewayHost
{
    private const string DefaultUrls = "http://127.0.0.1:8080";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        switch (args)
        {
            case ["dead-letter", .. var deadLetterArgs]:
                return await DeadLetterCommand.RunAsync(deadLetterArgs, Console.Out, Console.Error, TimeProvider.System).ConfigureAwait(false);
            case ["worker", .. var workerArgs]:
                return await WorkerHost.RunAsync(workerArgs).ConfigureAwait(false);
        }

        GatewayCommandLine commandLine;
        try
        {
            commandLine = GatewayCommandLine.Parse(args);
        }
        catch (ArgumentException error)
        {
            await Console.Error.WriteLineAsync($"lamina-gateway: {error.Message}").ConfigureAwait(false);
            return 2;
        }

        if (await GatewayComposition.CreateBuilderAsync(commandLine.HostArguments, DefaultUrls, "lamina-gateway").ConfigureAwait(false) is not var (builder, kubernetes))
        {
            return 2;
        }

        var services = builder.Services;
        GatewayComposition.AddFunctionCatalog(services);
        services.AddSingleton<InvokeHandler>();
        GatewayComposition.AddAuthAndRouting(services, builder.Configuration, commandLine.AuthNone, kubernetes.Namespace);
        services.AddAsyncQueue(builder.Configuration);
        services.AddGatewayServer(builder.Configuration);
        builder.AddCodeEndpoint();

        // With --auth=none the auth service itself warns, loudly, at start.
        var app = builder.Build();

        // First, so that nothing else answers on the code port (docs/code-endpoint.md).
        app.MapCodeEndpoint();
        var shutdown = app.Services.GetRequiredService<ShutdownGate>();
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/readyz", () => GatewayReadiness.Answer(shutdown, () => GatewayComposition.CatalogSynced(app.Services) && GatewayComposition.Synced(app.Services)));
        app.MapLaminaMetrics();
        var invoke = app.Services.GetRequiredService<InvokeHandler>();
        app.MapPost(InvokeHandler.PathPrefix + "{**rest}", new RequestDelegate(invoke.HandleAsync));
        app.MapFallback(new RequestDelegate(invoke.HandleAsync));
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
