using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Lamina.Operator.Hosting;

/// <summary>The controller's own metrics (watch restarts come from the informers' meter).</summary>
internal sealed class ReconcileMetrics
{
    /// <summary>The operator's meter; exported with every other Lamina meter.</summary>
    public const string MeterName = "Lamina.Operator";

    private readonly Counter<long> _reconciles;
    private readonly Histogram<double> _duration;

    public ReconcileMetrics(IMeterFactory meterFactory, Func<int> queueDepth, Func<bool> isLeader)
    {
        var meter = meterFactory.Create(MeterName);
        _reconciles = meter.CreateCounter<long>("lamina_operator_reconciles_total", description: "Reconciles of Functions, by result (success or error).");
        _duration = meter.CreateHistogram<double>(
            "lamina_operator_reconcile_duration_seconds",
            unit: "s",
            description: "How long one reconcile took.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        meter.CreateObservableGauge("lamina_operator_workqueue_depth", queueDepth, description: "Functions waiting to be reconciled.");
        meter.CreateObservableGauge("lamina_operator_leader", () => isLeader() ? 1 : 0, description: "1 while this replica is the active (leading) operator.");
    }

    public void Reconciled(bool success, TimeSpan elapsed)
    {
        _reconciles.Add(1, new KeyValuePair<string, object?>("result", success ? "success" : "error"));
        _duration.Record(elapsed.TotalSeconds);
    }

    public static long Now() => Stopwatch.GetTimestamp();
}
