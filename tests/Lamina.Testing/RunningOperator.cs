using System.Diagnostics.Metrics;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Events;
using Lamina.Kubernetes.LeaderElection;
using Lamina.Operator.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lamina.Testing;

/// <summary>
/// The operator's controller running inside the test process against a real API server, with a
/// lease of its own in <c>leaseNamespace</c> so that tests running at once do not share a leader.
/// </summary>
public sealed class RunningOperator : IAsyncDisposable
{
    private readonly FunctionController _controller;
    private readonly ServiceProvider _services;

    private RunningOperator(FunctionController controller, ServiceProvider services)
    {
        _controller = controller;
        _services = services;
    }

    /// <summary>
    /// Starts the controller (two workers) and returns once it is running. On the local cluster pass
    /// <c>Never</c> as the pull policy: its images are imported, and nothing may be pulled from outside.
    /// </summary>
    public static async Task<RunningOperator> StartAsync(IKubernetesClient client, IEventRecorder events, string leaseNamespace, ILoggerFactory? logs = null, string imagePullPolicy = "IfNotPresent")
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var controller = new FunctionController(
            client,
            events,
            Options.Create(new OperatorOptions { Workers = 2, ImagePullPolicy = imagePullPolicy }),
            Options.Create(new LeaderElectionOptions { Namespace = leaseNamespace, LeaseName = "lamina-operator" }),
            TimeProvider.System,
            logs ?? NullLoggerFactory.Instance,
            services.GetRequiredService<IMeterFactory>());
        await controller.StartAsync(CancellationToken.None).ConfigureAwait(false);
        return new RunningOperator(controller, services);
    }

    /// <summary>Stops the controller (releasing its lease) and its meters.</summary>
    public async ValueTask DisposeAsync()
    {
        await _controller.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _controller.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
