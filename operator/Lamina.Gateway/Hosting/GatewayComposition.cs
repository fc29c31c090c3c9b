using Lamina.Gateway.Auth;
using Lamina.Gateway.ConcurrencyClient;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Routing;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Informers;

namespace Lamina.Gateway.Hosting;

/// <summary>
/// What both roles of the program share (the gateway, <see cref="GatewayHost"/>, and the async
/// workers, <c>WorkerHost</c>): the host itself, the Function catalog, and where authentication (Auth/),
/// routing (Routing/) and the concurrency controller's client (ConcurrencyClient/) join it.
/// </summary>
internal static class GatewayComposition
{
    /// <summary>
    /// The web host on <paramref name="defaultUrls"/> unless --urls says otherwise, its logging, its
    /// metrics as <paramref name="serviceName"/>, and Kubernetes from KUBECONFIG (or in-cluster); null,
    /// with the reason on stderr, when Kubernetes cannot be configured.
    /// </summary>
    public static async Task<(WebApplicationBuilder Builder, k8s.KubernetesClientConfiguration Kubernetes)?> CreateBuilderAsync(string[] hostArguments, string defaultUrls, string serviceName)
    {
        var builder = WebApplication.CreateSlimBuilder(hostArguments);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(defaultUrls);
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
            return null;
        }

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddLaminaMetrics(builder.Configuration, serviceName);
        services.Configure<GatewayOptions>(builder.Configuration.GetSection("Lamina:Gateway"));
        services.AddKubernetesClient(kubernetes);
        return (builder, kubernetes);
    }

    /// <summary>The Function catalog (an informer over every namespace, run for the host's lifetime) and the invocation metrics.</summary>
    public static void AddFunctionCatalog(IServiceCollection services)
    {
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
    }

    public static void AddAuthAndRouting(IServiceCollection services, IConfiguration configuration, bool authNone, string? kubeconfigNamespace)
    {
        services.AddGatewayAuth(configuration, authNone);
        AddRouting(services, configuration, kubeconfigNamespace);
    }

    /// <summary>Routing and the concurrency controller's client: how both roles reach function environments.</summary>
    public static void AddRouting(IServiceCollection services, IConfiguration configuration, string? kubeconfigNamespace)
    {
        services.AddGatewayRouting(configuration);
        services.AddGatewayController(configuration, kubeconfigNamespace);
    }

    /// <summary>True once the Function catalog has listed the cluster.</summary>
    public static bool CatalogSynced(IServiceProvider services) => services.GetRequiredService<InformerRunner<GatewayFunction>>().Synced;

    /// <summary>
    /// A worker is ready once the catalog is listed, the concurrency controller has spoken and the
    /// invoke token is read: what it needs to run an event. Redis is no part of it, as for the gateway.
    /// </summary>
    public static bool RoutingSynced(IServiceProvider services) =>
        CatalogSynced(services) && services.GetRequiredService<ConcurrencyConnection>().Ready
        && services.GetRequiredService<GatewayToken>().Current is not null;

    /// <summary>
    /// Ready once the access keys have been listed and the concurrency controller has spoken, and
    /// for as long as the leases it granted are valid (warm invocations flow through a failover).
    /// Redis is no part of it: synchronous invocations never touch Redis, so a Redis restart must not
    /// take every gateway out of its Service; Event invocations answer 500 meanwhile, and
    /// <c>lamina_async_store_up</c> (alert LaminaAsyncStoreDown) says Redis is down.
    /// </summary>
    public static bool Synced(IServiceProvider services) =>
        services.GetRequiredService<GatewayAuthService>().Ready && RoutingSynced(services);
}
