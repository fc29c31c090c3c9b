using Lamina.Gateway.Async;
using Lamina.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Worker;

/// <summary>
/// The async workers' role of the program (<c>lamina-gateway worker</c>): reads the Event invocations
/// the gateways stored in Redis and runs them through the same routing and concurrency controller as a
/// synchronous call. It serves no Invoke API: only /healthz, /readyz and /metrics, on 127.0.0.1:8083
/// unless --urls says otherwise. Kubernetes from KUBECONFIG (or in-cluster); async settings from
/// <c>Lamina:Gateway:Async</c> (without <c>Redis</c> it refuses to start: a worker with nothing to read
/// is a mistake); the stop from <c>Lamina:Gateway:Shutdown:Timeout</c> (<see cref="WorkerDrain"/>).
/// One program with two roles rather than two programs: the workers need all of routing, the
/// controller's client and the catalog, which are the gateway's; docs/async.md, "Workers", says more.
/// </summary>
internal static class WorkerHost
{
    private const string DefaultUrls = "http://127.0.0.1:8083";

    /// <summary>Probes and scrapes are all a worker serves: a handful of connections at once.</summary>
    private const int MaxConnections = 64;

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.FirstOrDefault(static a => a.StartsWith("--auth", StringComparison.Ordinal)) is { } auth)
        {
            await Console.Error.WriteLineAsync($"lamina-gateway worker: {auth} is a gateway option; a worker serves no Invoke API").ConfigureAwait(false);
            return 2;
        }

        if (await GatewayComposition.CreateBuilderAsync(args, DefaultUrls, "lamina-worker").ConfigureAwait(false) is not var (builder, kubernetes))
        {
            return 2;
        }

        var services = builder.Services;
        GatewayComposition.AddFunctionCatalog(services);
        GatewayComposition.AddRouting(services, builder.Configuration, kubernetes.Namespace);
        services.AddAsyncWorkers(builder.Configuration);
        services.AddOptions<GatewayShutdownOptions>().Bind(builder.Configuration.GetSection(GatewayShutdownOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayShutdownOptions>, GatewayShutdownOptionsValidator>();
        services.AddOptions<HostOptions>().Configure<IOptions<GatewayShutdownOptions>>(static (host, shutdown) => host.ShutdownTimeout = shutdown.Value.Timeout);
        services.AddHostedService<WorkerDrain>();
        builder.WebHost.ConfigureKestrel(static kestrel =>
        {
            kestrel.Limits.MaxConcurrentConnections = MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = 0;
            kestrel.Limits.MaxRequestBodySize = 0;
        });

        var app = builder.Build();
        if (!app.Services.GetRequiredService<IOptions<AsyncOptions>>().Value.Enabled)
        {
            await Console.Error.WriteLineAsync($"lamina-gateway worker: {AsyncOptions.Section}:Redis is not set; a worker has nothing to read").ConfigureAwait(false);
            return 2;
        }

        var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/readyz", () => stopping.IsCancellationRequested
            ? Results.Text("not ready: stopping", statusCode: StatusCodes.Status503ServiceUnavailable)
            : GatewayComposition.RoutingSynced(app.Services)
                ? Results.Text("ok")
                : Results.Text("not ready: catalog not synced, or no word from the concurrency controller", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapLaminaMetrics();
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
