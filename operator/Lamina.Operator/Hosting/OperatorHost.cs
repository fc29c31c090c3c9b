using Lamina.Contracts.Concurrency;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Events;
using Lamina.Kubernetes.LeaderElection;
using Lamina.Operator.Concurrency;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Lamina.Operator.Hosting;

/// <summary>
/// The operator program: Kubernetes from KUBECONFIG (or in-cluster), the Function controller and the
/// concurrency controller (its gRPC service on a port of its own, HTTP/2), and on HTTP/1.1
/// <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>. SIGTERM stops it cleanly: workers finish their
/// reconcile, the lease is released so a standby takes over at once.
/// </summary>
internal static class OperatorHost
{
    /// <summary>Health and metrics, unless --urls or ASPNETCORE_URLS say otherwise.</summary>
    private const string DefaultUrls = "http://127.0.0.1:8081";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var urls = builder.Configuration["urls"] is { Length: > 0 } configured ? configured : DefaultUrls;
        var concurrency = new ConcurrencyOptions();
        builder.Configuration.GetSection(ConcurrencyOptions.Section).Bind(concurrency);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                ConcurrencyEndpoints.Listen(kestrel, url, HttpProtocols.Http1);
            }

            ConcurrencyEndpoints.ListenGrpc(kestrel, concurrency.GrpcUrl);
        });

        // One line per entry for people; LAMINA_LOG_FORMAT=json for log pipelines (structured fields kept).
        if (Environment.GetEnvironmentVariable("LAMINA_LOG_FORMAT") == "json")
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        // KUBECONFIG's first file, else ~/.kube/config, else the pod's service account.
        k8s.KubernetesClientConfiguration kubernetes;
        try
        {
            kubernetes = k8s.KubernetesClientConfiguration.BuildDefaultConfig();
        }
        catch (k8s.Exceptions.KubeConfigException error)
        {
            await Console.Error.WriteLineAsync($"lamina-operator: cannot reach Kubernetes: {error.Message}").ConfigureAwait(false);
            return 2;
        }

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<OperatorOptions>().Bind(builder.Configuration.GetSection(OperatorOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OperatorOptions>, OperatorOptionsValidator>();
        services.AddKubernetesClient(kubernetes);
        services.Configure<EventRecorderOptions>(o => o.Component = "lamina-operator");
        services.AddSingleton<IEventRecorder, KubernetesEventRecorder>();
        services.AddSingleton(Options.Create(concurrency));
        services.AddOptions<LeaderElectionOptions>().Configure<IOptions<OperatorOptions>>((leader, operatorOptions) =>
        {
            // Gateways read the leader's gRPC address from the Lease: <identity>@<address>.
            leader.Identity = $"{LeaderElectionOptions.DefaultIdentity()}{ConcurrencyConnectionContract.AddressSeparator}{ConcurrencyEndpoints.Advertised(concurrency)}";
            leader.LeaseName = operatorOptions.Value.LeaseName;
            leader.Namespace = operatorOptions.Value.LeaseNamespace is { Length: > 0 } configured
                ? configured
                : Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } podNamespace ? podNamespace : kubernetes.Namespace ?? "default";
        });
        services.AddLaminaMetrics(builder.Configuration, "lamina-operator");
        services.AddSingleton<FunctionReconcileLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<FunctionReconcileLoop>());
        services.AddGrpc();
        services.AddSingleton(sp => new ConcurrencyService(
            sp.GetRequiredService<FunctionReconcileLoop>().Concurrency.State, sp.GetRequiredService<FunctionReconcileLoop>().Concurrency.Tokens, concurrency, sp.GetRequiredService<ILogger<ConcurrencyService>>()));

        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/readyz", (FunctionReconcileLoop controller) => controller.Synced ? Results.Text("ok") : Results.Text("caches not synced", statusCode: 503));
        app.MapLaminaMetrics();
        app.MapGrpcService<ConcurrencyService>();
        var controller = app.Services.GetRequiredService<FunctionReconcileLoop>();
        app.Lifetime.ApplicationStopping.Register(controller.StepDown);
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
