using System.Diagnostics.Metrics;
using System.Net;
using Lamina.Gateway.Async;
using Lamina.Gateway.Code;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Tests.Routing;
using Lamina.Kubernetes.Informers;
using Lamina.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Lamina.Gateway.Tests.Hosting;

/// <summary>
/// The gateway's /metrics as GatewayHost composes it (AddLaminaMetrics, MapLaminaMetrics), with
/// values recorded on the gateway's real instruments, scraped as Prometheus scrapes it.
/// </summary>
[Collection(MetricsPageCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class GatewayMetricsTests
{
    private const string ServiceName = "lamina-gateway";
    private static readonly FunctionKey Function = new("team-a", "hello");

    /// <summary>ForceFlush has sent the export by the time it returns; the bound only stops a lost one from hanging the run.</summary>
    private static readonly TimeSpan ExportDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Metrics_EverySeriesRecorded_DocumentedNamesTypesLabelsAndBuckets()
    {
        await using var host = await MetricsHost.StartAsync(ServiceName);
        var pool = RecordEverySeries(host.Meters);

        var page = await host.ScrapeAsync();

        // docs/gateway-routing.md and docs/metrics.md list these series; the file is the page.
        Golden.AssertMatches("tests/Lamina.Gateway.Tests/Hosting/Golden/metrics.txt", page);
        GC.KeepAlive(pool);
    }

    [Fact]
    public async Task Metrics_EverySeriesRecorded_PassesPromtoolCheckMetrics()
    {
        await using var host = await MetricsHost.StartAsync(ServiceName);
        var pool = RecordEverySeries(host.Meters);

        await Promtool.AssertValidAsync(await host.ScrapeAsync());
        GC.KeepAlive(pool);
    }

    [Fact]
    public async Task Metrics_PrometheusPrefersOpenMetrics_TextFormat004WithoutCaching()
    {
        await using var host = await MetricsHost.StartAsync(ServiceName);
        var pool = RecordEverySeries(host.Meters);

        using var response = await host.GetAsync();
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.DoesNotContain("_created", page, StringComparison.Ordinal);
        Assert.DoesNotContain("# EOF", page, StringComparison.Ordinal);
        Assert.Contains("le=\"1\"}", page, StringComparison.Ordinal);
        GC.KeepAlive(pool);
    }

    [Fact]
    public async Task Metrics_NothingRecorded_EmptyTextPage()
    {
        await using var host = await MetricsHost.StartAsync(ServiceName);

        using var response = await host.GetAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_ScrapedTwice_SecondScrapeSeesValuesRecordedInBetween()
    {
        await using var host = await MetricsHost.StartAsync(ServiceName);
        var invoke = new InvokeMetrics(host.Meters);
        invoke.Invoked(Function.Namespace, Function.Name, "Event");
        Assert.Contains("lamina_invocations_total{function=\"hello\",invocation_type=\"Event\",namespace=\"team-a\"} 1\n", await host.ScrapeAsync(), StringComparison.Ordinal);

        invoke.Invoked(Function.Namespace, Function.Name, "Event");

        Assert.Contains("lamina_invocations_total{function=\"hello\",invocation_type=\"Event\",namespace=\"team-a\"} 2\n", await host.ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_HistogramWithoutAdvice_PrometheusDefaultBuckets()
    {
        await using var host = await MetricsHost.StartAsync(ServiceName);
        host.Meters.Create(InvokeMetrics.MeterName)
            .CreateHistogram<double>("lamina_unadvised_seconds", unit: "s", description: "A histogram that names no buckets.")
            .Record(0.3);

        var page = await host.ScrapeAsync();

        var bounds = page.Split('\n')
            .Where(line => line.StartsWith("lamina_unadvised_seconds_bucket{le=\"", StringComparison.Ordinal))
            .Select(line => line.Split('"')[1]);
        Assert.Equal(["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"], bounds);
    }

    [Fact]
    public async Task Metrics_Post_MethodNotAllowed()
    {
        await using var host = await MetricsHost.StartAsync(ServiceName);

        using var response = await host.GetAsync(HttpMethod.Post);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_MeterOfAnotherHostsFactory_NotExported()
    {
        await using var host = await MetricsHost.StartAsync(ServiceName);
        await using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        new InvokeMetrics(other.GetRequiredService<IMeterFactory>()).Invoked("elsewhere", "other", "Event");
        new InvokeMetrics(host.Meters).Invoked(Function.Namespace, Function.Name, "Event");

        var page = await host.ScrapeAsync();

        Assert.Contains("namespace=\"team-a\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("elsewhere", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Otlp_EndpointConfigured_PushesTheMetricsWithTheServiceName()
    {
        await using var collector = await FakeOtlpCollector.StartAsync();
        await using var host = await MetricsHost.StartAsync(ServiceName, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        new InvokeMetrics(host.Meters).Invoked(Function.Namespace, Function.Name, "Event");

        // Exports now rather than after the export interval. Its result says nothing here: the
        // Prometheus reader, which only exports when scraped, reports every flush as failed.
        host.Services.GetRequiredService<MeterProvider>().ForceFlush();

        var export = await collector.FirstExportAsync.WaitAsync(ExportDeadline);
        Assert.Equal("/v1/metrics", export.Path);
        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.Contains("lamina_invocations_total", export.Text, StringComparison.Ordinal);
        Assert.Contains(ServiceName, export.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("otel-collector:4317")]
    [InlineData("ftp://otel-collector:4317")]
    public async Task Otlp_EndpointNotAnHttpUri_HostFailsToStart(string endpoint)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => MetricsHost.StartAsync(ServiceName, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
        }));

        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http:// or https:// URI", error.Message, StringComparison.Ordinal);
    }

    /// <summary>One value on every series the gateway exports; the pool holds the lease, the invocation in flight and the queued one the gauges read.</summary>
    private static LeasedEnvironments RecordEverySeries(IMeterFactory meters)
    {
        var invoke = new InvokeMetrics(meters);
        invoke.Invoked(Function.Namespace, Function.Name, "RequestResponse");
        invoke.Invoked(Function.Namespace, Function.Name, "RequestResponse");
        invoke.Invoked(Function.Namespace, Function.Name, "Event");
        invoke.Errored(Function.Namespace, Function.Name, "Unhandled");
        invoke.Throttled(Function.Namespace, Function.Name, "ConcurrentInvocationLimitExceeded");
        invoke.Completed(Function.Namespace, Function.Name, TimeSpan.FromSeconds(0.25));
        invoke.Completed(Function.Namespace, Function.Name, TimeSpan.FromSeconds(2));

        var pool = new LeasedEnvironments(Function, new RoutingOptions(), new RecordingOutbox(), TimeProvider.System, new PoolIndex());
        var lease = RouterHarness.LeaseAt("127.0.0.1:8080", "hello-1");
        Assert.True(FunctionEnvironment.TryCreate(lease.Pod, lease.Address, out var environment));
        Assert.True(pool.Grant(RecordingOutbox.UnknownTicket, lease, environment)); // one lease, idle
        Assert.NotNull(pool.Acquire().Slot); // now in flight
        Assert.NotNull(pool.Acquire().Waiter); // no other environment: the next invocation queues
        var routing = new RoutingMetrics(meters, () => [pool]);
        routing.Waited(pool, TimeSpan.FromSeconds(0.5));
        routing.RanProvisioned(pool);
        routing.SpilledOver(pool);

        var async = new AsyncMetrics(meters);
        async.Received(Function);
        async.Received(Function);
        async.Attempting(Function, TimeSpan.FromSeconds(0.2));
        async.Attempting(Function, TimeSpan.FromSeconds(90));
        async.Dropped(Function, nameof(AsyncCondition.RetriesExhausted));
        async.Dropped(Function, nameof(AsyncCondition.EventAgeExceeded));
        async.DeadLetterFailed(Function);
        async.DestinationFailed(Function);
        async.Publish([new QueueSample(Function, 3, TimeSpan.FromSeconds(42.5))]);
        async.ObserveStore(static () => true);
        async.ForgedEvent(Function);
        async.Trimmed(Function, 4);
        async.PublishMemory(123_456, 429_496_729);

        var code = new CodeMetrics(meters);
        code.Fetched(CodeFetchOutcome.Served);
        code.Served(1234);
        code.Fetched(CodeFetchOutcome.Forbidden);
        code.Reviewed(CodeMetrics.ReviewAuthenticated);
        code.Reviewed(CodeMetrics.ReviewCached);

        var budget = new BodyBudget(1024 * 1024, meters);
        Assert.True(budget.TryTake(16 * 1024)); // one body's buffer held now
        budget.Refused();

        // The informers' counters are internal to Lamina.Kubernetes; an instrument of the same
        // name on the same meter stands in for them: what is tested is that their meter is exported.
        meters.Create(KubernetesMetricNames.MeterName)
            .CreateCounter<long>(KubernetesMetricNames.WatchRestarts, description: "Watches that ended and were re-established.")
            .Add(1, new KeyValuePair<string, object?>(KubernetesMetricNames.ResourceTag, "functions"));
        return pool;
    }
}
