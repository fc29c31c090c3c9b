using System.Diagnostics.Metrics;
using System.Net;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Informers;
using k8s;
using k8s.Models;
using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.Informers;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InformerTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly ScriptedKubernetesClient _client = new();
    private readonly TimerCountingTimeProvider _time = new();
    private readonly RecordingHandler _handler = new();
    private readonly IMeterFactory _meterFactory = TestMeters.Factory();
    private readonly MetricCollectors _meters;
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public InformerTests() => _meters = new MetricCollectors(_meterFactory);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running.WaitAsync(Deadline);
        }

        _stop.Dispose();
        _meters.Dispose();
        _meterFactory.Dispose();
    }

    [Fact]
    public async Task RunAsync_ListOfSeveralPages_AddsEveryObjectThenWatchesFromListVersion()
    {
        _client.SetList("100", Secret("a", "1"), Secret("b", "2"), Secret("c", "3"));

        var informer = await StartAsync(new InformerOptions { PageSize = 2, Namespace = "ns", LabelSelector = "app=x", FieldSelector = "type=Opaque" });
        await WatchCountAsync(1);

        Assert.Equal(["add ns/a@1", "add ns/b@2", "add ns/c@3"], _handler.Calls);
        Assert.Equal([null, "2"], _client.Lists.Select(l => l!.Continue));
        Assert.All(_client.Lists, l => Assert.Equal((2, "app=x", "type=Opaque"), (l!.Limit!.Value, l.LabelSelector, l.FieldSelector)));
        var watch = Assert.Single(_client.Watches);
        Assert.Equal(("ns", "100", true, "app=x", "type=Opaque"), (watch.Namespace, watch.Options.ResourceVersion, watch.Options.AllowBookmarks, watch.Options.LabelSelector, watch.Options.FieldSelector));
        Assert.Equal(3, informer.Store.Count);
        Assert.Equal("2", informer.Store.Get("ns", "b")!.Metadata.ResourceVersion);
        Assert.True(informer.Store.TryGet("ns/c", out _));
        Assert.Equal("100", informer.LastSyncResourceVersion);
    }

    [Fact]
    public async Task RunAsync_WatchEvents_StoreAndHandlersFollowInOrder()
    {
        _client.SetList("100", Secret("a", "1"), Secret("b", "2"));
        var informer = await StartAsync();
        var watch = await WatchCountAsync(1);

        watch.Send(WatchEventType.Added, Secret("c", "101"));
        watch.Send(WatchEventType.Modified, Secret("a", "102"));
        watch.Send(WatchEventType.Deleted, Secret("b", "103"));
        await CallCountAsync(5);

        Assert.Equal(["add ns/a@1", "add ns/b@2", "add ns/c@101", "update ns/a@1->102", "delete ns/b@103"], _handler.Calls);
        Assert.Equal(["ns/a", "ns/c"], informer.Store.Keys().Order(StringComparer.Ordinal));
        Assert.Equal("103", informer.LastSyncResourceVersion);
    }

    [Fact]
    public async Task RunAsync_WatchClosedByServer_ResumesAtOnceFromLastVersionIncludingBookmark()
    {
        _client.SetList("100", Secret("a", "1"));
        await StartAsync();
        var first = await WatchCountAsync(1);

        first.Send(WatchEventType.Modified, Secret("a", "120"));
        first.Bookmark("150");
        first.Close();
        var second = await WatchCountAsync(2);

        Assert.Equal("150", second.Options.ResourceVersion);
        Assert.Single(_client.Lists); // a closed watch resumes; it never relists
        Assert.Equal(["add ns/a@1", "update ns/a@1->120"], _handler.Calls);
        Assert.Equal(1, _meters.Sum(KubernetesMetricNames.WatchRestarts, ("resource", "secrets")));
        Assert.Equal(0, _meters.Sum(KubernetesMetricNames.Relists, ("resource", "secrets")));
    }

    [Fact]
    public async Task RunAsync_WatchFailsAtOnceRepeatedly_DelaysDoubleUpTo30Seconds()
    {
        _client.SetList("100");
        for (var i = 0; i < 9; i++)
        {
            _client.FailNextWatch(new HttpRequestException("connection refused"));
        }

        await StartAsync();
        await WatchCountAsync(1);

        double[] expected = [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30];
        for (var i = 0; i < expected.Length; i++)
        {
            await BackoffArmedAsync();
            _time.Advance(TimeSpan.FromSeconds(expected[i]) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(i + 1, _client.Watches.Count);

            _time.Advance(TimeSpan.FromMilliseconds(1));
            await WatchCountAsync(i + 2);
        }

        Assert.Single(_client.Lists);
        Assert.All(_client.Watches, w => Assert.Equal("100", w.Options.ResourceVersion));
    }

    [Fact]
    public async Task RunAsync_FailureAfterHealthyWatch_BackoffStartsOver()
    {
        _client.SetList("100", Secret("a", "1"));
        _client.FailNextWatch(new HttpRequestException("refused"));
        _client.FailNextWatch(new HttpRequestException("refused"));
        await StartAsync();
        await WatchCountAsync(1);
        await AdvanceThroughBackoffAsync(0.8);
        await WatchCountAsync(2);
        await AdvanceThroughBackoffAsync(1.6);
        var healthy = await WatchCountAsync(3);

        healthy.Send(WatchEventType.Modified, Secret("a", "130"));
        healthy.Fail(new IOException("connection reset"));

        await BackoffArmedAsync();
        _time.Advance(TimeSpan.FromSeconds(0.8));
        var fourth = await WatchCountAsync(4);
        Assert.Equal("130", fourth.Options.ResourceVersion);
    }

    [Fact]
    public async Task RunAsync_GoneAfterHealthyWatch_RelistEmitsExactlyTheMissedChanges()
    {
        _client.SetList("100", Secret("a", "1"), Secret("b", "2"), Secret("c", "3"));
        var informer = await StartAsync(new InformerOptions { PageSize = 2 });
        var watch = await WatchCountAsync(1);

        // While the watch was away: b changed, c was deleted, d was created; a did not change.
        _client.SetList("200", Secret("a", "1"), Secret("b", "150"), Secret("d", "160"));
        watch.Bookmark("110");
        watch.Fail(Gone());
        var resumed = await WatchCountAsync(2);

        Assert.Equal(["add ns/a@1", "add ns/b@2", "add ns/c@3", "update ns/b@2->150", "add ns/d@160", "delete ns/c@3"], _handler.Calls);
        Assert.Equal("200", resumed.Options.ResourceVersion);
        Assert.Equal(["ns/a", "ns/b", "ns/d"], informer.Store.Keys().Order(StringComparer.Ordinal));
        Assert.Equal(4, _client.Lists.Count); // two pages, twice
        Assert.Equal(1, _meters.Sum(KubernetesMetricNames.Relists, ("resource", "secrets")));
        Assert.Equal(1, _meters.Sum(KubernetesMetricNames.WatchRestarts, ("resource", "secrets")));
    }

    [Fact]
    public async Task RunAsync_GoneOnAFreshWatch_RelistAfterBackoff()
    {
        _client.SetList("100", Secret("a", "1"));
        _client.FailNextWatch(Gone());
        await StartAsync();
        await WatchCountAsync(1);
        _client.SetList("200", Secret("a", "5"));

        await BackoffArmedAsync();
        Assert.Single(_client.Lists);
        _time.Advance(TimeSpan.FromSeconds(0.8));
        await WatchCountAsync(2);

        Assert.Equal(2, _client.Lists.Count);
        Assert.Equal(["add ns/a@1", "update ns/a@1->5"], _handler.Calls);
    }

    [Fact]
    public async Task RunAsync_RelistFindsObjectRecreatedUnderSameName_DeleteThenAdd()
    {
        _client.SetList("100", Secret("a", "1", uid: "first"));
        await StartAsync();
        var watch = await WatchCountAsync(1);

        _client.SetList("200", Secret("a", "150", uid: "second"));
        watch.Bookmark("101");
        watch.Fail(Gone());
        await WatchCountAsync(2);

        Assert.Equal(["add ns/a@1", "delete ns/a@1", "add ns/a@150"], _handler.Calls);
    }

    [Fact]
    public async Task RunAsync_DeleteOfUnknownObject_NoHandlerCall()
    {
        _client.SetList("100", Secret("a", "1"));
        await StartAsync();
        var watch = await WatchCountAsync(1);

        watch.Send(WatchEventType.Deleted, Secret("ghost", "101"));
        watch.Send(WatchEventType.Deleted, Secret("a", "102"));
        await CallCountAsync(2);

        Assert.Equal(["add ns/a@1", "delete ns/a@102"], _handler.Calls);
    }

    [Fact]
    public async Task RunAsync_ResyncPeriod_EveryObjectAgainAsUpdateWithOldSameAsNew()
    {
        _client.SetList("100", Secret("a", "1"), Secret("b", "2"));
        var informer = await StartAsync(new InformerOptions { ResyncPeriod = TimeSpan.FromMinutes(10), WatchTimeout = null });
        await WatchCountAsync(1);

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(["add ns/a@1", "add ns/b@2", "update ns/a@1->1", "update ns/b@2->2"], [.. _handler.Calls.Take(2), .. _handler.Calls.Skip(2).Order(StringComparer.Ordinal)]);
        Assert.All(_handler.Updates, u => Assert.Same(u.Old, u.New));
        Assert.All(_handler.Updates, u => Assert.Same(informer.Store.Get("ns", u.New.Metadata.Name!), u.New));

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(4, _handler.Updates.Count);
    }

    [Fact]
    public async Task RunAsync_ListFailsTwice_RetriedWithBackoffThenSynced()
    {
        _client.SetList("100", Secret("a", "1"));
        _client.FailNextList(new HttpRequestException("refused"));
        _client.FailNextList(new KubernetesApiException(HttpStatusCode.InternalServerError, null));
        var informer = new Informer<V1Secret>(_client, new InformerOptions { WatchTimeout = null }, _time, meterFactory: _meterFactory);
        _running = informer.RunAsync(_stop.Token);

        await AdvanceThroughBackoffAsync(0.8);
        Assert.False(informer.HasSynced);
        await AdvanceThroughBackoffAsync(1.6);
        await informer.WaitForSyncAsync().WaitAsync(Deadline);

        Assert.Equal(3, _client.Lists.Count);
        Assert.Equal(0, _meters.Sum(KubernetesMetricNames.Relists, ("resource", "secrets"))); // the first list is not a relist
    }

    [Fact]
    public async Task RunAsync_SilentWatchPastClientDeadline_WatchedAgain()
    {
        _client.SetList("100", Secret("a", "1"));
        await StartAsync(new InformerOptions { WatchTimeout = TimeSpan.FromMinutes(5) });
        var first = await WatchCountAsync(1);
        Assert.Equal(TimeSpan.FromMinutes(5), first.Options.Timeout);

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(first.Ended);
        _time.Advance(TimeSpan.FromSeconds(30));

        var second = await WatchCountAsync(2);
        Assert.True(first.Ended);
        Assert.Equal("100", second.Options.ResourceVersion);
    }

    [Fact]
    public async Task AddHandler_AfterSync_ReplaysAddsThenLiveEvents()
    {
        _client.SetList("100", Secret("a", "1"));
        var informer = await StartAsync();
        var watch = await WatchCountAsync(1);
        var late = new RecordingHandler();

        informer.AddHandler(late);
        watch.Send(WatchEventType.Added, Secret("b", "101"));
        await CallCountAsync(2);

        await Eventually.HoldsAsync(() => late.Calls.Count == 2, Deadline, "the late handler sees the replay and the new event");
        Assert.Equal(["add ns/a@1", "add ns/b@101"], late.Calls);
    }

    [Fact]
    public async Task RunAsync_HandlerThrows_OthersStillCalledAndInformerGoesOn()
    {
        _client.SetList("100");
        var informer = new Informer<V1Secret>(_client, new InformerOptions { WatchTimeout = null }, _time, meterFactory: _meterFactory);
        informer.AddHandler(onAdd: _ => throw new InvalidOperationException("handler bug"));
        informer.AddHandler(_handler);
        _running = informer.RunAsync(_stop.Token);
        var watch = await WatchCountAsync(1);

        watch.Send(WatchEventType.Added, Secret("a", "101"));
        watch.Send(WatchEventType.Added, Secret("b", "102"));

        await CallCountAsync(2);
        Assert.Equal(["add ns/a@101", "add ns/b@102"], _handler.Calls);
    }

    [Fact]
    public async Task RunAsync_Cancelled_CompletesWithoutThrowing()
    {
        _client.SetList("100");
        await StartAsync();
        var watch = await WatchCountAsync(1);

        await _stop.CancelAsync();

        await _running!.WaitAsync(Deadline);
        Assert.True(watch.Ended);
        Assert.Equal(0, _meters.Sum(KubernetesMetricNames.WatchRestarts, ("resource", "secrets")));
    }

    [Fact]
    public async Task RunAsync_SecondCall_Throws()
    {
        _client.SetList("100");
        var informer = await StartAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => informer.RunAsync(CancellationToken.None));
    }

    private static KubernetesApiException Gone() =>
        new(HttpStatusCode.Gone, new V1Status { Code = 410, Reason = StatusReasons.Expired, Message = "too old resource version: 100 (150)" });

    private static V1Secret Secret(string name, string resourceVersion, string? uid = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", ResourceVersion = resourceVersion, Uid = uid ?? $"uid-{name}" } };

    private async Task<Informer<V1Secret>> StartAsync(InformerOptions? options = null)
    {
        var informer = new Informer<V1Secret>(_client, options ?? new InformerOptions { WatchTimeout = null }, _time, meterFactory: _meterFactory);
        informer.AddHandler(_handler);
        _running = informer.RunAsync(_stop.Token);
        await informer.WaitForSyncAsync().WaitAsync(Deadline);
        return informer;
    }

    private async Task<ScriptedWatch> WatchCountAsync(int count)
    {
        await Eventually.HoldsAsync(() => _client.Watches.Count >= count, Deadline, $"watch #{count} starts");
        Assert.Equal(count, _client.Watches.Count);
        return _client.Watches[count - 1];
    }

    private Task CallCountAsync(int count) =>
        Eventually.HoldsAsync(() => _handler.Calls.Count >= count, Deadline, $"{count} handler calls (have: {string.Join(", ", _handler.Calls)})");

    /// <summary>The informer is waiting on its backoff timer (no other timer runs in these tests).</summary>
    private Task BackoffArmedAsync() =>
        Eventually.HoldsAsync(() => _time.ActiveTimers == 1, Deadline, "the informer waits out a backoff");

    private async Task AdvanceThroughBackoffAsync(double seconds)
    {
        await BackoffArmedAsync();
        _time.Advance(TimeSpan.FromSeconds(seconds));
    }
}
