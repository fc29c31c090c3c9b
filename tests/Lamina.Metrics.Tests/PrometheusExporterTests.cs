using System.Diagnostics.Metrics;
using Lamina.Testing;
using Microsoft.Extensions.Options;

namespace Lamina.Metrics.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class PrometheusExporterTests
{
    [Fact]
    public void Scrape_Counter_WritesSumPerLabelSet()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var counter = meter.CreateCounter<long>("lamina_invocations_total", description: "Invocations of a function.");

        counter.Add(2, new("namespace", "default"), new("function", "hello"));
        counter.Add(3, new("namespace", "default"), new("function", "hello"));
        counter.Add(1, new("namespace", "default"), new("function", "bye"));

        Assert.Equal("""
            # HELP lamina_invocations_total Invocations of a function.
            # TYPE lamina_invocations_total counter
            lamina_invocations_total{function="bye",namespace="default"} 1
            lamina_invocations_total{function="hello",namespace="default"} 5

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_SameTagsInAnotherOrder_OneSeries()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var counter = meter.CreateCounter<int>("lamina_cold_starts_total");

        counter.Add(1, new("namespace", "default"), new("function", "hello"));
        counter.Add(1, new("function", "hello"), new("namespace", "default"));

        Assert.Equal("""
            # TYPE lamina_cold_starts_total counter
            lamina_cold_starts_total{function="hello",namespace="default"} 2

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_CounterOfDoubles_WritesFractionsAndIntegersPlainly()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var counter = meter.CreateCounter<double>("lamina_billed_seconds_total", description: "Billed time.");

        counter.Add(0.25, new KeyValuePair<string, object?>("function", "a"));
        counter.Add(1_000_000, new KeyValuePair<string, object?>("function", "b"));

        Assert.Equal("""
            # HELP lamina_billed_seconds_total Billed time.
            # TYPE lamina_billed_seconds_total counter
            lamina_billed_seconds_total{function="a"} 0.25
            lamina_billed_seconds_total{function="b"} 1000000

            """, exporter.Scrape());
    }

    [Fact]
    public void Record_NegativeCounterIncrement_Ignored()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var counter = meter.CreateCounter<long>("lamina_errors_total");

        counter.Add(5);
        counter.Add(-3);

        Assert.Equal("""
            # TYPE lamina_errors_total counter
            lamina_errors_total 5

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_UpDownCounter_WritesGaugeOfTheSum()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var executions = meter.CreateUpDownCounter<int>("lamina_concurrent_executions", description: "Invocations running now.");

        executions.Add(3, new KeyValuePair<string, object?>("function", "a"));
        executions.Add(-1, new KeyValuePair<string, object?>("function", "a"));
        executions.Add(-2, new KeyValuePair<string, object?>("function", "b"));

        Assert.Equal("""
            # HELP lamina_concurrent_executions Invocations running now.
            # TYPE lamina_concurrent_executions gauge
            lamina_concurrent_executions{function="a"} 2
            lamina_concurrent_executions{function="b"} -2

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_Gauge_WritesLastValue()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var utilization = meter.CreateGauge<double>("lamina_provisioned_concurrency_utilization");

        utilization.Record(0.5);
        utilization.Record(0.75);

        Assert.Equal("""
            # TYPE lamina_provisioned_concurrency_utilization gauge
            lamina_provisioned_concurrency_utilization 0.75

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_HistogramWithAdvice_CumulativeBucketsFromAdviceSumAndCount()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var duration = meter.CreateHistogram("lamina_duration_seconds", unit: "s", description: "Invocation duration.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1, 10] });
        KeyValuePair<string, object?> function = new("function", "hello");

        duration.Record(0.05, function);
        duration.Record(0.1, function); // on a bound: counted in that bound's bucket (le means ≤)
        duration.Record(0.5, function);
        duration.Record(20, function);

        Assert.Equal("""
            # HELP lamina_duration_seconds Invocation duration.
            # TYPE lamina_duration_seconds histogram
            lamina_duration_seconds_bucket{function="hello",le="0.1"} 2
            lamina_duration_seconds_bucket{function="hello",le="1"} 3
            lamina_duration_seconds_bucket{function="hello",le="10"} 3
            lamina_duration_seconds_bucket{function="hello",le="+Inf"} 4
            lamina_duration_seconds_sum{function="hello"} 20.65
            lamina_duration_seconds_count{function="hello"} 4

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_HistogramWithoutAdvice_PrometheusDefaultBuckets()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var age = meter.CreateHistogram<double>("lamina_async_event_age_seconds");

        age.Record(0.3);

        Assert.Equal("""
            # TYPE lamina_async_event_age_seconds histogram
            lamina_async_event_age_seconds_bucket{le="0.005"} 0
            lamina_async_event_age_seconds_bucket{le="0.01"} 0
            lamina_async_event_age_seconds_bucket{le="0.025"} 0
            lamina_async_event_age_seconds_bucket{le="0.05"} 0
            lamina_async_event_age_seconds_bucket{le="0.1"} 0
            lamina_async_event_age_seconds_bucket{le="0.25"} 0
            lamina_async_event_age_seconds_bucket{le="0.5"} 1
            lamina_async_event_age_seconds_bucket{le="1"} 1
            lamina_async_event_age_seconds_bucket{le="2.5"} 1
            lamina_async_event_age_seconds_bucket{le="5"} 1
            lamina_async_event_age_seconds_bucket{le="10"} 1
            lamina_async_event_age_seconds_bucket{le="+Inf"} 1
            lamina_async_event_age_seconds_sum 0.3
            lamina_async_event_age_seconds_count 1

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_HistogramOfIntegersWithAdvice_BoundsFromIntegerAdvice()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var sizes = meter.CreateHistogram("lamina_payload_bytes", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1024, 6_291_456] });

        sizes.Record(100);
        sizes.Record(7_000_000);

        Assert.Equal("""
            # TYPE lamina_payload_bytes histogram
            lamina_payload_bytes_bucket{le="1024"} 1
            lamina_payload_bytes_bucket{le="6291456"} 1
            lamina_payload_bytes_bucket{le="+Inf"} 2
            lamina_payload_bytes_sum 7000100
            lamina_payload_bytes_count 2

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_HistogramWithoutAdvice_ConfiguredDefaultBuckets()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter, o => o.DefaultHistogramBoundaries = [1, 2]);
        var histogram = meter.CreateHistogram<double>("lamina_x_seconds");

        histogram.Record(1.5);

        Assert.Equal("""
            # TYPE lamina_x_seconds histogram
            lamina_x_seconds_bucket{le="1"} 0
            lamina_x_seconds_bucket{le="2"} 1
            lamina_x_seconds_bucket{le="+Inf"} 1
            lamina_x_seconds_sum 1.5
            lamina_x_seconds_count 1

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_HistogramAdviceEndingInInfinity_InfinityBucketWrittenOnce()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var histogram = meter.CreateHistogram("lamina_x_seconds", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, double.PositiveInfinity] });

        histogram.Record(5);

        Assert.Equal("""
            # TYPE lamina_x_seconds histogram
            lamina_x_seconds_bucket{le="1"} 0
            lamina_x_seconds_bucket{le="+Inf"} 1
            lamina_x_seconds_sum 5
            lamina_x_seconds_count 1

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_HistogramBuckets_CumulativeAndEndingAtCount()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var histogram = meter.CreateHistogram("lamina_init_duration_seconds", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 3, 4] });
        var random = new Random(42);
        for (var i = 0; i < 1000; i++)
        {
            histogram.Record(random.NextDouble() * 5);
        }

        var buckets = exporter.Scrape().Split('\n')
            .Where(line => line.StartsWith("lamina_init_duration_seconds_bucket", StringComparison.Ordinal))
            .Select(line => long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();

        Assert.Equal(5, buckets.Count);
        Assert.True(buckets.SequenceEqual(buckets.Order()), $"buckets are not cumulative: {string.Join(", ", buckets)}");
        Assert.Equal(1000, buckets[^1]);
    }

    [Fact]
    public void Scrape_LabelValuesAndHelpWithSpecialCharacters_Escaped()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var counter = meter.CreateCounter<long>("lamina_throttles_total", description: "Throttles \\ per \"reason\"\nsecond line");

        counter.Add(1, new KeyValuePair<string, object?>("reason", "a \"quoted\" back\\slash\nnew line"));

        Assert.Equal("""
            # HELP lamina_throttles_total Throttles \\ per "reason"\nsecond line
            # TYPE lamina_throttles_total counter
            lamina_throttles_total{reason="a \"quoted\" back\\slash\nnew line"} 1

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_NonStringTagValues_WrittenInvariantly()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var counter = meter.CreateCounter<long>("lamina_x_total");

        counter.Add(1, new("retry", true), new("attempt", 2), new("ratio", 0.5), new("missing", null));

        Assert.Equal("""
            # TYPE lamina_x_total counter
            lamina_x_total{attempt="2",missing="",ratio="0.5",retry="true"} 1

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_InvalidNameCharacters_ReplacedByUnderscore()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var counter = meter.CreateCounter<long>("lamina.requests-total");

        counter.Add(1, new KeyValuePair<string, object?>("http.method", "GET"));

        Assert.Equal("""
            # TYPE lamina_requests_total counter
            lamina_requests_total{http_method="GET"} 1

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_SpecialValues_SpelledAsPrometheusDoes()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var gauge = meter.CreateGauge<double>("lamina_values");

        gauge.Record(double.NaN, new KeyValuePair<string, object?>("v", "nan"));
        gauge.Record(double.PositiveInfinity, new KeyValuePair<string, object?>("v", "pinf"));
        gauge.Record(double.NegativeInfinity, new KeyValuePair<string, object?>("v", "ninf"));
        gauge.Record(1e20, new KeyValuePair<string, object?>("v", "large"));
        gauge.Record(123_456_789_012, new KeyValuePair<string, object?>("v", "integer"));
        gauge.Record(-0.001, new KeyValuePair<string, object?>("v", "small"));

        Assert.Equal("""
            # TYPE lamina_values gauge
            lamina_values{v="integer"} 123456789012
            lamina_values{v="large"} 1E+20
            lamina_values{v="nan"} NaN
            lamina_values{v="ninf"} -Inf
            lamina_values{v="pinf"} +Inf
            lamina_values{v="small"} -0.001

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_SeveralMetrics_SortedByName()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        meter.CreateCounter<long>("lamina_b_total").Add(1);
        meter.CreateCounter<long>("lamina_c_total").Add(1);
        meter.CreateCounter<long>("lamina_a_total").Add(1);

        Assert.Equal("""
            # TYPE lamina_a_total counter
            lamina_a_total 1
            # TYPE lamina_b_total counter
            lamina_b_total 1
            # TYPE lamina_c_total counter
            lamina_c_total 1

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_InstrumentNeverRecorded_NotWritten()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        meter.CreateCounter<long>("lamina_unused_total");

        Assert.Equal("", exporter.Scrape());
    }

    [Fact]
    public void Scrape_ObservableGauge_ReadAtEachScrape()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var reads = 0;
        meter.CreateObservableGauge("lamina_provisioned_concurrent_executions", () =>
        {
            reads++;
            return new Measurement<int>(reads * 10, new KeyValuePair<string, object?>("function", "hello"));
        }, description: "Provisioned environments.");

        var first = exporter.Scrape();
        var second = exporter.Scrape();

        Assert.Equal(2, reads);
        Assert.Equal("""
            # HELP lamina_provisioned_concurrent_executions Provisioned environments.
            # TYPE lamina_provisioned_concurrent_executions gauge
            lamina_provisioned_concurrent_executions{function="hello"} 10

            """, first);
        Assert.Contains("lamina_provisioned_concurrent_executions{function=\"hello\"} 20\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_ObservableStopsReportingALabelSet_SeriesGone()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        List<string> functions = ["a", "b"];
        meter.CreateObservableGauge("lamina_unreserved_concurrent_executions",
            () => functions.Select(f => new Measurement<long>(1, new KeyValuePair<string, object?>("function", f))));

        var before = exporter.Scrape();
        functions.Remove("a");
        var after = exporter.Scrape();

        Assert.Contains("{function=\"a\"}", before, StringComparison.Ordinal);
        Assert.DoesNotContain("{function=\"a\"}", after, StringComparison.Ordinal);
        Assert.Contains("{function=\"b\"} 1\n", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_ObservableCounterAndUpDownCounter_CounterAndGaugeOfTheReportedTotals()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        meter.CreateObservableCounter("lamina_async_events_received_total", () => 42L);
        meter.CreateObservableUpDownCounter("lamina_queue_depth", () => -1.5);

        Assert.Equal("""
            # TYPE lamina_async_events_received_total counter
            lamina_async_events_received_total 42
            # TYPE lamina_queue_depth gauge
            lamina_queue_depth -1.5

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_ObservableCallbackThrows_OtherMetricsStillWritten()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        meter.CreateObservableGauge("lamina_broken", new Func<int>(() => throw new InvalidOperationException("broken callback")));
        meter.CreateObservableGauge("lamina_fine", () => 1);

        Assert.Equal("""
            # TYPE lamina_fine gauge
            lamina_fine 1

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_LabelSets_KeptApart()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var counter = meter.CreateCounter<long>("lamina_errors_total");

        counter.Add(1, new("function", "a"), new("error_type", "Handled"));
        counter.Add(10, new("function", "a"), new("error_type", "Unhandled"));
        counter.Add(100, new("function", "b"), new("error_type", "Handled"));
        counter.Add(1000, new KeyValuePair<string, object?>("function", "a"));
        counter.Add(10000);

        Assert.Equal("""
            # TYPE lamina_errors_total counter
            lamina_errors_total 10000
            lamina_errors_total{error_type="Handled",function="a"} 1
            lamina_errors_total{error_type="Handled",function="b"} 100
            lamina_errors_total{error_type="Unhandled",function="a"} 10
            lamina_errors_total{function="a"} 1000

            """, exporter.Scrape());
    }

    [Fact]
    public async Task Record_ManyThreadsAtOnce_SumsExactly()
    {
        const int threads = 8;
        const int perThread = 50_000;
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var invocations = meter.CreateCounter<long>("lamina_invocations_total");
        var billed = meter.CreateCounter<double>("lamina_billed_seconds_total");
        var duration = meter.CreateHistogram("lamina_duration_seconds", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1] });
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            KeyValuePair<string, object?> function = new("function", t % 2 == 0 ? "even" : "odd");
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                invocations.Add(1, function);
                billed.Add(0.5, function); // a binary fraction: every partial sum is exact
                duration.Record(i % 2 == 0 ? 0.25 : 2, function);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(workers);

        var text = exporter.Scrape();
        const int perFunction = threads / 2 * perThread;
        Assert.Contains($"lamina_invocations_total{{function=\"even\"}} {perFunction}\n", text, StringComparison.Ordinal);
        Assert.Contains($"lamina_invocations_total{{function=\"odd\"}} {perFunction}\n", text, StringComparison.Ordinal);
        Assert.Contains($"lamina_billed_seconds_total{{function=\"odd\"}} {perFunction / 2}\n", text, StringComparison.Ordinal);
        Assert.Contains($"lamina_duration_seconds_bucket{{function=\"even\",le=\"1\"}} {perFunction / 2}\n", text, StringComparison.Ordinal);
        Assert.Contains($"lamina_duration_seconds_count{{function=\"even\"}} {perFunction}\n", text, StringComparison.Ordinal);
        Assert.Contains($"lamina_duration_seconds_sum{{function=\"even\"}} {perFunction / 2 * 0.25 + perFunction / 2 * 2}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_TagsSeenBefore_AllocatesNothing()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var counter = meter.CreateCounter<long>("lamina_invocations_total");
        var histogram = meter.CreateHistogram<double>("lamina_duration_seconds");
        KeyValuePair<string, object?> ns = new("namespace", "default");
        KeyValuePair<string, object?> function = new("function", "hello");
        KeyValuePair<string, object?> type = new("invocation_type", "RequestResponse");
        for (var i = 0; i < 100; i++)
        {
            counter.Add(1, ns, function, type);
            histogram.Record(0.1, ns, function);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            counter.Add(1, ns, function, type);
            histogram.Record(0.1, ns, function);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Scrape_MoreLabelSetsThanTheLimit_ExtraOnesInOverflowSeries()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter, o => o.MaxSeriesPerMetric = 2);
        var counter = meter.CreateCounter<long>("lamina_requests_total");

        for (var i = 0; i < 5; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("id", i));
        }

        counter.Add(1, new KeyValuePair<string, object?>("id", 0));

        Assert.Equal("""
            # TYPE lamina_requests_total counter
            lamina_requests_total{id="0"} 2
            lamina_requests_total{id="1"} 1
            lamina_requests_total{overflow="true"} 3

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_SameNameFromTwoMeters_OneMetricSummed()
    {
        using var gateway = TestExporters.NewMeter();
        using var shim = new Meter(gateway.Name + ".Shim");
        using var exporter = TestExporters.For(gateway, o => o.MeterNamePrefixes.Add(gateway.Name));

        gateway.CreateCounter<long>("lamina_invocations_total", description: "Invocations.").Add(1);
        shim.CreateCounter<long>("lamina_invocations_total", description: "Invocations.").Add(2);

        Assert.Equal("""
            # HELP lamina_invocations_total Invocations.
            # TYPE lamina_invocations_total counter
            lamina_invocations_total 3

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_SameNameOfAnotherType_FirstInstrumentKept()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        var counter = meter.CreateCounter<long>("lamina_thing");
        var histogram = meter.CreateHistogram<double>("lamina_thing");

        counter.Add(1);
        histogram.Record(1);

        Assert.Equal("""
            # TYPE lamina_thing counter
            lamina_thing 1

            """, exporter.Scrape());
    }

    [Fact]
    public void Scrape_MeterNotChosen_NotExported()
    {
        using var chosen = TestExporters.NewMeter();
        using var other = TestExporters.NewMeter();
        using var exporter = TestExporters.For(chosen);

        other.CreateCounter<long>("lamina_other_total").Add(1);
        chosen.CreateCounter<long>("lamina_chosen_total").Add(1);

        var text = exporter.Scrape();
        Assert.Contains("lamina_chosen_total 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("lamina_other_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_MeterChosenByPrefix_Exported()
    {
        var prefix = $"LaminaPrefix{Guid.NewGuid():N}";
        using var gateway = new Meter(prefix + ".Gateway");
        using var controller = new Meter(prefix + ".Controller");
        var options = new PrometheusExporterOptions();
        options.MeterNamePrefixes.Add(prefix);
        using var exporter = new PrometheusExporter(Options.Create(options), Microsoft.Extensions.Logging.Abstractions.NullLogger<PrometheusExporter>.Instance);

        gateway.CreateCounter<long>("lamina_gateway_total").Add(1);
        controller.CreateCounter<long>("lamina_controller_total").Add(1);

        var text = exporter.Scrape();
        Assert.Contains("lamina_gateway_total 1", text, StringComparison.Ordinal);
        Assert.Contains("lamina_controller_total 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_InstrumentCreatedBeforeExporter_Exported()
    {
        using var meter = TestExporters.NewMeter();
        var counter = meter.CreateCounter<long>("lamina_early_total");
        using var exporter = TestExporters.For(meter);

        counter.Add(4);

        Assert.Contains("lamina_early_total 4\n", exporter.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_MeterDisposed_MetricGone()
    {
        var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        meter.CreateCounter<long>("lamina_gone_total").Add(1);

        meter.Dispose();

        Assert.Equal("", exporter.Scrape());
    }

    [Fact]
    public void Constructor_NoMeterChosen_Throws()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            new PrometheusExporter(Options.Create(new PrometheusExporterOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<PrometheusExporter>.Instance));

        Assert.Contains("MeterNames", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_Stream_Utf8Exposition()
    {
        using var meter = TestExporters.NewMeter();
        using var exporter = TestExporters.For(meter);
        meter.CreateCounter<long>("lamina_invocations_total").Add(1, new KeyValuePair<string, object?>("function", "héllo"));
        using var stream = new MemoryStream();

        await exporter.WriteAsync(stream, CancellationToken.None);

        Assert.Equal("# TYPE lamina_invocations_total counter\nlamina_invocations_total{function=\"héllo\"} 1\n", System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", exporter.ContentType);
    }
}
