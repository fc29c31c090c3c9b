using Lamina.Gateway.Auth;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>The key store fed by informer events: what is in force after adds, updates and deletes, and what is logged.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class SecretAccessKeyStoreTests
{
    private const string Home = "lamina-system";
    private static readonly DateTime Older = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Newer = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly RecordingLogger<SecretAccessKeyStore> _log = new();
    private readonly SecretAccessKeyStore _store;

    public SecretAccessKeyStoreTests()
    {
        _store = new SecretAccessKeyStore(Home, _log);
    }

    [Fact]
    public void OnAdd_ValidSecret_KeyFound()
    {
        _store.OnAdd(AccessKeySecrets.Create(Home, "team-a-key", namespaces: "team-a,team-b"));

        var key = _store.Find("AKIDTEAMA");
        Assert.NotNull(key);
        Assert.Equal("s3cr3t-value", key.SecretAccessKey);
        Assert.True(key.MayInvokeIn("team-b"));
        Assert.Equal(1, _store.Count);
        Assert.Null(_store.Find("AKIDOTHER"));
    }

    [Fact]
    public void OnAdd_MalformedSecret_IgnoredWithOneWarningNamingItAndNoValue()
    {
        var secret = AccessKeySecrets.Create(Home, "broken", namespaces: "Not A Namespace");

        _store.OnAdd(secret);
        _store.OnUpdate(secret, secret);

        Assert.Null(_store.Find("AKIDTEAMA"));
        var warning = Assert.Single(_log.Warnings);
        Assert.Contains("lamina-system/broken", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", string.Join('\n', _log.Entries.Select(e => e.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public void OnUpdate_MalformedSecretDeliveredAgainAtTheSameVersion_NoSecondWarning()
    {
        _store.OnAdd(AccessKeySecrets.Create(Home, "broken", secretAccessKey: null));
        _store.OnUpdate(AccessKeySecrets.Create(Home, "broken", secretAccessKey: null), AccessKeySecrets.Create(Home, "broken", secretAccessKey: null));
        _store.OnUpdate(AccessKeySecrets.Create(Home, "broken", secretAccessKey: null), AccessKeySecrets.Create(Home, "broken", secretAccessKey: null, resourceVersion: "2"));

        Assert.Equal(2, _log.Warnings.Count);
    }

    [Fact]
    public void OnUpdate_SecretRotated_NewSecretInForce()
    {
        var before = AccessKeySecrets.Create(Home, "k");
        _store.OnAdd(before);

        _store.OnUpdate(before, AccessKeySecrets.Create(Home, "k", secretAccessKey: "rotated", namespaces: "team-c", resourceVersion: "2"));

        var key = _store.Find("AKIDTEAMA")!;
        Assert.Equal("rotated", key.SecretAccessKey);
        Assert.Equal(["team-c"], key.Namespaces!);
    }

    [Fact]
    public void OnUpdate_KeyIdChanged_OldIdWithdrawn()
    {
        var before = AccessKeySecrets.Create(Home, "k");
        _store.OnAdd(before);

        _store.OnUpdate(before, AccessKeySecrets.Create(Home, "k", accessKeyId: "AKIDRENAMED", resourceVersion: "2"));

        Assert.Null(_store.Find("AKIDTEAMA"));
        Assert.NotNull(_store.Find("AKIDRENAMED"));
    }

    [Fact]
    public void OnUpdate_SecretBecomesMalformed_KeyWithdrawn()
    {
        var before = AccessKeySecrets.Create(Home, "k");
        _store.OnAdd(before);

        _store.OnUpdate(before, AccessKeySecrets.Create(Home, "k", namespaces: "", resourceVersion: "2"));

        Assert.Null(_store.Find("AKIDTEAMA"));
        Assert.Single(_log.Warnings);
    }

    [Fact]
    public void OnDelete_Secret_KeyWithdrawn()
    {
        var secret = AccessKeySecrets.Create(Home, "k");
        _store.OnAdd(secret);

        _store.OnDelete(secret);

        Assert.Null(_store.Find("AKIDTEAMA"));
        Assert.Equal(0, _store.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OnAdd_TwoSecretsWithOneKeyId_OlderWinsWhicheverArrivesFirstWithAWarning(bool olderFirst)
    {
        var older = AccessKeySecrets.Create(Home, "older", secretAccessKey: "older-secret", created: Older);
        var newer = AccessKeySecrets.Create(Home, "newer", secretAccessKey: "newer-secret", created: Newer);

        foreach (var secret in olderFirst ? new[] { older, newer } : [newer, older])
        {
            _store.OnAdd(secret);
        }

        Assert.Equal("older-secret", _store.Find("AKIDTEAMA")!.SecretAccessKey);
        var warning = Assert.Single(_log.Warnings);
        Assert.Contains("lamina-system/older is used", warning, StringComparison.Ordinal);
        Assert.Contains("ignored: lamina-system/newer", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("-secret", string.Join('\n', _log.Entries.Select(e => e.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public void OnDelete_OlderOfTwoHolders_NewerTakesOver()
    {
        var older = AccessKeySecrets.Create(Home, "older", secretAccessKey: "older-secret", created: Older);
        _store.OnAdd(older);
        _store.OnAdd(AccessKeySecrets.Create(Home, "newer", secretAccessKey: "newer-secret", created: Newer));

        _store.OnDelete(older);

        Assert.Equal("newer-secret", _store.Find("AKIDTEAMA")!.SecretAccessKey);
    }

    [Fact]
    public void OnAdd_OlderHolderOutsideTheGatewaysNamespace_TheGatewaysOwnWins()
    {
        _store.OnAdd(AccessKeySecrets.Create("team-a", "squatter", secretAccessKey: "squatter-secret", namespaces: "team-a", created: Older));
        _store.OnAdd(AccessKeySecrets.Create(Home, "official", secretAccessKey: "official-secret", namespaces: "*", created: Newer));

        Assert.Equal("official-secret", _store.Find("AKIDTEAMA")!.SecretAccessKey);
    }

    [Fact]
    public void OnAdd_SecretOutsideTheGatewaysNamespaceGrantingAnother_IgnoredWithAWarning()
    {
        _store.OnAdd(AccessKeySecrets.Create("team-a", "escalation", namespaces: "team-b"));

        Assert.Null(_store.Find("AKIDTEAMA"));
        Assert.Contains("team-a/escalation", Assert.Single(_log.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void OnAdd_SecretOutsideTheGatewaysNamespaceGrantingItsOwn_KeyFound()
    {
        _store.OnAdd(AccessKeySecrets.Create("team-a", "own", namespaces: "team-a"));

        Assert.Equal(["team-a"], _store.Find("AKIDTEAMA")!.Namespaces!);
    }

    [Fact]
    public void OnUpdate_MalformedSecretFixed_KeyFound()
    {
        var broken = AccessKeySecrets.Create(Home, "k", namespaces: "");
        _store.OnAdd(broken);

        _store.OnUpdate(broken, AccessKeySecrets.Create(Home, "k", resourceVersion: "2"));

        Assert.NotNull(_store.Find("AKIDTEAMA"));
    }
}
