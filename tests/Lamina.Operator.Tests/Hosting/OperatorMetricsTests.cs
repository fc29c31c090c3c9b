using System.Diagnostics.Metrics;
using Lamina.Kubernetes.Events;
using Lamina.Kubernetes.Informers;
using Lamina.Operator.Access;
using Lamina.Operator.Hosting;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lamina.Operator.Tests.Hosting;

/// <summary>
/// The operator's /metrics as OperatorHost composes it (AddLaminaMetrics, MapLaminaMetrics), with
/// values recorded on the controller's real instruments, scraped as Prometheus scrapes it.
/// </summary>
[Collection(MetricsPageCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class OperatorMetricsTests
{
    private const string ServiceName = "lamina-operator";

    [Fact]
    public async Task Metrics_EverySeriesRecorded_DocumentedNamesTypesLabelsAndBuckets()
    {
        await using var host = await MetricsHost.StartAsync(ServiceName);
        await RecordEverySeriesAsync(host.Meters);

        var page = await host.ScrapeAsync();

        // docs/operator.md lists these series; the file is the page.
        Golden.AssertMatches("tests/Lamina.Operator.Tests/Hosting/Golden/metrics.txt", page);
    }

    [Fact]
    public async Task Metrics_EverySeriesRecorded_PassesPromtoolCheckMetrics()
    {
        await using var host = await MetricsHost.StartAsync(ServiceName);
        await RecordEverySeriesAsync(host.Meters);

        await Promtool.AssertValidAsync(await host.ScrapeAsync());
    }

    private static async Task RecordEverySeriesAsync(IMeterFactory meters)
    {
        // The leader read a usable invoke-token Secret (the operator creates it when missing).
        var tokens = new InvokeTokenSecret(new FakeKubernetesClient(), "lamina-system", new RecordingEventRecorder(), meters, NullLogger<InvokeTokenSecret>.Instance);
        await tokens.RefreshAsync(CancellationToken.None);

        var controller = new ReconcileMetrics(meters, queueDepth: () => 3, isLeader: () => true);
        controller.Reconciled(success: true, TimeSpan.FromSeconds(0.02));
        controller.Reconciled(success: true, TimeSpan.FromSeconds(0.02));
        controller.Reconciled(success: false, TimeSpan.FromSeconds(1.5));

        // The informers' and the event recorder's counters live inside Lamina.Kubernetes; an
        // instrument of the same name on the same meter stands in for each: what is tested is
        // that their meters are exported.
        var informers = meters.Create(KubernetesMetricNames.MeterName);
        informers.CreateCounter<long>(KubernetesMetricNames.WatchRestarts, description: "Watches that ended and were re-established.")
            .Add(2, new KeyValuePair<string, object?>(KubernetesMetricNames.ResourceTag, "functions.lamina.dev"));
        informers.CreateCounter<long>(KubernetesMetricNames.Relists, description: "Full relists forced by an expired resourceVersion.")
            .Add(1, new KeyValuePair<string, object?>(KubernetesMetricNames.ResourceTag, "pods"));
        meters.Create(KubernetesEventRecorder.MeterName)
            .CreateCounter<long>("lamina_kubernetes_events_failed_total", description: "Kubernetes Events the operator could not write, by reason: queue_full, api_error, invalid (a bad call), shutdown (recorded while or after stopping).")
            .Add(1, new KeyValuePair<string, object?>("reason", "api_error"));
    }
}
