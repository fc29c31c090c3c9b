using Lamina.Gateway.Auth;
using Lamina.Kubernetes.Client;
using k8s.Models;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>
/// The hosted service end to end on a fake API server: the informer lists and watches the labelled
/// Secrets of the access key namespace into the store, and the store follows every change.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class GatewayAuthServiceTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeKubernetesClient _client = new();
    private readonly RecordingLogger<GatewayAuthService> _log = new();
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
    }

    [Fact]
    public async Task ExecuteAsync_SigV4_KeysFollowTheSecrets()
    {
        _client.Seed(AccessKeySecrets.Create("lamina-system", "team-a-key"));
        _client.Seed(AccessKeySecrets.Create("team-a", "elsewhere", accessKeyId: "AKIDELSEWHERE"));
        var store = await StartAsync(o => o.AccessKeyNamespace = "lamina-system");

        await Eventually.HoldsAsync(() => _service!.Ready, Deadline, "the keys are loaded");
        Assert.Equal("s3cr3t-value", store.Find("AKIDTEAMA")?.SecretAccessKey);
        Assert.Null(store.Find("AKIDELSEWHERE"));
        Assert.Contains(_client.Requests, r => r.Verb == "list" && r.Namespace == "lamina-system");

        _client.Mutate<V1Secret>("lamina-system", "team-a-key", s => s.Data![AccessKeySecret.SecretAccessKeyField] = "rotated"u8.ToArray());
        await Eventually.HoldsAsync(() => store.Find("AKIDTEAMA")?.SecretAccessKey == "rotated", Deadline, "the rotated secret is in force");

        await _client.DeleteAsync<V1Secret>("lamina-system", "team-a-key");
        await Eventually.HoldsAsync(() => store.Find("AKIDTEAMA") is null, Deadline, "the deleted key is withdrawn");
    }

    [Fact]
    public async Task ExecuteAsync_AllNamespaces_ListsEveryNamespace()
    {
        _client.Seed(AccessKeySecrets.Create("team-a", "own", accessKeyId: "AKIDOWN", namespaces: "team-a"));
        var store = await StartAsync(o => o.AllNamespaces = true);

        await Eventually.HoldsAsync(() => _service!.Ready, Deadline, "the keys are loaded");

        Assert.NotNull(store.Find("AKIDOWN"));
        Assert.Contains(_client.Requests, r => r.Verb == "list" && r.Namespace is null);
    }

    [Fact]
    public async Task ExecuteAsync_AuthNone_ReadyAtOnceWithALoudWarningAndNoWatch()
    {
        await StartAsync(o =>
        {
            o.Mode = AuthMode.None;
            o.AnonymousDefaultNamespace = "dev";
        });

        await Eventually.HoldsAsync(() => _service!.Ready, Deadline, "ready");

        var warning = Assert.Single(_log.Warnings);
        Assert.StartsWith("AUTHENTICATION IS OFF (--auth=none)", warning, StringComparison.Ordinal);
        Assert.Contains("dev", warning, StringComparison.Ordinal);
        Assert.Empty(_client.Requests);
    }

    private async Task<SecretAccessKeyStore> StartAsync(Action<GatewayAuthOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(_log));
        services.AddSingleton<IKubernetesClient>(_client);
        services.AddGatewayAuth(configure);
        _services = services.BuildServiceProvider();
        _service = _services.GetRequiredService<GatewayAuthService>();
        await _service.StartAsync(CancellationToken.None);
        return _services.GetRequiredService<SecretAccessKeyStore>();
    }
}
