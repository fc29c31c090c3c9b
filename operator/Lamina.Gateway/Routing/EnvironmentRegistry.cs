using Lamina.Kubernetes.Informers;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Routing;

/// <summary>
/// Every function's environments: its pods that can take invocations now (see
/// <see cref="PodEnvironments.EnvironmentOf"/>), kept current by a pod informer's events. A pod that
/// turns unready, starts terminating or is deleted leaves on that event; observers (the router)
/// hear each change as it happens.
/// </summary>
internal sealed partial class EnvironmentRegistry : IInformerHandler<V1Pod>
{
    private readonly Lock _gate = new();
    private readonly int _defaultPort;
    private readonly ILogger _logger;

    /// <summary>The environment each admitted pod is, by pod (namespace/name).</summary>
    private readonly Dictionary<(string Namespace, string Name), (FunctionKey Function, FunctionEnvironment Environment)> _byPod = [];
    private readonly Dictionary<FunctionKey, Dictionary<string, FunctionEnvironment>> _byFunction = [];
    private IEnvironmentObserver[] _observers = [];

    public EnvironmentRegistry(IOptions<RoutingOptions> options, ILogger<EnvironmentRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _defaultPort = options.Value.ShimPort;
        _logger = logger;
    }

    /// <summary>Environments of all functions.</summary>
    public int Count
    {
        get { lock (_gate) { return _byPod.Count; } }
    }

    /// <summary>The function's environments now, in no particular order.</summary>
    public IReadOnlyList<FunctionEnvironment> EnvironmentsOf(FunctionKey function)
    {
        lock (_gate)
        {
            return _byFunction.TryGetValue(function, out var environments) ? [.. environments.Values] : [];
        }
    }

    /// <summary>
    /// Adds an observer, which first hears of every environment already here as added, so that it
    /// sees the same history as one that was there from the start.
    /// </summary>
    public void Subscribe(IEnvironmentObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_gate)
        {
            _observers = [.. _observers, observer];
            foreach (var (function, environment) in _byPod.Values)
            {
                observer.EnvironmentAdded(function, environment);
            }
        }
    }

    public void OnAdd(V1Pod item) => Apply(item);

    /// <summary>A pod's labels may change its function; its readiness changes often.</summary>
    public void OnUpdate(V1Pod oldItem, V1Pod newItem) => Apply(newItem);

    public void OnDelete(V1Pod item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Metadata is { NamespaceProperty: { } ns, Name: { } name })
        {
            lock (_gate)
            {
                Remove((ns, name));
            }
        }
    }

    private void Apply(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.Metadata is not { NamespaceProperty: { } ns, Name: { } name })
        {
            return;
        }

        var function = PodEnvironments.FunctionOf(pod);
        var environment = function is null ? null : PodEnvironments.EnvironmentOf(pod, _defaultPort);
        var key = (ns, name);
        lock (_gate)
        {
            if (_byPod.TryGetValue(key, out var current))
            {
                if (environment is not null && current.Function == function && current.Environment == environment)
                {
                    return; // a status change that does not touch routing: the common case
                }

                Remove(key);
            }

            if (environment is not null)
            {
                Add(key, function!.Value, environment);
            }
        }
    }

    private void Add((string Namespace, string Name) pod, FunctionKey function, FunctionEnvironment environment)
    {
        _byPod[pod] = (function, environment);
        if (!_byFunction.TryGetValue(function, out var environments))
        {
            _byFunction[function] = environments = new Dictionary<string, FunctionEnvironment>(StringComparer.Ordinal);
        }

        environments[environment.Pod] = environment;
        LogAdded(function.Namespace, function.Name, environment.Pod, environment.Endpoint);
        foreach (var observer in _observers)
        {
            observer.EnvironmentAdded(function, environment);
        }
    }

    private void Remove((string Namespace, string Name) pod)
    {
        if (!_byPod.Remove(pod, out var entry))
        {
            return;
        }

        var (function, environment) = entry;
        if (_byFunction.TryGetValue(function, out var environments) && environments.Remove(environment.Pod) && environments.Count == 0)
        {
            _byFunction.Remove(function);
        }

        LogRemoved(function.Namespace, function.Name, environment.Pod);
        foreach (var observer in _observers)
        {
            observer.EnvironmentRemoved(function, environment);
        }
    }
}
