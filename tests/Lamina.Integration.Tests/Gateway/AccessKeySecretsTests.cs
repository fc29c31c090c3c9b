using Lamina.Gateway.Auth;
using Lamina.Integration.Tests.Kubernetes;
using Lamina.Kubernetes.Client;
using k8s.Models;
using Lamina.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Lamina.Integration.Tests.Gateway;

/// <summary>
/// The gateway's access keys against a real API server: a labelled Secret created, rotated and
/// deleted shows in the key store as the informer sees it; unlabelled and malformed Secrets never do.
/// </summary>
[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class AccessKeySecretsTests(ApiServerFixture apiServer) : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly KubernetesObjectClient _client = apiServer.CreateKubernetesClient();
    private ServiceProvider? _services;
    private GatewayAuthService? _service;

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.StopAsync(CancellationToken.None);
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        _client.Dispose();
    }

    [Fact]
    public async Task GatewayAuthService_LabelledSecretCreatedRotatedDeleted_KeyStoreFollows()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "access-keys");
        await _client.CreateAsync(AccessKey(ns, "listed", "AKIDLISTED", "listed-secret"));
        var store = await StartAsync(ns);
        await Eventually.HoldsAsync(() => _service!.Ready, Deadline, "the first list is in");
        Assert.Equal("listed-secret", store.Find("AKIDLISTED")?.SecretAccessKey);

        await _client.CreateAsync(AccessKey(ns, "watched", "AKIDWATCHED", "watched-secret"));
        var unlabelled = AccessKey(ns, "unlabelled", "AKIDUNLABELLED", "x");
        unlabelled.Metadata.Labels = null;
        await _client.CreateAsync(unlabelled);
        var malformed = AccessKey(ns, "malformed", "AKIDMALFORMED", "x");
        malformed.StringData!.Remove(AccessKeySecret.NamespacesField);
        await _client.CreateAsync(malformed);
        await Eventually.HoldsAsync(() => store.Find("AKIDWATCHED")?.SecretAccessKey == "watched-secret", Deadline, "a Secret created later arrives by watch");
        var key = store.Find("AKIDWATCHED")!;
        Assert.Equal(["team-a", "team-b"], key.Namespaces!.Order());
        Assert.Equal("team-b", key.DefaultNamespace);

        var rotated = await _client.GetAsync<V1Secret>(ns, "watched");
        rotated.StringData = new Dictionary<string, string> { [AccessKeySecret.SecretAccessKeyField] = "rotated-secret" };
        await _client.ReplaceAsync(rotated);
        await Eventually.HoldsAsync(() => store.Find("AKIDWATCHED")?.SecretAccessKey == "rotated-secret", Deadline, "the rotated secret is in force");

        await _client.DeleteAsync<V1Secret>(ns, "watched");
        await Eventually.HoldsAsync(() => store.Find("AKIDWATCHED") is null, Deadline, "the deleted key is withdrawn");
        Assert.NotNull(store.Find("AKIDLISTED"));
        Assert.Null(store.Find("AKIDUNLABELLED"));
        Assert.Null(store.Find("AKIDMALFORMED"));
    }

    private static V1Secret AccessKey(string ns, string name, string accessKeyId, string secret) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string> { [AccessKeySecret.Label] = "true" },
        },
        StringData = new Dictionary<string, string>
        {
            [AccessKeySecret.AccessKeyIdField] = accessKeyId,
            [AccessKeySecret.SecretAccessKeyField] = secret,
            [AccessKeySecret.NamespacesField] = "team-b,team-a",
        },
    };

    private async Task<SecretAccessKeyStore> StartAsync(string keyNamespace)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IKubernetesClient>(_client);
        services.AddGatewayAuth(o => o.AccessKeyNamespace = keyNamespace);
        _services = services.BuildServiceProvider();
        _service = _services.GetRequiredService<GatewayAuthService>();
        await _service.StartAsync(CancellationToken.None);
        return _services.GetRequiredService<SecretAccessKeyStore>();
    }
}
