using System.Diagnostics.Metrics;

namespace Lamina.Gateway.Invoke;

/// <summary>
/// The function-level series callers see (docs/lambda-contracts.md#metrics), from the gateway's side. Labels:
/// <c>namespace</c> and <c>function</c> only for functions that exist and the caller may invoke (so an
/// unknown or denied name never becomes a label), plus one bounded label where the name calls for it.
/// </summary>
internal sealed class InvokeMetrics
{
    public const string MeterName = "Lamina.Gateway";

    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

    private readonly Counter<long> _invocations;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _throttles;
    private readonly Histogram<double> _duration;

    public InvokeMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _invocations = meter.CreateCounter<long>("lamina_invocations_total", description: "Invocations the gateway accepted, by invocation type.");
        _errors = meter.CreateCounter<long>("lamina_errors_total", description: "Invocations that ended in a function error (X-Amz-Function-Error, e.g. Unhandled) or a gateway error (Service).");
        _throttles = meter.CreateCounter<long>("lamina_throttles_total", description: "Invocations refused with 429, by Lambda's reason.");
        _duration = meter.CreateHistogram(
            "lamina_duration_seconds",
            unit: "s",
            description: "Invocation time as callers see it through the gateway (queue wait included).",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    public void Invoked(string @namespace, string function, string invocationType) =>
        _invocations.Add(1, new("namespace", @namespace), new("function", function), new("invocation_type", invocationType));

    public void Errored(string @namespace, string function, string errorType) =>
        _errors.Add(1, new("namespace", @namespace), new("function", function), new("error_type", errorType));

    public void Throttled(string @namespace, string function, string reason) =>
        _throttles.Add(1, new("namespace", @namespace), new("function", function), new("reason", reason));

    public void Completed(string @namespace, string function, TimeSpan duration) =>
        _duration.Record(duration.TotalSeconds, new("namespace", @namespace), new("function", function));
}
