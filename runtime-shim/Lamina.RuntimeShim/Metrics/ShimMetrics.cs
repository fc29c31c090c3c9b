using System.Diagnostics;
using System.Diagnostics.Metrics;
using Lamina.RuntimeShim.Hosting;

namespace Lamina.RuntimeShim.Metrics;

/// <summary>
/// The environment's metrics, under the names of docs/lambda-contracts.md#metrics: one execution
/// environment's share of a function's series. Every series carries only <c>namespace</c> and
/// <c>function</c> (fixed for the shim's life) plus one bounded label where the name calls for it.
/// </summary>
internal sealed class ShimMetrics
{
    /// <summary>The shim's meter, which <see cref="ShimMetricsExport"/> exports.</summary>
    public const string MeterName = "Lamina.RuntimeShim";

    /// <summary>The histograms, by name: their bucket boundaries are set in <see cref="ShimMetricsExport"/>'s views.</summary>
    public const string DurationName = "lamina_duration_seconds";
    public const string InitDurationName = "lamina_init_duration_seconds";

    private readonly Counter<long> _invocations;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _coldStarts;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _initFailures;
    private readonly Counter<long> _connectionsRefused;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _initDuration;
    private readonly KeyValuePair<string, object?> _namespace;
    private readonly KeyValuePair<string, object?> _function;
    private readonly KeyValuePair<string, object?> _initType;
    private Func<bool> _busy = static () => false;

    public ShimMetrics(Meter meter, FunctionIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(identity);
        _namespace = new("namespace", identity.Namespace);
        _function = new("function", identity.Name);
        _initType = new("init_type", identity.InitializationType);
        _invocations = meter.CreateCounter<long>("lamina_invocations_total", description: "Invocations this environment accepted, by invocation type.");
        _errors = meter.CreateCounter<long>("lamina_errors_total", description: "Invocations that ended in a function error, by X-Amz-Function-Error (Unhandled).");
        _coldStarts = meter.CreateCounter<long>("lamina_cold_starts_total", description: "Invocations that were the first of a freshly initialised runtime.");
        _restarts = meter.CreateCounter<long>("lamina_runtime_restarts_total", description: "Times the shim started the runtime again, by reason (timeout, exit, init_error).");
        _initFailures = meter.CreateCounter<long>("lamina_init_failures_total", description: "Runtime initialisations that failed (an init error, or an exit before the first next).");
        _connectionsRefused = meter.CreateCounter<long>(
            "lamina_shim_connections_refused_total",
            description: "Connections closed on arrival because their port had as many open as it allows, by server (invoke, admin, runtime_api).");
        _duration = meter.CreateHistogram<double>(
            DurationName,
            unit: "s",
            description: "How long invocations ran, from delivery to the runtime until the result.");
        _initDuration = meter.CreateHistogram<double>(
            InitDurationName,
            unit: "s",
            description: "How long the runtime took to initialise (start until its first call to next), by init type.");
        meter.CreateObservableGauge(
            "lamina_concurrent_executions",
            () => new Measurement<int>(_busy() ? 1 : 0, _namespace, _function),
            description: "Invocations in flight in this environment (0 or 1).");
    }

    /// <summary>Where the concurrency gauge reads from (the environment registers itself).</summary>
    public void ObserveBusy(Func<bool> busy) => _busy = busy;

    public void InvocationStarted(string invocationType) =>
        _invocations.Add(1, _namespace, _function, new("invocation_type", invocationType));

    /// <summary>The invocation just delivered is the first of its runtime.</summary>
    public void ColdStarted() => _coldStarts.Add(1, _namespace, _function);

    public void InvocationEnded(TimeSpan duration, string? functionError)
    {
        _duration.Record(duration.TotalSeconds, _namespace, _function);
        if (functionError is not null)
        {
            _errors.Add(1, _namespace, _function, new("error_type", functionError));
        }
    }

    public void Initialised(TimeSpan initDuration) => _initDuration.Record(initDuration.TotalSeconds, _namespace, _function, _initType);

    public void InitFailed() => _initFailures.Add(1, _namespace, _function);

    public void Restarted(string reason) => _restarts.Add(1, _namespace, _function, new("reason", reason));

    /// <summary>A connection was closed on arrival: <paramref name="server"/> (invoke, admin, runtime_api) had its most open.</summary>
    public void ConnectionRefused(string server) => _connectionsRefused.Add(1, _namespace, _function, new("server", server));

    /// <summary>For tests and benches: a timestamp in <see cref="Stopwatch"/> ticks.</summary>
    public static long Now() => Stopwatch.GetTimestamp();
}
