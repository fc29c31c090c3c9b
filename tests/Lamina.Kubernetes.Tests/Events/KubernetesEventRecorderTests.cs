using System.Diagnostics.Metrics;
using System.Net;
using Lamina.Kubernetes.Events;
using k8s.Models;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Kubernetes.Tests.Events;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class KubernetesEventRecorderTests : IAsyncLifetime, IDisposable
{
    private const string Failures = "lamina_kubernetes_events_failed_total";

    private readonly FakeTimeProvider _clock = new();
    private readonly FakeKubernetesClient _client = new();
    private readonly IMeterFactory _meterFactory = TestMeters.Factory();
    private readonly MetricCollectors _meters;
    private readonly List<KubernetesEventRecorder> _recorders = [];

    private readonly V1Pod _pod = new()
    {
        Metadata = new V1ObjectMeta { Name = "hello-7d9f", NamespaceProperty = "functions", Uid = "0b7e-uid", ResourceVersion = "42" },
    };

    public KubernetesEventRecorderTests() => _meters = new MetricCollectors(_meterFactory);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var recorder in _recorders)
        {
            await recorder.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _meters.Dispose();
        _meterFactory.Dispose();
    }

    [Fact]
    public async Task Normal_NewEvent_CreatesEventAboutTheObject()
    {
        var recorder = NewRecorder(o =>
        {
            o.Component = "lamina-operator";
            o.Instance = "lamina-operator-5f6d_1a2b";
            o.Host = "node-1";
        });

        recorder.Normal(_pod, "Created", "Created deployment hello");
        await recorder.FlushAsync();

        var recorded = Assert.Single(await EventsAsync());
        Assert.Equal("functions", recorded.Metadata.NamespaceProperty);
        Assert.StartsWith("hello-7d9f.", recorded.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal("v1", recorded.InvolvedObject.ApiVersion);
        Assert.Equal("Pod", recorded.InvolvedObject.Kind);
        Assert.Equal("functions", recorded.InvolvedObject.NamespaceProperty);
        Assert.Equal("hello-7d9f", recorded.InvolvedObject.Name);
        Assert.Equal("0b7e-uid", recorded.InvolvedObject.Uid);
        Assert.Equal("42", recorded.InvolvedObject.ResourceVersion);
        Assert.Equal("Normal", recorded.Type);
        Assert.Equal("Created", recorded.Reason);
        Assert.Equal("Created deployment hello", recorded.Message);
        Assert.Equal("lamina-operator", recorded.Source?.Component);
        Assert.Equal("node-1", recorded.Source?.Host);
        Assert.Equal("lamina-operator", recorded.ReportingComponent);
        Assert.Equal("lamina-operator-5f6d_1a2b", recorded.ReportingInstance);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, recorded.FirstTimestamp);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, recorded.LastTimestamp);
        Assert.Equal(1, recorded.Count);
    }

    [Fact]
    public async Task Warning_NewEvent_TypeWarning()
    {
        var recorder = NewRecorder();

        recorder.Warning(_pod, "InvalidSpec", "memory must be at least 128 MiB");
        await recorder.FlushAsync();

        Assert.Equal("Warning", Assert.Single(await EventsAsync()).Type);
    }

    [Fact]
    public async Task Record_SameEventWithinTheWindow_CountAndLastTimestampPatched()
    {
        var recorder = NewRecorder();
        var first = _clock.GetUtcNow().UtcDateTime;

        recorder.Warning(_pod, "BackOff", "restarting failed container");
        _clock.Advance(TimeSpan.FromMinutes(3));
        recorder.Warning(_pod, "BackOff", "restarting failed container");
        _clock.Advance(TimeSpan.FromMinutes(9)); // within 10 minutes of the last occurrence
        recorder.Warning(_pod, "BackOff", "restarting failed container");
        await recorder.FlushAsync();

        var recorded = Assert.Single(await EventsAsync());
        Assert.Equal(3, recorded.Count);
        Assert.Equal(first, recorded.FirstTimestamp);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, recorded.LastTimestamp);
        Assert.Equal(["create", "patch", "patch"], _client.Writes.Select(w => w.Verb));
    }

    [Fact]
    public async Task Record_SameEventAfterTheWindow_NewEvent()
    {
        var recorder = NewRecorder();

        recorder.Normal(_pod, "Scaled", "scaled to 1");
        _clock.Advance(TimeSpan.FromMinutes(10));
        recorder.Normal(_pod, "Scaled", "scaled to 1");
        await recorder.FlushAsync();

        var events = await EventsAsync();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(1, e.Count));
        Assert.Equal(["create", "create"], _client.Writes.Select(w => w.Verb));
    }

    [Fact]
    public async Task Record_DifferentTypeReasonMessageOrObject_SeparateEvents()
    {
        var recorder = NewRecorder();
        var recreated = new V1Pod { Metadata = new V1ObjectMeta { Name = "hello-7d9f", NamespaceProperty = "functions", Uid = "another-uid" } };

        recorder.Normal(_pod, "Scaled", "scaled to 1");
        recorder.Warning(_pod, "Scaled", "scaled to 1");
        recorder.Normal(_pod, "Pulled", "scaled to 1");
        recorder.Normal(_pod, "Scaled", "scaled to 2");
        recorder.Normal(recreated, "Scaled", "scaled to 1");
        recorder.Normal(_pod, "Scaled", "scaled to 1");
        await recorder.FlushAsync();

        var events = await EventsAsync();
        Assert.Equal(5, events.Count);
        Assert.Equal(5, events.Select(e => e.Metadata.Name).Distinct().Count());
        Assert.Equal(2, events.Single(e => e.Count == 2).Count);
    }

    [Fact]
    public async Task Record_ClusterScopedObject_EventInDefaultNamespace()
    {
        var recorder = NewRecorder();
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = "functions", Uid = "ns-uid" } };

        recorder.Normal(ns, "Adopted", "namespace holds Lamina functions");
        await recorder.FlushAsync();

        var recorded = Assert.Single(await EventsAsync());
        Assert.Equal("default", recorded.Metadata.NamespaceProperty);
        Assert.Null(recorded.InvolvedObject.NamespaceProperty);
        Assert.Equal("Namespace", recorded.InvolvedObject.Kind);
    }

    [Fact]
    public async Task Record_CreateFails_NoThrowAndCountedAsApiError()
    {
        var recorder = NewRecorder();
        _client.FailNext(r => r.Verb == "create", FakeKubernetesClient.ApiError(HttpStatusCode.Forbidden, "Forbidden"));

        recorder.Warning(_pod, "InvalidSpec", "bad");
        await recorder.FlushAsync();

        Assert.Empty(await EventsAsync());
        Assert.Equal(1, _meters.Sum(Failures, ("reason", "api_error")));
    }

    [Fact]
    public async Task Record_PatchFails_CountedAndTheNextOccurrenceStillAggregates()
    {
        var recorder = NewRecorder();
        recorder.Warning(_pod, "BackOff", "restarting");
        await recorder.FlushAsync();
        _client.FailNext(r => r.Verb == "patch", FakeKubernetesClient.ApiError(HttpStatusCode.InternalServerError, "InternalError"));

        recorder.Warning(_pod, "BackOff", "restarting");
        recorder.Warning(_pod, "BackOff", "restarting");
        await recorder.FlushAsync();

        Assert.Equal(2, Assert.Single(await EventsAsync()).Count);
        Assert.Equal(1, _meters.Sum(Failures, ("reason", "api_error")));
    }

    [Fact]
    public async Task Record_AggregatedEventDeleted_NewEventCreated()
    {
        var recorder = NewRecorder();
        recorder.Warning(_pod, "BackOff", "restarting");
        await recorder.FlushAsync();
        var first = Assert.Single(await EventsAsync());
        await _client.DeleteAsync<Corev1Event>(first.Metadata.NamespaceProperty, first.Metadata.Name!);

        _clock.Advance(TimeSpan.FromSeconds(1));
        recorder.Warning(_pod, "BackOff", "restarting");
        await recorder.FlushAsync();

        var second = Assert.Single(await EventsAsync());
        Assert.NotEqual(first.Metadata.Name, second.Metadata.Name);
        Assert.Equal(1, second.Count);
        Assert.Equal(0, _meters.Sum(Failures, ("reason", "api_error")));
    }

    [Fact]
    public async Task Record_QueueFull_DroppedAndCountedWithoutBlocking()
    {
        var recorder = NewRecorder(o => o.QueueCapacity = 2);
        using var writing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var blocked = false;
        // Holds the writer inside its first request, so the queue fills up behind it.
        _client.FailNext(r =>
        {
            if (!blocked)
            {
                blocked = true;
                writing.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }

            return false;
        }, new InvalidOperationException("never thrown"));

        recorder.Normal(_pod, "Event", "0");
        Assert.True(writing.Wait(TimeSpan.FromSeconds(30)), "the writer starts on the first event");
        for (var i = 1; i <= 5; i++)
        {
            recorder.Normal(_pod, "Event", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(3, _meters.Sum(Failures, ("reason", "queue_full")));
        release.Set();
        await recorder.FlushAsync();
        Assert.Equal(["0", "1", "2"], (await EventsAsync()).Select(e => e.Message).Order());
    }

    [Fact]
    public async Task Record_MoreDistinctEventsThanTheCache_LeastRecentlyUsedNoLongerAggregated()
    {
        var recorder = NewRecorder(o => o.CacheSize = 2);

        recorder.Normal(_pod, "A", "a");
        recorder.Normal(_pod, "B", "b");
        recorder.Normal(_pod, "A", "a"); // A is now the most recently used
        recorder.Normal(_pod, "C", "c"); // forgets B
        recorder.Normal(_pod, "A", "a");
        recorder.Normal(_pod, "B", "b"); // a new Event, since B was forgotten
        await recorder.FlushAsync();

        var events = await EventsAsync();
        Assert.Equal(2, events.Count(e => e.Reason == "B"));
        Assert.Equal(3, Assert.Single(events, e => e.Reason == "A").Count);
    }

    [Fact]
    public async Task Record_ManyEventsAtTheSameInstant_UniqueNames()
    {
        var recorder = NewRecorder();

        for (var i = 0; i < 20; i++)
        {
            recorder.Normal(_pod, "Event", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await recorder.FlushAsync();

        Assert.Equal(20, (await EventsAsync()).Select(e => e.Metadata.Name).Distinct().Count());
        Assert.Equal(0, _meters.Sum(Failures, ("reason", "api_error")));
    }

    [Fact]
    public async Task Record_LongObjectNameAndMessage_NameAndMessageBounded()
    {
        var recorder = NewRecorder();
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = new string('p', 253), NamespaceProperty = "functions" } };

        recorder.Warning(pod, "Failed", new string('m', 5000));
        await recorder.FlushAsync();

        var recorded = Assert.Single(await EventsAsync());
        Assert.Equal(253, recorded.Metadata.Name!.Length);
        Assert.Equal(1024, recorded.Message!.Length);
        Assert.Equal(new string('p', 253), recorded.InvolvedObject.Name);
    }

    [Fact]
    public async Task Record_NullObject_NoThrowAndCountedAsInvalid()
    {
        var recorder = NewRecorder();

        recorder.Normal(null!, "Created", "nothing");
        await recorder.FlushAsync();

        Assert.Empty(await EventsAsync());
        Assert.Equal(1, _meters.Sum(Failures, ("reason", "invalid")));
    }

    [Fact]
    public async Task Record_AfterDispose_NoThrowAndCountedAsShutdown()
    {
        var recorder = NewRecorder();
        await recorder.DisposeAsync();

        recorder.Normal(_pod, "Created", "too late");
        await recorder.FlushAsync();

        Assert.Empty(_client.Writes);
        Assert.Equal(1, _meters.Sum(Failures, ("reason", "shutdown")));
    }

    [Fact]
    public async Task DisposeAsync_EventsQueued_WrittenFirst()
    {
        var recorder = NewRecorder();
        for (var i = 0; i < 10; i++)
        {
            recorder.Normal(_pod, "Event", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await recorder.DisposeAsync();

        Assert.Equal(10, (await EventsAsync()).Count);
    }

    private KubernetesEventRecorder NewRecorder(Action<EventRecorderOptions>? configure = null)
    {
        var options = new EventRecorderOptions();
        configure?.Invoke(options);
        var recorder = new KubernetesEventRecorder(_client, Options.Create(options), _clock, NullLogger<KubernetesEventRecorder>.Instance, _meterFactory);
        _recorders.Add(recorder);
        return recorder;
    }

    private async Task<List<Corev1Event>> EventsAsync() => (await _client.ListAsync<Corev1Event>(null)).Items.ToList();
}
