using Lamina.Kubernetes.Client;
using k8s.Models;
using Lamina.Testing;

namespace Lamina.Integration.Tests.Kubernetes;

/// <summary>Server-side apply through <see cref="KubernetesObjectClient.ApplyAsync{T}"/>: ownership, conflicts, force, subresources.</summary>
[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class ServerSideApplyTests(ApiServerFixture apiServer) : IDisposable
{
    private readonly KubernetesObjectClient _client = apiServer.CreateKubernetesClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task ApplyAsync_SecondManagerChangesOwnedField_ConflictNamingFieldThenForceTakesOver()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "ssa");
        var created = await _client.ApplyAsync(TestObjects.Deployment(ns, "web", replicas: 2), new ApplyOptions("alpha"));
        Assert.Equal(2, created.Spec!.Replicas);

        var rival = new V1Deployment { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = ns }, Spec = new V1DeploymentSpec { Replicas = 3 } };
        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => _client.ApplyAsync(rival, new ApplyOptions("beta")));

        Assert.True(error.IsConflict);
        Assert.Contains("conflict with \"alpha\"", error.Message, StringComparison.Ordinal);
        var cause = Assert.Single(error.Status!.Details!.Causes!);
        Assert.Equal((".spec.replicas", "FieldManagerConflict"), (cause.Field, cause.Reason));
        Assert.Equal(2, (await _client.GetAsync<V1Deployment>(ns, "web")).Spec!.Replicas);

        var forced = await _client.ApplyAsync(rival, new ApplyOptions("beta", Force: true));

        Assert.Equal(3, forced.Spec!.Replicas);
        Assert.Equal("registry.invalid/app:1", forced.Spec.Template!.Spec!.Containers![0].Image); // alpha's other fields stay
        var managers = forced.Metadata.ManagedFields!.Select(m => m.Manager).ToList();
        Assert.Contains("alpha", managers);
        Assert.Contains("beta", managers);
    }

    [Fact]
    public async Task ApplyAsync_SameObjectTwice_SecondApplyChangesNothing()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "ssa-idem");

        var first = await _client.ApplyAsync(TestObjects.Secret(ns, "s"), new ApplyOptions("lamina-operator"));
        // In a later second: managedFields times have whole seconds, so within the same one even an
        // apply the server sees as a change (a field it normalises away) would not write.
        var appliedBy = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await Eventually.HoldsAsync(() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() > appliedBy, TimeSpan.FromSeconds(5), "the next second");
        var second = await _client.ApplyAsync(TestObjects.Secret(ns, "s"), new ApplyOptions("lamina-operator"));

        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task ApplyAsync_ObjectReadBackFromServer_Accepted()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "ssa-readback");
        await _client.ApplyAsync(TestObjects.Secret(ns, "s"), new ApplyOptions("lamina-operator"));
        var read = await _client.GetAsync<V1Secret>(ns, "s");
        read.Metadata.Labels = new Dictionary<string, string> { ["edited"] = "yes" };

        var applied = await _client.ApplyAsync(read, new ApplyOptions("lamina-operator"));

        Assert.Equal("yes", applied.Metadata.Labels!["edited"]);
    }

    [Fact]
    public async Task ApplyAsync_FieldDroppedFromApply_RemovedFromObject()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "ssa-drop");
        var withLabel = TestObjects.Secret(ns, "s", new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
        await _client.ApplyAsync(withLabel, new ApplyOptions("lamina-operator"));

        var fewer = await _client.ApplyAsync(TestObjects.Secret(ns, "s", new Dictionary<string, string> { ["a"] = "1" }), new ApplyOptions("lamina-operator"));

        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, fewer.Metadata.Labels);
    }

    [Fact]
    public async Task ApplyAsync_StatusSubresource_StatusAppliedSpecUntouched()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "ssa-status");
        await _client.ApplyAsync(TestObjects.Deployment(ns, "web", replicas: 2), new ApplyOptions("alpha"));
        // Only status: kube-apiserver 1.20 still counts spec fields in a status apply towards ownership
        // (a conflict with the spec's manager) even though it does not write them.
        var status = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = ns },
            Status = new V1DeploymentStatus { Replicas = 2, ReadyReplicas = 2, ObservedGeneration = 1 },
        };

        var applied = await _client.ApplyAsync(status, new ApplyOptions("status-writer"), "status");

        Assert.Equal(2, applied.Status!.ReadyReplicas);
        Assert.Equal(2, applied.Spec!.Replicas);
        var managers = applied.Metadata.ManagedFields!.Select(m => m.Manager);
        Assert.Contains("status-writer", managers);
    }
}
