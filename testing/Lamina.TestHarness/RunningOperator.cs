using System.Diagnostics.Metrics;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Events;
using Lamina.Kubernetes.LeaderElection;
using Lamina.Operator.Concurrency;
using Lamina.Operator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lamina.Testing;

/// <summary>
/// The operator's controller running inside the test process against a real API server, with a
/// lease of its own in <c>leaseNamespace</c>, watching only that namespace, so that tests running at
/// once neither share a leader nor manage each other's Functions, and
/// the concurrency controller's gRPC service on a free loopback port, announced in that lease as the
/// operator program announces it, so that gateways find it the same way.
/// </summary>
public sealed class RunningOperator : IAsyncDisposable
{
    private readonly FunctionReconcileLoop _controller;
    private readonly ServiceProvider _services;
    private readonly WebApplication _grpc;

    private RunningOperator(FunctionReconcileLoop controller, ServiceProvider services, WebApplication grpc, string grpcAddress)
    {
        _controller = controller;
        _services = services;
        _grpc = grpc;
        GrpcAddress = grpcAddress;
    }

    /// <summary>Where gateways reach this replica's concurrency controller.</summary>
    public string GrpcAddress { get; }

    /// <summary>Whether this replica leads now.</summary>
    public bool Leading => _controller.Leading;

    /// <summary>Scale writes the concurrency controller made.</summary>
    public int ScaleWrites => _controller.Concurrency.ScaleWrites;

    /// <summary>
    /// Starts the controller (two workers) and returns once it is running. On the local cluster pass
    /// <c>Never</c> as the pull policy: its images are imported, and nothing may be pulled from outside.
    /// </summary>
    public static async Task<RunningOperator> StartAsync(
        IKubernetesClient client,
        IEventRecorder events,
        string leaseNamespace,
        ILoggerFactory? logs = null,
        string imagePullPolicy = "IfNotPresent",
        Action<ConcurrencyOptions>? concurrency = null,
        bool releaseLeaseOnStop = true,
        IReadOnlyDictionary<string, string?>? operatorSettings = null)
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var grpcUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var options = new ConcurrencyOptions { GrpcUrl = grpcUrl };
        concurrency?.Invoke(options);
        options.GrpcUrl = grpcUrl;
        var address = ConcurrencyEndpoints.Advertised(options);
        var loggers = logs ?? NullLoggerFactory.Instance;
        // Its own namespace only: operators of tests running at once (or an operator of make up) must
        // not reconcile and scale each other's Functions.
        var operatorOptions = new OperatorOptions { Workers = 2, ImagePullPolicy = imagePullPolicy, WatchNamespace = leaseNamespace };
        // Further Lamina:Operator settings as the chart gives them (e.g. Runtimes:nodejs22.x:Image, CodeEndpoint).
        new ConfigurationBuilder().AddInMemoryCollection(operatorSettings ?? new Dictionary<string, string?>()).Build().Bind(operatorOptions);
        var controller = new FunctionReconcileLoop(
            client,
            events,
            Options.Create(operatorOptions),
            Options.Create(new LeaderElectionOptions
            {
                Namespace = leaseNamespace,
                LeaseName = "lamina-operator",
                Identity = $"{LeaderElectionOptions.DefaultIdentity()}@{address}",
                ReleaseOnCancel = releaseLeaseOnStop,
            }),
            Options.Create(options),
            TimeProvider.System,
            loggers,
            services.GetRequiredService<IMeterFactory>());

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => ConcurrencyEndpoints.ListenGrpc(kestrel, grpcUrl));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new ConcurrencyService(controller.Concurrency.State, controller.Concurrency.Tokens, options, loggers.CreateLogger<ConcurrencyService>()));
        var grpc = builder.Build();
        grpc.MapGrpcService<ConcurrencyService>();
        await grpc.StartAsync().ConfigureAwait(false);
        await controller.StartAsync(CancellationToken.None).ConfigureAwait(false);
        return new RunningOperator(controller, services, grpc, address);
    }

    /// <summary>Stops the controller (releasing its lease unless told not to, as a crash would not) and its meters.</summary>
    public async ValueTask DisposeAsync()
    {
        await _controller.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _grpc.StopAsync().ConfigureAwait(false);
        await _grpc.DisposeAsync().ConfigureAwait(false);
        _controller.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
