using System.Threading.Channels;
using Lamina.Kubernetes.Client;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Operator.Reconciliation;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// Writes the on-demand Deployment's <c>/scale</c> when the controller's answer changes: one API write,
/// off the controller's lock, the latest answer per function winning when several queue up. Each tick it
/// also compares what the Deployment says with the answer and writes again when they differ (a
/// reconcile that raced a change, or someone's <c>kubectl scale</c>).
/// </summary>
internal sealed partial class ScaleWriter
{
    private readonly IKubernetesClient _client;
    private readonly IObjectLister<V1Deployment> _deployments;
    private readonly ILogger _logger;
    private readonly Channel<FunctionId> _changed = Channel.CreateUnbounded<FunctionId>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly Dictionary<FunctionId, int> _wanted = [];
    private readonly Dictionary<FunctionId, int> _written = [];

    public ScaleWriter(IKubernetesClient client, IObjectLister<V1Deployment> deployments, ILogger<ScaleWriter> logger)
    {
        _client = client;
        _deployments = deployments;
        _logger = logger;
    }

    /// <summary>Writes made (for tests and the bench).</summary>
    public int Writes { get; private set; }

    /// <summary>The controller's new answer; called under its lock, so only queued here.</summary>
    public void Want(FunctionId function, int replicas)
    {
        lock (_gate)
        {
            _wanted[function] = replicas;
        }

        _changed.Writer.TryWrite(function);
    }

    /// <summary>Queues a write for every function whose Deployment differs from the answer, or whose last write failed.</summary>
    public void Repair()
    {
        lock (_gate)
        {
            foreach (var (function, replicas) in _wanted)
            {
                var deployment = _deployments.Get(function.Namespace, DeploymentName(function));
                if (deployment?.Spec is { } spec && ((spec.Replicas ?? 1) != replicas || !_written.ContainsKey(function)))
                {
                    _written.Remove(function);
                    _changed.Writer.TryWrite(function);
                }
            }
        }
    }

    /// <summary>Forgets every answer (leadership ended: the next leader decides).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _wanted.Clear();
            _written.Clear();
        }
    }

    /// <summary>Writes until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var function in _changed.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                int replicas;
                lock (_gate)
                {
                    if (!_wanted.TryGetValue(function, out replicas) || (_written.TryGetValue(function, out var written) && written == replicas))
                    {
                        continue;
                    }
                }

                var name = DeploymentName(function);
                try
                {
                    await _client.SetScaleAsync<V1Deployment>(function.Namespace, name, replicas, cancellationToken).ConfigureAwait(false);
                    Writes++;
                    lock (_gate)
                    {
                        _written[function] = replicas;
                    }

                    LogScaled(function.Namespace, function.Name, name, replicas);
                }
                catch (KubernetesApiException error) when (error.IsNotFound)
                {
                    // Not created yet: the reconciler creates it with the controller's answer.
                }
                catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // An API error, a timeout, a dropped connection: the writer must outlive it (a dead
                    // writer scales nothing again); the next tick's Repair queues the write again.
                    LogScaleFailed(function.Namespace, function.Name, name, replicas, error.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Leadership ended, or the operator stops.
        }
    }

    private static string DeploymentName(FunctionId function) =>
        Names.Deployment(new Function { Metadata = new V1ObjectMeta { Name = function.Name, NamespaceProperty = function.Namespace } });

    [LoggerMessage(1, LogLevel.Information, "{Namespace}.{Function}: scaled Deployment {Deployment} to {Replicas}")]
    private partial void LogScaled(string @namespace, string function, string deployment, int replicas);

    [LoggerMessage(2, LogLevel.Warning, "{Namespace}.{Function}: scaling Deployment {Deployment} to {Replicas} failed: {Error}")]
    private partial void LogScaleFailed(string @namespace, string function, string deployment, int replicas, string error);
}
