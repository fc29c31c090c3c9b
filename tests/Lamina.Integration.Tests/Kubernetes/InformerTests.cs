using System.Globalization;
using System.Text;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Informers;
using k8s;
using k8s.Models;
using Lamina.Testing;

namespace Lamina.Integration.Tests.Kubernetes;

/// <summary>
/// <see cref="Informer{T}"/> against a real API server: paginated list, resume after a closed
/// watch, and a genuine 410 Gone followed by a relist that loses and repeats nothing.
/// </summary>
[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class InformerTests(ApiServerFixture apiServer) : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly KubernetesObjectClient _client = apiServer.CreateKubernetesClient();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _calls = [];
    private Task? _running;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running.WaitAsync(Deadline);
        }

        _stop.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task RunAsync_WatchClosedByServer_ResumesFromLastVersionWithoutRelistOrDuplicates()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "informer-resume");
        var expected = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            var created = await _client.CreateAsync(TestObjects.Secret(ns, $"s-{i:D2}"));
            expected.Add($"add {created.Metadata.Name}@{created.Metadata.ResourceVersion}");
        }

        var gated = new GatedKubernetesClient(_client);
        await StartAsync(new Informer<V1Secret>(gated, new InformerOptions { Namespace = ns, PageSize = 10 }));
        await Eventually.HoldsAsync(() => gated.ActiveWatches == 1, Deadline, "the first watch is open");
        Assert.Equal(3, gated.Lists);

        gated.CloseCurrentWatch();
        var late = await _client.CreateAsync(TestObjects.Secret(ns, "s-25"));
        expected.Add($"add s-25@{late.Metadata.ResourceVersion}");
        await Eventually.HoldsAsync(() => Calls().Count >= 26, Deadline, "the secret created across the reconnect arrives");

        Assert.Equal(expected, Calls());
        Assert.Equal(3, gated.Lists);
        Assert.Equal(2, gated.WatchVersions.Count);
        Assert.Equal(gated.WatchVersions[0], gated.WatchVersions[1]);
    }

    [Fact]
    public async Task RunAsync_WatchExpiresWhileDisconnected_RelistDeliversEveryMissedChangeExactlyOnce()
    {
        // Events are the one resource kube-apiserver 1.20 serves without a watch cache, so a
        // watch from a compacted etcd revision gets the genuine 410 Gone.
        var ns = await TestObjects.NamespaceAsync(_client, "informer-gone");
        var e1 = await _client.CreateAsync(TestObjects.Event(ns, "e1", "one"));
        var e2 = await _client.CreateAsync(TestObjects.Event(ns, "e2", "two"));
        var e3 = await _client.CreateAsync(TestObjects.Event(ns, "e3", "three"));
        var gated = new GatedKubernetesClient(_client);
        await StartAsync(new Informer<Corev1Event>(gated, new InformerOptions { Namespace = ns }));
        await Eventually.HoldsAsync(() => gated.ActiveWatches == 1, Deadline, "the first watch is open");

        gated.HoldWatches();
        gated.CloseCurrentWatch();
        await Eventually.HoldsAsync(() => gated.WaitingWatches == 1, Deadline, "the informer waits to watch again");
        e1.Message = "one, edited";
        var e1Edited = await _client.ReplaceAsync(e1);
        await _client.DeleteAsync<Corev1Event>(ns, "e2");
        var e4 = await _client.CreateAsync(TestObjects.Event(ns, "e4", "four"));
        await CompactEtcdAsync(e4.Metadata.ResourceVersion!);
        gated.ReleaseWatches();

        await Eventually.HoldsAsync(() => gated.Lists == 2, Deadline, "the informer relists after 410 Gone");
        var e5 = await _client.CreateAsync(TestObjects.Event(ns, "e5", "five"));
        await Eventually.HoldsAsync(() => Calls().Count >= 7, Deadline, "the event created after the relist arrives");

        Assert.Equal(
        [
            $"add e1@{e1.Metadata.ResourceVersion}",
            $"add e2@{e2.Metadata.ResourceVersion}",
            $"add e3@{e3.Metadata.ResourceVersion}",
            $"update e1@{e1.Metadata.ResourceVersion}->{e1Edited.Metadata.ResourceVersion}",
            $"add e4@{e4.Metadata.ResourceVersion}",
            $"delete e2@{e2.Metadata.ResourceVersion}",
            $"add e5@{e5.Metadata.ResourceVersion}",
        ], Calls());
        var gone = Assert.IsType<KubernetesApiException>(Assert.Single(gated.WatchErrors));
        Assert.True(gone.IsGone);
        Assert.Equal(gated.WatchVersions[0], gated.WatchVersions[1]);
    }

    private async Task StartAsync<T>(Informer<T> informer)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        informer.AddHandler(
            onAdd: item => Record($"add {item.Metadata.Name}@{item.Metadata.ResourceVersion}"),
            onUpdate: (old, item) => Record($"update {item.Metadata.Name}@{old.Metadata.ResourceVersion}->{item.Metadata.ResourceVersion}"),
            onDelete: item => Record($"delete {item.Metadata.Name}@{item.Metadata.ResourceVersion}"));
        _running = informer.RunAsync(_stop.Token);
        await informer.WaitForSyncAsync().WaitAsync(Deadline);
    }

    private void Record(string call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }

    private List<string> Calls()
    {
        lock (_calls)
        {
            return [.. _calls];
        }
    }

    /// <summary>Compacts etcd's history below <paramref name="revision"/> (a resourceVersion is an etcd revision).</summary>
    private async Task CompactEtcdAsync(string revision)
    {
        using var etcd = new HttpClient { BaseAddress = apiServer.EtcdClientEndpoint };
        var body = $$"""{"revision":"{{long.Parse(revision, CultureInfo.InvariantCulture)}}","physical":true}""";
        using var response = await etcd.PostAsync("/v3/kv/compaction", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"etcd compaction: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
