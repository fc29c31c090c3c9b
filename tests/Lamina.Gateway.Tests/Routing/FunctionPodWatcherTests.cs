using Lamina.Gateway.Routing;
using k8s.Models;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>The watcher's informers against the in-memory API server, feeding a registry.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class FunctionPodWatcherTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly FunctionKey Hello = new("team-a", "hello");

    private readonly FakeKubernetesClient _client = new();

    [Fact]
    public async Task ExecuteAsync_FunctionPods_ReadyOnesInTheRegistryAndKeptCurrent()
    {
        _client.Seed(TestPods.Of("hello-1"));
        _client.Seed(TestPods.Of("hello-2", ready: false));
        _client.Seed(new V1Pod { Metadata = new V1ObjectMeta { Name = "not-a-function", NamespaceProperty = "team-a" }, Status = TestPods.Of("x").Status });
        var (registry, watcher, meters) = Create(new RoutingOptions());
        using var _ = meters;
        using var __ = watcher;

        await watcher.StartAsync(CancellationToken.None);
        await watcher.WaitForSyncAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.True(watcher.Synced);
        Assert.Equal(["hello-1"], registry.EnvironmentsOf(Hello).Select(e => e.Pod));
        await Eventually.HoldsAsync(() => _client.Requests.Any(r => r.Verb == "watch"), Deadline, "the informer watches");

        _client.Mutate<V1Pod>("team-a", "hello-2", pod => pod.Status = TestPods.Of("hello-2").Status);
        _client.Mutate<V1Pod>("team-a", "hello-1", pod => pod.Metadata.DeletionTimestamp = DateTime.UnixEpoch);

        await Eventually.HoldsAsync(
            () => registry.EnvironmentsOf(Hello).Select(e => e.Pod).SequenceEqual(["hello-2"]),
            Deadline,
            "hello-2 ready and hello-1 terminating");
        Assert.Equal("Pod", Assert.Single(_client.Requests, r => r.Verb == "list").Kind);
        await watcher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ExecuteAsync_ConfiguredNamespaces_OnlyTheirPods()
    {
        _client.Seed(TestPods.Of("hello-1"));
        _client.Seed(TestPods.Of("hello-1", ns: "team-b"));
        _client.Seed(TestPods.Of("hello-1", ns: "team-c"));
        var options = new RoutingOptions();
        options.Namespaces.Add("team-a");
        options.Namespaces.Add("team-b");
        var (registry, watcher, meters) = Create(options);
        using var _ = meters;
        using var __ = watcher;

        await watcher.StartAsync(CancellationToken.None);
        await watcher.WaitForSyncAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal(2, registry.Count);
        Assert.Empty(registry.EnvironmentsOf(new FunctionKey("team-c", "hello")));
        Assert.Equal(["team-a", "team-b"], _client.Requests.Where(r => r.Verb == "list").Select(r => r.Namespace).Order(StringComparer.Ordinal));
        await watcher.StopAsync(CancellationToken.None);
    }

    private (EnvironmentRegistry Registry, FunctionPodWatcher Watcher, TestMeterFactory Meters) Create(RoutingOptions options)
    {
        var registry = new EnvironmentRegistry(Options.Create(options), NullLogger<EnvironmentRegistry>.Instance);
        var meters = new TestMeterFactory();
        var watcher = new FunctionPodWatcher(_client, registry, Options.Create(options), TimeProvider.System, NullLoggerFactory.Instance, meters);
        return (registry, watcher, meters);
    }
}
