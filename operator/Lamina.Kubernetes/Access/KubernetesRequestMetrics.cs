using System.Diagnostics;
using System.Diagnostics.Metrics;
using Lamina.Kubernetes.Informers;

namespace Lamina.Kubernetes.Access;

/// <summary>
/// Counts and times every request the process sends to the API server, named as RBAC names them
/// (<see cref="KubernetesRequest"/>): <c>lamina_kubernetes_requests_total{verb,group,resource,code}</c>
/// and <c>lamina_kubernetes_request_duration_seconds{verb,group,resource}</c>, what client-go's
/// <c>rest_client_*</c> metrics tell SREs about Go controllers. A 403 here is a Role that lacks a
/// rule; the end-to-end tests read these series to prove the chart grants exactly what is used.
/// The official client has no such hook of its own, so this is a <see cref="DelegatingHandler"/>
/// given to its constructor.
/// </summary>
public sealed class KubernetesRequestMetrics : DelegatingHandler
{
    /// <summary>Used when no <see cref="IMeterFactory"/> is given (no dependency injection).</summary>
    private static readonly Meter SharedMeter = new(KubernetesMetricNames.MeterName);

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public KubernetesRequestMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(KubernetesMetricNames.MeterName) ?? SharedMeter;
        _requests = meter.CreateCounter<long>(KubernetesMetricNames.Requests, description: "Requests sent to the Kubernetes API server, by RBAC verb, group, resource and HTTP status.");
        _duration = meter.CreateHistogram<double>(
            KubernetesMetricNames.RequestDuration,
            unit: "s",
            description: "Time to the API server's response headers (a watch: until it starts streaming).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var described = KubernetesRequest.Describe(request.Method, request.RequestUri);
        var started = Stopwatch.GetTimestamp();
        var code = "error";
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            code = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return response;
        }
        finally
        {
            var verb = new KeyValuePair<string, object?>(KubernetesMetricNames.VerbTag, described.Verb);
            var group = new KeyValuePair<string, object?>(KubernetesMetricNames.GroupTag, described.Group);
            var resource = new KeyValuePair<string, object?>(KubernetesMetricNames.ResourceTag, described.Resource);
            _requests.Add(1, verb, group, resource, new(KubernetesMetricNames.CodeTag, code));
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, verb, group, resource);
        }
    }
}
