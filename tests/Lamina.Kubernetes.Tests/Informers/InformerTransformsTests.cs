using System.Text.Json;
using Lamina.Kubernetes.Informers;
using Lamina.Kubernetes.Models;
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

        Assert.False(secret.Metadata.ExtensionData!.ContainsKey("managedFields"));
        Assert.True(secret.Metadata.ExtensionData.ContainsKey("selfLink"));
        Assert.Equal(["team"], secret.Metadata.Annotations!.Keys);
    }

    [Fact]
    public async Task Informer_WithTransform_StoresTransformedObjects()
    {
        var client = new FakeKubernetesClient();
        client.Seed(WithManagedFields("first"));
        var informer = new Informer<Secret>(client, new InformerOptions { Transform = InformerTransforms.StripManagedFields });
        var added = new List<Secret>();
        informer.AddHandler(onAdd: added.Add);
        using var stop = new CancellationTokenSource();

        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync();
        await stop.CancelAsync();
        await running.ContinueWith(_ => { }, TaskScheduler.Default);

        var stored = informer.Store.Get("ns", "first")!;
        Assert.False(stored.Metadata.ExtensionData?.ContainsKey("managedFields") ?? false);
        Assert.Same(stored, Assert.Single(added));
    }

    private static Secret WithManagedFields(string name) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            Namespace = "ns",
            Annotations = new Dictionary<string, string> { ["team"] = "a", ["kubectl.kubernetes.io/last-applied-configuration"] = "{...}" },
            ExtensionData = new Dictionary<string, JsonElement>
            {
                ["managedFields"] = JsonDocument.Parse("""[{ "manager": "kubectl" }]""").RootElement.Clone(),
                ["selfLink"] = JsonDocument.Parse("\"/api/v1/x\"").RootElement.Clone(),
            },
        },
    };
}
