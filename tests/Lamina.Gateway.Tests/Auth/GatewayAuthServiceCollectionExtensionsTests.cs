using Lamina.Gateway.Auth;
using Lamina.Kubernetes.Client;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>What <c>AddGatewayAuth</c> registers for each setting, and the settings it refuses.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class GatewayAuthServiceCollectionExtensionsTests
{
    [Fact]
    public void AddGatewayAuth_NothingConfigured_SigV4WithKeysFromLaminaSystem()
    {
        using var services = Build([]);

        Assert.IsType<SigV4Authenticator>(services.GetRequiredService<IRequestAuthenticator>());
        Assert.IsType<SecretAccessKeyStore>(services.GetRequiredService<IAccessKeyStore>());
        var options = services.GetRequiredService<IOptions<GatewayAuthOptions>>().Value;
        Assert.Equal(AuthMode.SigV4, options.Mode);
        Assert.Equal(Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } pod ? pod : "lamina-system", GatewayAuthServiceCollectionExtensions.ResolveAccessKeyNamespace(options));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("NONE")]
    public void AddGatewayAuth_AuthNoneOnTheCommandLine_NoAuthenticator(string value)
    {
        using var services = Build(new() { ["auth"] = value, ["Lamina:Gateway:Auth:AnonymousDefaultNamespace"] = "dev" });

        var authenticator = services.GetRequiredService<IRequestAuthenticator>();

        Assert.IsType<NoAuthenticator>(authenticator);
        Assert.Equal("dev", Assert.IsType<AuthResult.Authenticated>(authenticator.Authenticate(new SignedInvoke().Build(), [], DateTimeOffset.UnixEpoch)).Caller.DefaultNamespace);
    }

    [Fact]
    public void AddGatewayAuth_HostSaysAuthNone_NoAuthenticator()
    {
        using var services = Build([], authNone: true);

        Assert.IsType<NoAuthenticator>(services.GetRequiredService<IRequestAuthenticator>());
    }

    [Fact]
    public void AddGatewayAuth_SectionSettings_Bound()
    {
        using var services = Build(new()
        {
            ["Lamina:Gateway:Auth:AccessKeyNamespace"] = "keys",
            ["Lamina:Gateway:Auth:AllNamespaces"] = "true",
            ["Lamina:Gateway:Auth:Region"] = "us-east-1",
        });

        var options = services.GetRequiredService<IOptions<GatewayAuthOptions>>().Value;

        Assert.Equal("keys", GatewayAuthServiceCollectionExtensions.ResolveAccessKeyNamespace(options));
        Assert.True(options.AllNamespaces);
        Assert.Equal("us-east-1", options.Region);
    }

    [Fact]
    public void AddGatewayAuth_UnknownAuthMode_RefusedNamingTheSwitch()
    {
        using var services = Build(new() { ["auth"] = "basic" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<GatewayAuthOptions>>().Value);

        Assert.Contains("--auth=basic: expected 'sigv4' or 'none'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGatewayAuth_BadNamespaceName_RefusedAtStart()
    {
        using var services = Build(new() { ["Lamina:Gateway:Auth:AccessKeyNamespace"] = "Not_A_Namespace" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<GatewayAuthOptions>>().Value);

        Assert.Contains("AccessKeyNamespace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGatewayAuth_HostedService_IsTheReadinessSingleton()
    {
        using var services = Build([]);

        Assert.Same(services.GetRequiredService<GatewayAuthService>(), Assert.Single(services.GetServices<IHostedService>()));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, bool authNone = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IKubernetesClient>(new FakeKubernetesClient());
        services.AddGatewayAuth(configuration, authNone);
        return services.BuildServiceProvider();
    }
}
