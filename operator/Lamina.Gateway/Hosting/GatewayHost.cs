using Lamina.Gateway.Async;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Invoke;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Informers;

namespace Lamina.Gateway.Hosting;

/// <summary>
/// The gateway program: the Invoke API on 127.0.0.1:8080 unless --urls says otherwise, SigV4 unless
/// --auth=none, Kubernetes from KUBECONFIG (or in-cluster), environments leased from the operator's
/// concurrency controller, async (Event) invocations on Redis when <c>Lamina:Gateway:Async:Redis</c> is
/// set, /healthz, /readyz, /metrics. <c>lamina-gateway dead-letter …</c> runs the operator's commands
/// for failed async events instead (docs/async.md).
/// </summary>
internal static class GatewayHost
{
    private const string DefaultUrls = "http://127.0.0.1:8080";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["dead-letter", .. var deadLetterArgs])
        {
            return await DeadLetterCommand.RunAsync(deadLetterArgs, Console.Out, Console.Error, TimeProvider.System).ConfigureAwait(false);
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

        var builder = WebApplication.CreateSlimBuilder(commandLine.HostArguments);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        GatewayLogging.Configure(builder.Logging, builder.Configuration, Environment.GetEnvironmentVariable("LAMINA_LOG_FORMAT"));

        k8s.KubernetesClientConfiguration kubernetes;
        try
        {
            kubernetes = k8s.KubernetesClientConfiguration.BuildDefaultConfig();
        }
        catch (k8s.Exceptions.KubeConfigException error)
        {
            await Console.Error.WriteLineAsync($"lamina-gateway: cannot reach Kubernetes: {error.Message}").ConfigureAwait(false);
            return 2;
        }

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddLaminaMetrics(builder.Configuration, "lamina-gateway");
        services.Configure<GatewayOptions>(builder.Configuration.GetSection("Lamina:Gateway"));
        services.AddKubernetesClient(kubernetes);
        services.AddSingleton(sp => new Informer<GatewayFunction>(
            sp.GetRequiredService<IKubernetesClient>(),
            new InformerOptions { Transform = InformerTransforms.StripManagedFields },
            TimeProvider.System,
            sp.GetRequiredService<ILogger<Informer<GatewayFunction>>>(),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<InformerRunner<GatewayFunction>>();
        services.AddHostedService(sp => sp.GetRequiredService<InformerRunner<GatewayFunction>>());
        services.AddSingleton<IFunctionCatalog>(sp => new FunctionCatalog(sp.GetRequiredService<Informer<GatewayFunction>>()));
        services.AddSingleton<InvokeMetrics>();
        services.AddSingleton<InvokeHandler>();
        GatewayComposition.AddAuthAndRouting(services, builder.Configuration, commandLine.AuthNone, kubernetes.Namespace);
        services.AddGatewayAsync(builder.Configuration);

        // With --auth=none the auth service itself warns, loudly, at start.
        var app = builder.Build();

        var functions = app.Services.GetRequiredService<InformerRunner<GatewayFunction>>();
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/readyz", () => functions.Synced && GatewayComposition.Synced(app.Services)
            ? Results.Text("ok")
            : Results.Text("not ready: caches not synced, or no word from the concurrency controller", statusCode: 503));
        app.MapLaminaMetrics();
        var invoke = app.Services.GetRequiredService<InvokeHandler>();
        app.MapPost(InvokeHandler.PathPrefix + "{**rest}", new RequestDelegate(invoke.HandleAsync));
        app.MapFallback(new RequestDelegate(invoke.HandleAsync));
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
