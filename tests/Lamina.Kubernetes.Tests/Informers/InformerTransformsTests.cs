using Lamina.Kubernetes.Informers;
using k8s.Models;
using Lamina.Testing;
using Lamina.Testing.Fakes;

namespace Lamina.Kubernetes.Tests.Informers;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InformerTransformsTests
{
    [Fact]
    public void StripManagedFields_ObjectWithBoth_RemovesOnlyThem()
    {
        var secret = WithManagedFields("s");

        InformerTransforms.StripManagedFields(secret);

        Assert.Null(secret.Metadata.ManagedFields);
        Assert.Equal("/api/v1/x", secret.Metadata.SelfLink);
        Assert.Equal(["team"], secret.Metadata.Annotations!.Keys);
    }

    [Fact]
    public async Task Informer_WithTransform_StoresTransformedObjects()
    {
        var client = new FakeKubernetesClient();
        client.Seed(WithManagedFields("first"));
        var informer = new Informer<V1Secret>(client, new InformerOptions { Transform = InformerTransforms.StripManagedFields });
        var added = new List<V1Secret>();
        informer.AddHandler(onAdd: added.Add);
        using var stop = new CancellationTokenSource();

        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync();
        await stop.CancelAsync();
        await running.ContinueWith(_ => { }, TaskScheduler.Default);

        var stored = informer.Store.Get("ns", "first")!;
        Assert.Null(stored.Metadata.ManagedFields);
        Assert.Same(stored, Assert.Single(added));
    }

    private static V1Secret WithManagedFields(string name) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "ns",
            Annotations = new Dictionary<string, string> { ["team"] = "a", ["kubectl.kubernetes.io/last-applied-configuration"] = "{...}" },
            ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl" }],
            SelfLink = "/api/v1/x",
        },
    };
}
